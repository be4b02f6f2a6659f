"""Attachment files on disk: streamed in under a size limit, typed by content, kept under random names."""
import hashlib
import os
import pathlib
import re
import secrets
import tempfile
from dataclasses import dataclass
from typing import BinaryIO

from sellerkit.attachments.domain import SNIFF_BYTES, sniff_content_type

CHUNK_BYTES = 64 * 1024
# Exactly what secrets.token_hex(16) makes: no dots, no slashes, so a stored name can never leave the folder.
_STORAGE_NAME = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class StoredFile:
    storage_name: str
    size: int
    sha256: str
    content_type: str


class TooLarge(Exception):
    """The stream had more bytes than allowed; `limit` is that allowance, for the message shown to the sender."""

    def __init__(self, limit):
        super().__init__(f"attachment is larger than {limit} bytes")
        self.limit = limit


class NotAllowed(Exception):
    """The content is not one of the allowed types, whatever the name or the sender claimed."""


def save_stream(stream: BinaryIO, folder: pathlib.Path, filename: str, max_bytes: int) -> StoredFile:
    """Copy a binary stream into `folder` under a random name; `filename` only helps tell office formats apart."""
    if max_bytes < 0:
        raise ValueError("max_bytes cannot be negative")  # read() with a negative size would read everything
    folder = pathlib.Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    # The temporary file lives in the same folder so the final rename is atomic, and its name
    # (".upload-....part") can never pass for a storage name while it is still being written.
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o600)  # mkstemp already does this, minus the umask; say it outright
            size, digest, head = _copy(stream, out, max_bytes)
            out.flush()
            os.fsync(out.fileno())  # the database row will point here; make sure the bytes exist first
        content_type = sniff_content_type(head, filename)
        if content_type is None:
            raise NotAllowed(f"content of {filename!r} is not an allowed type")
        storage_name = secrets.token_hex(16)  # 128 random bits: a clash is not a real possibility
        os.replace(temporary, folder / storage_name)
    except BaseException:
        # Too large, not allowed, disk full or interrupted: never leave a partial file behind.
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    return StoredFile(storage_name=storage_name, size=size, sha256=digest, content_type=content_type)


def _copy(stream, out, max_bytes):
    """Copy in chunks, never reading more than one byte past the limit; returns (size, sha256 hex, first bytes)."""
    size = 0
    digest = hashlib.sha256()
    head = bytearray()
    while True:
        chunk = stream.read(min(CHUNK_BYTES, max_bytes + 1 - size))
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(max_bytes)
        if len(head) < SNIFF_BYTES:
            head += chunk[:SNIFF_BYTES - len(head)]
        digest.update(chunk)
        out.write(chunk)
    return size, digest.hexdigest(), bytes(head)


def _path(folder, storage_name):
    if not isinstance(storage_name, str) or not _STORAGE_NAME.fullmatch(storage_name):
        raise ValueError("not a storage name")
    return pathlib.Path(folder) / storage_name


def open_stored(folder: pathlib.Path, storage_name: str) -> BinaryIO:
    """Open a stored file for reading; anything but a 32-hex-character name is refused before touching the disk."""
    path = _path(folder, storage_name)
    # O_NOFOLLOW: a symlink planted in the folder must not lead out of it.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    return os.fdopen(fd, "rb")


def delete_stored(folder: pathlib.Path, storage_name: str) -> None:
    """Remove a stored file; one that is already gone is fine (a retried delete, say)."""
    _path(folder, storage_name).unlink(missing_ok=True)
