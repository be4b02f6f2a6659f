"""Vacation tables: the vacation, its message per language, and each auto-reply it sent (once per thread)."""
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db


class Vacation(db.Model):
    """A time the seller is away. It is active between its start and end (or its early end): no job has to
    switch it on or off, so a scheduler that was down cannot leave it in the wrong state."""

    __tablename__ = "vacations"
    __table_args__ = (Index("ix_vacations_shop_period", "shop_id", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    starts_at: Mapped[object] = mapped_column(UTCDateTime())
    ends_at: Mapped[object] = mapped_column(UTCDateTime())
    ended_early_at: Mapped[object | None] = mapped_column(UTCDateTime())
    created_at: Mapped[object] = mapped_column(UTCDateTime())

    messages = relationship("VacationMessage", cascade="all, delete-orphan", order_by="VacationMessage.language")

    @property
    def bodies(self):
        return {m.language: m.body for m in self.messages}

    def ends(self):
        return self.ended_early_at or self.ends_at


class VacationMessage(db.Model):
    __tablename__ = "vacation_messages"
    __table_args__ = (UniqueConstraint("vacation_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vacation_id: Mapped[int] = mapped_column(ForeignKey("vacations.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)


class AutoReplySent(db.Model):
    """One auto-reply; the unique key makes "once per thread per vacation" a fact of the database."""

    __tablename__ = "auto_replies_sent"
    __table_args__ = (
        UniqueConstraint("vacation_id", "thread_id"),
        Index("ix_auto_replies_sent_buyer", "buyer_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vacation_id: Mapped[int] = mapped_column(ForeignKey("vacations.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[object] = mapped_column(UTCDateTime())


class AwayMessage(db.Model):
    """The answer a shop gives outside its business hours, per language (used only when switched on)."""

    __tablename__ = "away_messages"
    __table_args__ = (UniqueConstraint("shop_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)


class AwayReplySent(db.Model):
    """One away reply; unique per thread and closed period (the night or weekend it fell in)."""

    __tablename__ = "away_replies_sent"
    __table_args__ = (
        UniqueConstraint("thread_id", "period_start"),
        Index("ix_away_replies_sent_buyer", "buyer_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    #: When the shop closed: one away reply per thread for each closed period.
    period_start: Mapped[object] = mapped_column(UTCDateTime())
    sent_at: Mapped[object] = mapped_column(UTCDateTime())
