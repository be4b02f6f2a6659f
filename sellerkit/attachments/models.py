"""The attachment table: what a stored file is, whose it is, and where it lies under a random name."""
from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db


class Attachment(db.Model):
    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_message", "message_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    #: The name shown to people, cleaned of path parts and invisible characters, with the sniffed extension.
    filename: Mapped[str] = mapped_column(String(200))
    #: Decided from the file's content, never from the name or what the sender claimed.
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    #: Random name of the file in the attachment folder (32 hex characters, no extension).
    storage_name: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime())


class RefusedFile(db.Model):
    """A file that came with a buyer's message and was not kept; the message was, and shows the file's name and
    why it was refused."""

    __tablename__ = "refused_files"
    __table_args__ = (
        CheckConstraint("reason IN ('file_type', 'file_too_large', 'message_too_large', 'too_many_files')",
                        name="reason"),
        Index("ix_refused_files_message", "message_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    #: The name as the sender gave it (attachments.domain.sent_name), which is what the seller may hear of.
    filename: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(20))
    #: The limit the file passed: bytes for file_too_large and message_too_large, files for too_many_files.
    allowance: Mapped[int | None]
    created_at: Mapped[object] = mapped_column(UTCDateTime())
