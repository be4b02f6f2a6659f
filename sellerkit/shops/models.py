"""Shop tables: the shop, its members with their roles, and its weekly business hours."""
from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Time, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db
from sellerkit.shops.domain import PLATFORMS, REPLY_TRANSPORTS, ROLES


def _one_of(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Shop(db.Model):
    __tablename__ = "shops"
    __table_args__ = (
        CheckConstraint(_one_of("platform", PLATFORMS), name="platform"),
        CheckConstraint(_one_of("reply_transport", REPLY_TRANSPORTS), name="reply_transport"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    platform: Mapped[str] = mapped_column(String(20))
    #: Language of buyer-facing text when a buyer's own language is unknown.
    default_language: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    #: How replies leave: "manual" (the seller copies them), "email" (SMTP) or "webhook" (signed JSON POST).
    reply_transport: Mapped[str] = mapped_column(String(10), default="manual", server_default="manual")
    reply_from_email: Mapped[str | None] = mapped_column(String(254))
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    #: Shared secret for the HMAC signature of webhook deliveries.
    webhook_secret: Mapped[str | None] = mapped_column(String(64))
    max_attachment_bytes: Mapped[int] = mapped_column(default=10 * 1024 * 1024, server_default=str(10 * 1024 * 1024))
    max_message_attachment_bytes: Mapped[int] = mapped_column(default=50 * 1024 * 1024,
                                                              server_default=str(50 * 1024 * 1024))
    #: Overrides of the platform's response rule; None keeps the platform's own value.
    response_hours: Mapped[int | None]
    response_business_hours_only: Mapped[bool | None]
    response_auto_reply_counts: Mapped[bool | None]
    response_warning_hours: Mapped[int | None]
    #: Answer automatically outside business hours with the shop's away message.
    away_replies_enabled: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    #: The platform support team's address: when set, tickets are filed by e-mail through the outbox.
    support_email: Mapped[str | None] = mapped_column(String(254))
    #: Automatic escalation: a draft ticket when a dispute's response deadline passes, or after it waited N days.
    escalate_on_breach: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    escalate_after_days: Mapped[int | None]
    #: Renewed by every change of the settings each buyer message reads (shops.stamped keeps them per process).
    settings_stamp: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[object] = mapped_column(UTCDateTime())

    memberships = relationship("Membership", back_populates="shop", cascade="all, delete-orphan")
    holidays = relationship("Holiday", cascade="all, delete-orphan", order_by="Holiday.day")
    business_hours = relationship("BusinessHours", cascade="all, delete-orphan", order_by="BusinessHours.weekday")


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("shop_id", "user_id"),
        CheckConstraint(_one_of("role", ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[object] = mapped_column(UTCDateTime())

    shop = relationship("Shop", back_populates="memberships")
    user = relationship("User", back_populates="memberships")

    @property
    def is_owner(self):
        return self.role == "owner"


class Holiday(db.Model):
    """A day (in the shop's timezone) the shop is closed: response time in business hours does not run."""

    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("shop_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    day: Mapped[object] = mapped_column(Date())


class BusinessHours(db.Model):
    """The hours a shop answers on one weekday (0 = Monday), in the shop's timezone."""

    __tablename__ = "business_hours"
    __table_args__ = (
        UniqueConstraint("shop_id", "weekday"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opens"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    weekday: Mapped[int]
    opens_at: Mapped[object] = mapped_column(Time())
    closes_at: Mapped[object] = mapped_column(Time())
