"""Coupon tables: the codes of a shop and each recorded redemption."""
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db


class Coupon(db.Model):
    __tablename__ = "coupons"
    __table_args__ = (
        UniqueConstraint("shop_id", "code"),
        CheckConstraint("kind IN ('percent', 'fixed')", name="kind"),
        CheckConstraint("value > 0", name="value_positive"),
        CheckConstraint("kind = 'fixed' OR value <= 100", name="percent_at_most_100"),
        CheckConstraint("usage_limit IS NULL OR redeemed_count <= usage_limit", name="within_limit"),
        # A campaign hands out a pool's free codes oldest first.
        Index("ix_coupons_shop_pool", "shop_id", "pool", "assigned_at", "id"),
        # The coupons page lists a shop's codes newest first, a page at a time.
        Index("ix_coupons_shop_id", "shop_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    #: Upper-case letters, digits, "-" and "_", as buyers type them at checkout.
    code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[object] = mapped_column(Numeric(12, 2))
    #: The currency of a fixed amount (and of the minimum order); None for percentages without a minimum.
    currency: Mapped[str | None] = mapped_column(String(3))
    valid_from: Mapped[object | None] = mapped_column(UTCDateTime())
    valid_until: Mapped[object | None] = mapped_column(UTCDateTime())
    #: How many times the code may be redeemed; None for no limit. Single-use codes have 1.
    usage_limit: Mapped[int | None] = mapped_column(Integer)
    min_order: Mapped[object | None] = mapped_column(Numeric(12, 2))
    #: Codes generated or imported together; a campaign can hand them out one per buyer.
    pool: Mapped[str | None] = mapped_column(String(40))
    #: When a follow-up handed this code to a buyer (pool codes only): it is never handed out again.
    assigned_at: Mapped[object | None] = mapped_column(UTCDateTime())
    #: Kept by the one redemption write path, whose conditional UPDATE makes the usage limit race-free.
    redeemed_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[object] = mapped_column(UTCDateTime())


class Redemption(db.Model):
    __tablename__ = "coupon_redemptions"
    __table_args__ = (
        UniqueConstraint("shop_id", "coupon_id", "order_ref"),
        Index("ix_coupon_redemptions_coupon", "coupon_id", "redeemed_at"),
        Index("ix_coupon_redemptions_shop", "shop_id", "redeemed_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupons.id", ondelete="CASCADE"))
    order_ref: Mapped[str] = mapped_column(String(200))
    #: The buyer of the order when the order is known here: it ties a shared code to the follow-up that sent it.
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id", ondelete="SET NULL"))
    amount: Mapped[object] = mapped_column(Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    redeemed_at: Mapped[object] = mapped_column(UTCDateTime())
    #: "api", "import" or "web".
    source: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[object] = mapped_column(UTCDateTime())
