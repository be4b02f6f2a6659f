"""Attachment actions: store a message's files within the shop's limits, list a buyer's refused ones, find one."""
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from sellerkit.attachments import domain, labels, storage
from sellerkit.attachments.models import Attachment, RefusedFile
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


def attach_files(shop, message, files, now, *, keep_what_fits=False):
    """Store (filename, stream) pairs for a message within the shop's limits; returns (attachments, refused files).

    A seller's reply is all or nothing: any refusal raises, and nothing is kept, on disk or in the database. A
    buyer's message (`keep_what_fits`) keeps every file that passes and lists each other one as a RefusedFile with
    its reason: the buyer's words never depend on their files. Each stream is read in chunks and abandoned as soon
    as it passes the per-file limit, so an oversized upload is never held whole. A disk that cannot take the files
    raises a 503 ServiceError, with nothing kept.
    """
    files = list(files)
    limits = shop_limits(shop)
    if len(files) > limits.max_files and not keep_what_fits:
        raise ServiceError(_l("At most %(count)s files per message.", count=limits.max_files), field="attachments",
                           code="too_many_files")
    folder = attachment_folder()
    stored, rows, refused = [], [], []
    try:
        for filename, stream in files:
            name = domain.sent_name(filename or "")
            saved, reason, allowance = _store(folder, filename or "", stream, limits, stored)
            if reason is None:
                stored.append(saved)
                rows.append(Attachment(shop_id=shop.id, message_id=message.id,
                                       filename=domain.safe_display_name(filename or "", saved.content_type),
                                       content_type=saved.content_type, size=saved.size, sha256=saved.sha256,
                                       storage_name=saved.storage_name, created_at=now))
            elif keep_what_fits:
                refused.append(RefusedFile(shop_id=shop.id, message_id=message.id, filename=name, reason=reason,
                                           allowance=allowance, created_at=now))
            else:
                raise ServiceError(labels.refusal_text(reason, name, allowance), field="attachments",
                                   status=415 if reason == "file_type" else 413, code=reason)
    except ServiceError:
        for saved in stored:
            storage.delete_stored(folder, saved.storage_name)
        raise
    db.session.add_all(rows + refused)
    return rows, refused


def _store(folder, filename, stream, limits, stored):
    """Save one file next to the `stored` ones: (StoredFile, None, None), or (None, reason, allowance) when it is
    refused, leaving nothing of it on disk."""
    if len(stored) >= limits.max_files:
        return None, "too_many_files", limits.max_files
    try:
        saved = storage.save_stream(stream, folder, filename, limits.max_file_bytes)
    except storage.TooLarge:
        return None, "file_too_large", limits.max_file_bytes
    except storage.NotAllowed:
        return None, "file_type", None
    except OSError as error:
        current_app.logger.error("Attachment not stored: %s", error)
        raise ServiceError(STORAGE_UNAVAILABLE, status=503, code="storage_unavailable") from None
    if sum(item.size for item in stored) + saved.size > limits.max_message_bytes:
        storage.delete_stored(folder, saved.storage_name)
        return None, "message_too_large", limits.max_message_bytes
    return saved, None, None


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


def attachment_contents(files):
    """(filename, content type, bytes) of each stored file, as an outbox Delivery carries them."""
    for stored in files:
        with open_attachment(stored) as handle:
            yield stored.filename, stored.content_type, handle.read()
