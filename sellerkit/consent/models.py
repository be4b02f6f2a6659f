"""The consent history: one row per consent given or withdrawn, never changed or deleted."""
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db


class ConsentEvent(db.Model):
    """Rows are only ever added. The buyer's consent_* columns hold the latest state for fast filtering."""

    __tablename__ = "consent_events"
    __table_args__ = (
        CheckConstraint("action IN ('given', 'withdrawn')", name="action"),
        Index("ix_consent_events_buyer", "buyer_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(10))
    #: How: order_checkbox, message, import, seller, opt_out_link or stop_reply.
    source: Mapped[str] = mapped_column(String(20))
    #: The wording the buyer agreed to (or wrote, for a stop reply).
    text: Mapped[str] = mapped_column(Text, default="")
    #: When it happened, which may be before it was recorded here (imports).
    occurred_at: Mapped[object] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[object] = mapped_column(UTCDateTime())

    recorded_by = relationship("User")
