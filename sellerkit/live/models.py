"""Live tables: the short-lived change events, who read which conversation, and notices meant for one member."""
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db
from sellerkit.threads.models import Thread

_OPEN_DISPUTE = "is_dispute AND status != 'resolved'"
#: The Disputes tab's count (live.services.counts), as this partial index says it: few rows, read alone.
Index("ix_threads_open_disputes", Thread.shop_id, sqlite_where=text(_OPEN_DISPUTE),
      postgresql_where=text(_OPEN_DISPUTE))


class LiveEvent(db.Model):
    """A committed change that open pages show; written in the change's own transaction, pruned after a while."""

    __tablename__ = "live_events"
    # A stream reads its shops' events after the last id it sent.
    __table_args__ = (Index("ix_live_events_shop_id", "shop_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    #: message, reply, delivery, status, assignment, warning, notice.
    kind: Mapped[str] = mapped_column(String(20))
    #: No key: an event may outlive its thread by the few minutes until it is pruned.
    thread_id: Mapped[int | None]
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[object] = mapped_column(UTCDateTime(), index=True)


class ThreadRead(db.Model):
    """The newest message of a conversation a member has seen: anything the buyer wrote after it is unread."""

    __tablename__ = "thread_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)
    last_message_id: Mapped[int]
    read_at: Mapped[object] = mapped_column(UTCDateTime())


class NotificationMark(db.Model):
    """How far a member has read the shops' notifications (warnings and breaches): the ones after it are unread."""

    __tablename__ = "notification_marks"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    last_notification_id: Mapped[int]


class MemberNotice(db.Model):
    """A notification for one member: a buyer wrote in a conversation assigned to them, a reply of theirs failed."""

    __tablename__ = "member_notices"
    __table_args__ = (
        CheckConstraint("kind IN ('assigned_message', 'delivery_failed')", name="kind"),
        # A member's notices, newest first, and the unread ones counted for the badge.
        Index("ix_member_notices_user", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[object] = mapped_column(UTCDateTime())
    read_at: Mapped[object | None] = mapped_column(UTCDateTime())
