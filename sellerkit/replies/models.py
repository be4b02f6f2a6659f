"""Saved-reply tables: the reply (shared by the shop, or personal to one member) and its body per language."""
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db


class SavedReply(db.Model):
    __tablename__ = "saved_replies"
    __table_args__ = (
        UniqueConstraint("shop_id", "shortcut"),
        Index("ix_saved_replies_shop_usage", "shop_id", "usage_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    #: Set for a personal reply, which only this member sees; None for the shop's shared replies.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    #: Typed as /shortcut in the composer; letters, digits and "-", unique in the shop.
    shortcut: Mapped[str | None] = mapped_column(String(40))
    folder: Mapped[str] = mapped_column(String(60), default="")
    usage_count: Mapped[int] = mapped_column(default=0)
    last_used_at: Mapped[object | None] = mapped_column(UTCDateTime())
    created_at: Mapped[object] = mapped_column(UTCDateTime())
    updated_at: Mapped[object] = mapped_column(UTCDateTime())

    variants = relationship("SavedReplyVariant", cascade="all, delete-orphan", order_by="SavedReplyVariant.language")

    @property
    def bodies(self):
        return {variant.language: variant.body for variant in self.variants}


class SavedReplyVariant(db.Model):
    __tablename__ = "saved_reply_variants"
    __table_args__ = (UniqueConstraint("reply_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reply_id: Mapped[int] = mapped_column(ForeignKey("saved_replies.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
