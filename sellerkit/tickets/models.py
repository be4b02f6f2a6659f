"""Support ticket tables: the ticket, its append-only history, the thread files it carries, and dispute rules."""
from sqlalchemy import (
    JSON,
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
from sellerkit.tickets.domain import ticket_number

#: Lifecycles in which a ticket is still open; a draft (not filed yet) is open too.
OPEN_SQL = "lifecycle IN ('draft', 'new', 'in_review', 'awaiting_details', 'answered')"


class Ticket(db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint("lifecycle IN ('draft', 'new', 'in_review', 'awaiting_details', 'answered', 'resolved', "
                        "'closed', 'cancelled')", name="lifecycle"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
        # One open ticket per problem: the same conversation and topic, even with two sellers clicking at once.
        Index("uq_tickets_open_problem", "thread_id", "topic_key", unique=True,
              sqlite_where=text(OPEN_SQL), postgresql_where=text(OPEN_SQL)),
        Index("ix_tickets_shop_created", "shop_id", "created_at", "id"),
        Index("ix_tickets_shop_lifecycle", "shop_id", "lifecycle", "id"),
        Index("ix_tickets_shop_topic_filed", "shop_id", "topic_key", "filed_at"),
        Index("ix_tickets_auto_close", "lifecycle", "lifecycle_changed_at"),
        Index("ix_tickets_buyer", "buyer_id", "lifecycle"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="SET NULL"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id", ondelete="SET NULL"))
    platform: Mapped[str] = mapped_column(String(20))
    category_key: Mapped[str] = mapped_column(String(60))
    topic_key: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    #: The conversation as it stood when the pack was built, for support to read.
    transcript: Mapped[str] = mapped_column(Text, default="")
    #: {section: version number} of the policies in force when the order was placed.
    policy_versions: Mapped[dict] = mapped_column(JSON, default=dict)
    lifecycle: Mapped[str] = mapped_column(String(20), default="draft")
    lifecycle_changed_at: Mapped[object] = mapped_column(UTCDateTime())
    #: "email" (sent to the platform's support address through the outbox) or "manual" (filed on the platform).
    channel: Mapped[str | None] = mapped_column(String(10))
    #: The platform's own ticket number, recorded by the seller after filing by hand.
    platform_ref: Mapped[str | None] = mapped_column(String(100))
    filed_at: Mapped[object | None] = mapped_column(UTCDateTime())
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    #: Why the ticket ended: rated, cancelled, auto_closed, or closed by support.
    closed_reason: Mapped[str | None] = mapped_column(String(30))
    #: Created by the automatic escalation rule rather than by hand.
    is_automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[object] = mapped_column(UTCDateTime())
    updated_at: Mapped[object] = mapped_column(UTCDateTime())

    thread = relationship("Thread")
    order = relationship("Order")
    files = relationship("TicketFile", cascade="all, delete-orphan", order_by="TicketFile.attachment_id")

    @property
    def number(self):
        """The ticket's own number in sellerkit, unique across every shop."""
        return ticket_number(self.id)


class TicketEvent(db.Model):
    """One thing that happened to a ticket; rows are only ever added."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    #: created, filed, support_reply, details_added, status_changed, rated, cancelled, auto_closed
    kind: Mapped[str] = mapped_column(String(30))
    from_lifecycle: Mapped[str | None] = mapped_column(String(20))
    to_lifecycle: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text, default="")
    #: How a support reply reached us: typed, email or api.
    source: Mapped[str | None] = mapped_column(String(10))
    #: The Message-ID of a mail sent or received, to thread support's replies back to the ticket.
    mail_id: Mapped[str | None] = mapped_column(String(250), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[object] = mapped_column(UTCDateTime())

    actor = relationship("User")


class TicketFile(db.Model):
    """A file of the conversation offered to support; the seller drops files to stay within the platform's limits."""

    __tablename__ = "ticket_files"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"), primary_key=True)
    included: Mapped[bool] = mapped_column(Boolean, default=True)

    attachment = relationship("Attachment", lazy="joined")


class DisputeRule(db.Model):
    """A shop's rule that marks a thread as a dispute: a phrase in a language, or a breached clock on an order."""

    __tablename__ = "dispute_rules"
    __table_args__ = (
        CheckConstraint("kind IN ('keyword', 'breach')", name="kind"),
        UniqueConstraint("shop_id", "kind", "language", "keyword"),
        Index("ix_dispute_rules_shop", "shop_id", "enabled"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    #: The buyer language the keyword is for ("" for the breach rule).
    language: Mapped[str] = mapped_column(String(16), default="")
    #: The phrase (see tickets/dispute_phrases.toml for its wildcards); a default phrase stored here is the shop's
    #: switch for that default.
    keyword: Mapped[str] = mapped_column(String(80), default="")
    #: The problem (tickets.domain.PROBLEMS) the shop's own phrase names, which picks the suggested ticket topic.
    problem: Mapped[str | None] = mapped_column(String(30))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime())
