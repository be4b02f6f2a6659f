"""Response-time tables: one clock per waiting thread, and the warnings and breaches the sweep records."""
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db


class ResponseClock(db.Model):
    """The time a seller has to answer a buyer message, under the shop's platform rule."""

    __tablename__ = "response_clocks"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'met', 'breached', 'exempt')", name="status"),
        # At most one open clock per thread, enforced by the database itself.
        Index("uq_response_clocks_open_thread", "thread_id", unique=True, sqlite_where=text("status = 'open'"),
              postgresql_where=text("status = 'open'")),
        Index("ix_response_clocks_status_warn", "status", "warn_at"),
        Index("ix_response_clocks_status_due", "status", "due_at"),
        Index("ix_response_clocks_shop_started", "shop_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    started_at: Mapped[object] = mapped_column(UTCDateTime())
    due_at: Mapped[object] = mapped_column(UTCDateTime())
    warn_at: Mapped[object] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10), default="open")
    #: "reply", "auto_reply" or "no_reply_needed".
    stopped_by: Mapped[str | None] = mapped_column(String(20))
    stopped_at: Mapped[object | None] = mapped_column(UTCDateTime())
    #: Set once by the sweep that recorded the warning or the breach, so neither is ever recorded twice.
    warned_at: Mapped[object | None] = mapped_column(UTCDateTime())
    breached_at: Mapped[object | None] = mapped_column(UTCDateTime())


class Notification(db.Model):
    """A warning or a breach for a shop's team, shown in the notifications list (and mailed once)."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("clock_id", "kind"),
        CheckConstraint("kind IN ('warning', 'breach')", name="kind"),
        Index("ix_notifications_shop_created", "shop_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    clock_id: Mapped[int] = mapped_column(ForeignKey("response_clocks.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[object] = mapped_column(UTCDateTime())
    emailed_at: Mapped[object | None] = mapped_column(UTCDateTime())
