"""Campaign tables: the campaign, its message per language, and one follow-up row per order it covers."""
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("trigger IN ('after_delivery', 'after_last_order')", name="trigger"),
        CheckConstraint("coupon_mode IN ('none', 'shared', 'pool')", name="coupon_mode"),
        Index("ix_campaigns_shop", "shop_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    trigger: Mapped[str] = mapped_column(String(20))
    #: Days after the delivery (or the last order) when the follow-up is due.
    days: Mapped[int] = mapped_column(Integer)
    coupon_mode: Mapped[str] = mapped_column(String(10), default="none")
    #: The one code every buyer gets (coupon_mode "shared").
    coupon_id: Mapped[int | None] = mapped_column(ForeignKey("coupons.id", ondelete="SET NULL"))
    #: The pool whose single-use codes are handed out one per buyer (coupon_mode "pool").
    coupon_pool: Mapped[str | None] = mapped_column(String(40))
    #: A buyer gets at most one follow-up of any campaign in this many days.
    min_days_between: Mapped[int] = mapped_column(Integer, default=30)
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    activated_at: Mapped[object | None] = mapped_column(UTCDateTime())
    created_at: Mapped[object] = mapped_column(UTCDateTime())
    updated_at: Mapped[object] = mapped_column(UTCDateTime())

    coupon = relationship("Coupon")
    messages = relationship("CampaignMessage", cascade="all, delete-orphan", order_by="CampaignMessage.language")

    @property
    def bodies(self):
        return {m.language: m.body for m in self.messages}


class CampaignMessage(db.Model):
    __tablename__ = "campaign_messages"
    __table_args__ = (UniqueConstraint("campaign_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)


class FollowUp(db.Model):
    """One planned follow-up. Its text is written when it is sent, so an edited campaign changes only what waits."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        UniqueConstraint("campaign_id", "order_id"),
        CheckConstraint("status IN ('pending', 'sent', 'skipped')", name="status"),
        Index("ix_follow_ups_due", "status", "due_at"),
        Index("ix_follow_ups_campaign", "campaign_id", "status", "reason"),
        # The campaign page lists its follow-ups latest changed first, a page at a time.
        Index("ix_follow_ups_campaign_updated", "campaign_id", "updated_at", "id"),
        Index("ix_follow_ups_buyer_sent", "buyer_id", "sent_at"),
        # Never two sent follow-ups of one campaign to one buyer, even from two schedulers at once.
        Index("uq_follow_ups_sent_once", "campaign_id", "buyer_id", unique=True,
              sqlite_where=text("status = 'sent'"), postgresql_where=text("status = 'sent'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    due_at: Mapped[object] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10), default="pending")
    #: Why it was skipped, or why it waits longer than planned (a vacation, a recent follow-up).
    reason: Mapped[str | None] = mapped_column(String(30))
    coupon_id: Mapped[int | None] = mapped_column(ForeignKey("coupons.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"), index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    sent_at: Mapped[object | None] = mapped_column(UTCDateTime())
    created_at: Mapped[object] = mapped_column(UTCDateTime())
    updated_at: Mapped[object] = mapped_column(UTCDateTime())

    buyer = relationship("Buyer")
    order = relationship("Order")
    coupon = relationship("Coupon")
