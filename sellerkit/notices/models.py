"""A notice mail to one user: what it is about (a thread near its reply deadline, a ticket draft ready to file)."""
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db


class NoticeMail(db.Model):
    __tablename__ = "notice_mails"
    __table_args__ = (CheckConstraint("topic IN ('reply_deadline', 'ticket_draft')", name="topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(20))
    #: The thread (reply_deadline) or the ticket (ticket_draft) the mail links to.
    about_id: Mapped[int] = mapped_column()
    created_at: Mapped[object] = mapped_column(UTCDateTime())
