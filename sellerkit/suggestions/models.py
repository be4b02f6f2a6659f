"""Suggestion tables: the buyer messages each saved reply answered, and how often a suggested reply was taken."""
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db


class AnsweredMessage(db.Model):
    """A buyer message answered with a saved reply: the history a new message is matched against."""

    __tablename__ = "suggestion_answers"
    __table_args__ = (
        UniqueConstraint("saved_reply_id", "message_id"),
        # A shop's history is read whole, newest first, and its newest id tells processes when it changed.
        Index("ix_suggestion_answers_shop", "shop_id", "id"),
        # Ids are never reused, even after the newest row is deleted: the newest id stamps the history.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    saved_reply_id: Mapped[int] = mapped_column(ForeignKey("saved_replies.id", ondelete="CASCADE"), index=True)
    #: The buyer message answered; None once it is deleted, when the text below still teaches.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"), index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    #: The buyer's text as received (at most MAX_TEXT characters): terms are built when read, so that a better
    #: term builder improves the old history too.
    buyer_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[object] = mapped_column(UTCDateTime())


class SuggestionFeedback(db.Model):
    """How often a saved reply was suggested for a message the seller then answered, and how often it was used."""

    __tablename__ = "suggestion_feedback"

    saved_reply_id: Mapped[int] = mapped_column(ForeignKey("saved_replies.id", ondelete="CASCADE"),
                                                primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    shown_count: Mapped[int] = mapped_column(default=0)
    taken_count: Mapped[int] = mapped_column(default=0)
