"""Conversation tables: buyers, orders, threads with labels, messages, and the append-only thread history."""
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db


class Buyer(db.Model):
    __tablename__ = "buyers"
    __table_args__ = (
        UniqueConstraint("shop_id", "platform_buyer_id"),
        Index("ix_buyers_shop_email", "shop_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    #: The buyer's id on the marketplace; None for buyers known only by e-mail.
    platform_buyer_id: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str | None] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    #: Marketing consent: when it was given, how (order checkbox, message, import), and when withdrawn.
    consent_given_at: Mapped[object | None] = mapped_column(UTCDateTime())
    consent_source: Mapped[str | None] = mapped_column(String(40))
    consent_withdrawn_at: Mapped[object | None] = mapped_column(UTCDateTime())
    created_at: Mapped[object] = mapped_column(UTCDateTime())


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("shop_id", "platform_order_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"), index=True)
    platform_order_ref: Mapped[str] = mapped_column(String(200))
    placed_at: Mapped[object | None] = mapped_column(UTCDateTime())
    shipped_at: Mapped[object | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[object | None] = mapped_column(UTCDateTime())
    tracking_number: Mapped[str | None] = mapped_column(String(100))
    tracking_url: Mapped[str | None] = mapped_column(String(500))
    total: Mapped[object | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    items_summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[object] = mapped_column(UTCDateTime())


_NEEDS_REPLY = "waiting_since IS NOT NULL AND status != 'resolved'"
_TO_SEND = "unsent_reply_at IS NOT NULL"
_AUTOMATIC = "is_automatic"


def on_thread():
    """The key of a thread's messages and events: (thread_id, shop_id) is a thread of that very shop.

    Their shop_id, copied from the thread so that every query is scoped cheaply, can then never name another
    shop, and the shop is known to exist through the thread. One check per row where a key on each column took
    two: PostgreSQL checks a key row by row, and a bulk import writes hundreds of thousands of these rows
    (medians of six imports of one shop of the benchmark's data: 8,390 messages a second with two keys, 10,650
    with this one).
    """
    return ForeignKeyConstraint(["thread_id", "shop_id"], ["threads.id", "threads.shop_id"], ondelete="CASCADE")


class Thread(db.Model):
    __tablename__ = "threads"
    __table_args__ = (
        UniqueConstraint("shop_id", "external_id"),
        CheckConstraint("status IN ('open', 'awaiting_buyer', 'resolved')", name="status"),
        # One index per inbox view's sort order, each led by the shop so every list is scoped and ordered.
        Index("ix_threads_shop_waiting", "shop_id", "waiting_since", "id"),
        # "Needs reply" across all of a user's shops: read in deadline order and stopped after one page, where the
        # per-shop index would have every waiting thread of every shop sorted first.
        Index("ix_threads_needs_reply", "waiting_since", "id", sqlite_where=text(_NEEDS_REPLY),
              postgresql_where=text(_NEEDS_REPLY)),
        Index("ix_threads_shop_last_message", "shop_id", "last_message_at", "id"),
        # "To send" and "Automatic": partial, so each holds only its few threads and reads them in the view's order.
        Index("ix_threads_to_send", "shop_id", "unsent_reply_at", "id", sqlite_where=text(_TO_SEND),
              postgresql_where=text(_TO_SEND)),
        Index("ix_threads_automatic", "shop_id", "last_message_at", "id", sqlite_where=text(_AUTOMATIC),
              postgresql_where=text(_AUTOMATIC)),
        # Every other view across several shops: newest first, one page read and no sort of the whole inbox.
        Index("ix_threads_last_message", "last_message_at", "id"),
        Index("ix_threads_shop_buyer_order", "shop_id", "buyer_id", "order_id"),
        Index("ix_threads_assignee", "assignee_id", "last_message_at"),
        # What the messages and events of a thread refer to (on_thread): a thread together with its shop.
        Index("uq_threads_id_shop_id", "id", "shop_id", unique=True),
        # A deleted channel lets go of its threads (ON DELETE SET NULL) without reading them all.
        Index("ix_threads_channel", "channel_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    #: The marketplace's own id for the conversation, when it has one.
    external_id: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    is_dispute: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(16))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The channel the conversation came through, whose replies leave through it; None for other sources.
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id", ondelete="SET NULL"))
    #: When the oldest buyer message still without an answer arrived; None when nothing waits.
    waiting_since: Mapped[object | None] = mapped_column(UTCDateTime())
    #: When the oldest reply still to be sent by hand was written; None when every reply reached the buyer's side.
    unsent_reply_at: Mapped[object | None] = mapped_column(UTCDateTime())
    #: Only machines wrote in this conversation (out-of-office, bounces, notices): nobody waits for an answer.
    is_automatic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    last_message_at: Mapped[object] = mapped_column(UTCDateTime())
    created_at: Mapped[object] = mapped_column(UTCDateTime())

    buyer = relationship("Buyer", lazy="joined", innerjoin=True)
    order = relationship("Order")
    assignee = relationship("User")
    labels = relationship("ThreadLabel", cascade="all, delete-orphan", order_by="ThreadLabel.label")
    #: The response clock still running, if any (at most one: a partial unique index); read with the thread.
    open_clock = relationship("ResponseClock", viewonly=True, uselist=False,
                              primaryjoin="and_(Thread.id == foreign(ResponseClock.thread_id), "
                                          "ResponseClock.status == 'open')")


class ThreadLabel(db.Model):
    __tablename__ = "thread_labels"
    __table_args__ = (Index("ix_thread_labels_shop_label", "shop_id", "label", "thread_id"),)

    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True)
    label: Mapped[str] = mapped_column(String(40), primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("shop_id", "external_id"),
        CheckConstraint("direction IN ('in', 'out', 'internal')", name="direction"),
        CheckConstraint("kind IN ('buyer', 'reply', 'auto_reply', 'follow_up', 'note')", name="kind"),
        Index("ix_messages_thread_posted", "thread_id", "posted_at", "id"),
        on_thread(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Copied from the thread, so that (shop, external id) can be unique and every query scoped cheaply.
    shop_id: Mapped[int]
    thread_id: Mapped[int]
    direction: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    #: The platform's id for the message: delivering the same id again stores nothing new.
    external_id: Mapped[str | None] = mapped_column(String(200))
    #: sha256 of the body, to report a redelivery whose text differs from the stored one.
    body_sha256: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))
    #: When the buyer sent it (inbound) or the seller wrote it (outbound and notes).
    posted_at: Mapped[object] = mapped_column(UTCDateTime())
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    #: A buyer message the seller marked as a complaint: no marketing follow-up goes to a buyer whose last one is.
    is_complaint: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[object] = mapped_column(UTCDateTime())

    author = relationship("User")
    attachments = relationship("Attachment", order_by="Attachment.id", viewonly=True)
    refused_files = relationship("RefusedFile", order_by="RefusedFile.id", viewonly=True)


class ThreadEvent(db.Model):
    """One change to a thread. Rows are only ever added: this is the thread's history."""

    __tablename__ = "thread_events"
    __table_args__ = (Index("ix_thread_events_thread", "thread_id", "id"), on_thread())

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int]
    thread_id: Mapped[int]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[object] = mapped_column(UTCDateTime())

    actor = relationship("User")
