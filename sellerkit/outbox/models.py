"""The outbox table: one row per outgoing message, with its delivery state, claim and last error."""
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db


class OutboxItem(db.Model):
    __tablename__ = "outbox_items"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
        CheckConstraint("transport IN ('manual', 'email', 'webhook')", name="transport"),
        CheckConstraint("(message_id IS NULL) <> (ticket_event_id IS NULL)", name="one_subject"),
        # The sweep looks for due pending rows and for claims that were never confirmed.
        Index("ix_outbox_items_status_due", "status", "due_at"),
        Index("ix_outbox_items_shop_status", "shop_id", "status", "id"),
        # The inbox's "not delivered" list: only rows that met an error, however many replies wait to be copied.
        Index("ix_outbox_items_shop_errors", "shop_id", "id", sqlite_where=text("last_error IS NOT NULL"),
              postgresql_where=text("last_error IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    #: A reply to a buyer, or (ticket_event_id) a mail to a platform's support team: exactly one of the two.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    ticket_event_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_events.id", ondelete="CASCADE"),
                                                        unique=True)
    transport: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    #: When the scheduler should try next; None for manual items, which wait for the seller.
    due_at: Mapped[object | None] = mapped_column(UTCDateTime())
    #: Set by the sweep that claimed the row; a claim older than the timeout is taken back.
    claimed_at: Mapped[object | None] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[object | None] = mapped_column(UTCDateTime())
    created_at: Mapped[object] = mapped_column(UTCDateTime())

    message = relationship("Message")
