"""The outbox table: one row per outgoing message, with its delivery state, claim and last error."""
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db

#: Exactly one of the three says what the item sends.
ONE_SUBJECT = ("(message_id IS NOT NULL AND ticket_event_id IS NULL AND subject_id IS NULL)"
               " OR (message_id IS NULL AND ticket_event_id IS NOT NULL AND subject_id IS NULL)"
               " OR (message_id IS NULL AND ticket_event_id IS NULL AND subject_id IS NOT NULL)")


class OutboxItem(db.Model):
    __tablename__ = "outbox_items"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
        CheckConstraint("transport IN ('manual', 'email', 'webhook', 'channel')", name="transport"),
        CheckConstraint(ONE_SUBJECT, name="one_subject"),
        # The sweep looks for due pending rows and for claims that were never confirmed.
        Index("ix_outbox_items_status_due", "status", "due_at"),
        Index("ix_outbox_items_shop_status", "shop_id", "status", "id"),
        # The inbox's "not delivered" list: only rows that met an error, however many replies wait to be copied.
        Index("ix_outbox_items_shop_errors", "shop_id", "id", sqlite_where=text("last_error IS NOT NULL"),
              postgresql_where=text("last_error IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None for mail of sellerkit's own to a user (a password reset).
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    #: Which registered builder turns the item into a delivery (outbox.registry); the outbox knows none by name.
    kind: Mapped[str] = mapped_column(String(20))
    #: A message to a buyer, a ticket event mailed to support, or (subject_id) a row the kind's builder reads.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    ticket_event_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_events.id", ondelete="CASCADE"),
                                                        unique=True)
    subject_id: Mapped[int | None] = mapped_column()
    transport: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    #: When the scheduler should try next; None for manual items, which wait for the seller.
    due_at: Mapped[object | None] = mapped_column(UTCDateTime())
    #: The end of the lease of the sweep that claimed the row: renewed while it sends, taken back once it has passed.
    claimed_until: Mapped[object | None] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[object | None] = mapped_column(UTCDateTime())
    created_at: Mapped[object] = mapped_column(UTCDateTime())

    message = relationship("Message")
