"""Policy tables: one editable draft per shop and section, and the immutable published versions."""
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db

SECTION_CHECK = "section IN ('shipping', 'payment', 'returns', 'privacy', 'faq')"


class PolicyDraft(db.Model):
    __tablename__ = "policy_drafts"
    __table_args__ = (UniqueConstraint("shop_id", "section"), CheckConstraint(SECTION_CHECK, name="section"))

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(20))
    options: Mapped[dict] = mapped_column(JSON)
    free_text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[object] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class PolicyVersion(db.Model):
    """A published policy. Rows are never changed: an order's policy is the version in force when it was placed."""

    __tablename__ = "policy_versions"
    __table_args__ = (
        UniqueConstraint("shop_id", "section", "number"),
        CheckConstraint(SECTION_CHECK, name="section"),
        Index("ix_policy_versions_shop_section_published", "shop_id", "section", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(20))
    #: 1, 2, 3 ... per shop and section.
    number: Mapped[int]
    options: Mapped[dict] = mapped_column(JSON)
    free_text: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[object] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
