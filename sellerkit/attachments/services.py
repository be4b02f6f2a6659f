"""Attachment actions: store the files of a message within the shop's limits, and find one for a member."""
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from sellerkit.attachments import domain, storage
from sellerkit.attachments.models import Attachment
from sellerkit.errors import NotFound, ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.shops.models import Membership

#: A full disk or an unwritable folder: nothing the sender can fix, and nothing was kept.
STORAGE_UNAVAILABLE = _l("The files could not be saved on the server right now (its disk may be full). Nothing was "
                         "saved; try again later.")
ATTACHMENT_NOT_FOUND = _l("This attachment does not exist or belongs to a shop you are not a member of.")


def attachment_folder():
    configured = current_app.config.get("ATTACHMENTS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "attachments"


def shop_limits(shop):
    return domain.AttachmentLimits(max_file_bytes=shop.max_attachment_bytes,
                                   max_message_bytes=shop.max_message_attachment_bytes)


def _megabytes(size):
    return max(1, size // (1024 * 1024))


def attach_files(shop, message, files, now):
    """Store (filename, stream) pairs for a message; on any refusal nothing is kept, on disk or in the database.

    Each stream is read in chunks and abandoned as soon as it passes the shop's per-file limit, so an
    oversized upload is never held whole.
    """
    files = list(files)
    limits = shop_limits(shop)
    if len(files) > limits.max_files:
        raise ServiceError(_l("At most %(count)s files per message.", count=limits.max_files), field="attachments",
                           code="too_many_files")
    folder = attachment_folder()
    stored, rows = [], []
    try:
        for filename, stream in files:
            try:
                saved = storage.save_stream(stream, folder, filename or "", limits.max_file_bytes)
            except storage.TooLarge:
                raise ServiceError(_l("%(name)s is larger than %(size)s MB, the limit for one file.",
                                      name=domain.safe_display_name(filename or "", "text/plain"),
                                      size=_megabytes(limits.max_file_bytes)),
                                   field="attachments", status=413, code="file_too_large") from None
            except storage.NotAllowed:
                raise ServiceError(_l("%(name)s is not an allowed file type (images, PDF, text and office "
                                      "documents are).", name=domain.safe_display_name(filename or "", "text/plain")),
                                   field="attachments", status=415, code="file_type") from None
            except OSError as error:
                current_app.logger.error("Attachment not stored: %s", error)
                raise ServiceError(STORAGE_UNAVAILABLE, status=503, code="storage_unavailable") from None
            stored.append(saved)
            if sum(item.size for item in stored) > limits.max_message_bytes:
                raise ServiceError(_l("The files together are larger than %(size)s MB, the limit for one message.",
                                      size=_megabytes(limits.max_message_bytes)),
                                   field="attachments", status=413, code="message_too_large")
            rows.append(Attachment(shop_id=shop.id, message_id=message.id,
                                   filename=domain.safe_display_name(filename or "", saved.content_type),
                                   content_type=saved.content_type, size=saved.size, sha256=saved.sha256,
                                   storage_name=saved.storage_name, created_at=now))
    except ServiceError:
        for saved in stored:
            storage.delete_stored(folder, saved.storage_name)
        raise
    db.session.add_all(rows)
    return rows


def attachment_for(user, attachment_id):
    """An attachment of one of the user's shops; NotFound for anything else, exactly as for a missing one."""
    attachment = db.session.scalar(
        select(Attachment).join(Membership, Membership.shop_id == Attachment.shop_id)
        .where(Attachment.id == attachment_id, Membership.user_id == user.id)
    )
    if attachment is None:
        raise NotFound(ATTACHMENT_NOT_FOUND)
    return attachment


def open_attachment(attachment):
    return storage.open_stored(attachment_folder(), attachment.storage_name)
