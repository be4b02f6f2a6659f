"""Response-time tables: one clock per waiting thread, and the warnings and breaches the sweep records."""
from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db

_UNWARNED = "status = 'open' AND warned_at IS NULL"
_UNBREACHED = "status = 'open' AND breached_at IS NULL"


class ResponseClock(db.Model):
    """The time a seller has to answer a buyer message, under the shop's platform rule."""

    __tablename__ = "response_clocks"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'met', 'breached', 'exempt')", name="status"),
        # At most one open clock per thread, enforced by the database itself.
        Index("uq_response_clocks_open_thread", "thread_id", unique=True, sqlite_where=text("status = 'open'"),
              postgresql_where=text("status = 'open'")),
        # The sweeps read only the clocks still to warn or to breach, so a steady sweep finds nothing in no time
        # however many clocks were never answered.
        Index("ix_response_clocks_unwarned", "due_at", "warn_at", sqlite_where=text(_UNWARNED),
              postgresql_where=text(_UNWARNED)),
        Index("ix_response_clocks_unbreached", "due_at", sqlite_where=text(_UNBREACHED),
              postgresql_where=text(_UNBREACHED)),
        # The breach rule's last week of breaches.
        Index("ix_response_clocks_breached_due", "due_at", sqlite_where=text("status = 'breached'"),
              postgresql_where=text("status = 'breached'")),
        # A thread's clocks (its breaches, a cascade on delete). No index leads with the status alone: without
        # statistics SQLite would prefer it to the thread's own clocks and read every open one.
        Index("ix_response_clocks_thread_status", "thread_id", "status"),
        # A shop's clocks by start, with every column a recount of its days reads.
        Index("ix_response_clocks_shop_started", "shop_id", "started_at", "status", "due_at", "stopped_at"),
        # The dashboard's clocks still open past their deadline (breaches without an answer yet). With the status
        # too, SQLite sees that it answers the query alone and prefers it to the index of every clock above.
        Index("ix_response_clocks_open_shop_started", "shop_id", "started_at", "due_at", "status",
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
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


class ResponseDay(db.Model):
    """The answered clocks of one local day of a shop, added as each clock stops: the dashboard reads a row a day,
    not every clock, so its cost stays the same however many conversations a shop has."""

    __tablename__ = "response_days"

    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True)
    #: The shop's timezone when the day was counted; a change of timezone recounts the shop's days.
    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[object] = mapped_column(Date(), primary_key=True)
    on_time: Mapped[int]
    breaches: Mapped[int]
    #: Each answer's response time in whole seconds, comma-separated: the medians and p90 stay exact.
    response_seconds: Mapped[str] = mapped_column(Text())


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
