"""Pure attachment rules: which file types are allowed (decided from content), display names and size limits."""
import codecs
import re
import struct
import unicodedata
from dataclasses import dataclass
from types import MappingProxyType

_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."

#: Allowed content types and the one extension a stored file of that type is shown with.
ALLOWED_TYPES = MappingProxyType({
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "text/plain": "txt",
    _OOXML + "wordprocessingml.document": "docx",
    _OOXML + "spreadsheetml.sheet": "xlsx",
    _OOXML + "presentationml.presentation": "pptx",
    _ODF + "text": "odt",
    _ODF + "spreadsheet": "ods",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
})

#: Other spellings of a canonical extension, dropped from a name rather than kept in front of the canonical one.
_EXTENSION_ALIASES = {"image/jpeg": frozenset({"jpeg", "jpe", "jfif"})}

#: Raster images a browser renders without running anything; SVG is deliberately absent (it can carry script).
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})

SNIFF_BYTES = 4096

# Container formats say nothing about what is inside, so the extension has to agree before we name the type.
_ZIP_BY_EXTENSION = {ext: ct for ct, ext in ALLOWED_TYPES.items() if ct.startswith((_OOXML, _ODF))}
_OLE_BY_EXTENSION = {"doc": "application/msword", "xls": "application/vnd.ms-excel"}

# Markup a browser might render or run if it ever second-guessed text/plain.
_MARKUP_MARKERS = ("<script", "<html", "<svg", "<?xml", "<!doctype", "<?php", "<iframe", "<body", "<object", "<embed")
_TEXT_CONTROLS_ALLOWED = frozenset("\t\n\r\f")


def sniff_content_type(head: bytes, filename: str) -> str | None:
    """The allowed content type of a file whose first bytes are `head`, or None; the name only settles containers."""
    head = bytes(head[:SNIFF_BYTES])
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    extension = _extension(filename)
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(head, extension)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _OLE_BY_EXTENSION.get(extension)
    return "text/plain" if _looks_like_plain_text(head) else None


def _extension(filename):
    """Lower-case final extension of the last path part ("" if none); Windows ignores trailing dots and spaces."""
    base = re.split(r"[/\\]", str(filename or ""))[-1].rstrip(". \t")
    _, dot, extension = base.rpartition(".")
    return extension.lower() if dot else ""


def _sniff_zip(head, extension):
    content_type = _ZIP_BY_EXTENSION.get(extension)
    if content_type is None:
        return None  # any other archive (zip, jar, apk, docm renamed to zip...) is refused
    if content_type.startswith(_OOXML):
        return content_type if b"[Content_Types].xml" in head else None
    return content_type if _odf_mimetype(head) == content_type.encode("ascii") else None


def _odf_mimetype(head):
    """ODF requires an uncompressed first entry named "mimetype"; read its content from the local file header."""
    if len(head) < 30:
        return None
    method, size, name_length, extra_length = struct.unpack("<8xH8xI4xHH", head[:30])
    start = 30 + name_length + extra_length
    if method != 0 or head[30:30 + name_length] != b"mimetype" or start + size > len(head):
        return None
    return head[start:start + size]


def _looks_like_plain_text(head):
    if not head or b"\x00" in head:
        return False
    try:
        # final=False keeps a multi-byte character cut by the 4096-byte boundary from counting as invalid.
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    if not text:
        return False
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROLS_ALLOWED)
    if controls * 100 > len(text):  # more than 1 % control characters: binary, not prose
        return False
    if re.sub(r"^[\s\ufeff]+", "", text).startswith("<"):
        return False
    lowered = text.lower()
    return not any(marker in lowered for marker in _MARKUP_MARKERS)


def is_inline_safe(content_type: str | None) -> bool:
    """Whether a file of this (sniffed) type may be shown inline; everything else is served as a download."""
    return isinstance(content_type, str) and content_type in INLINE_TYPES


MAX_DISPLAY_NAME = 120
ZWNJ = "\u200c"
ELLIPSIS = "\u2026"
_HEADER_UNSAFE = str.maketrans({ch: "_" for ch in '"<>:|?*'})  # quote breaks headers; the rest Windows refuses
# Letters that render as nothing, used to hide parts of a name (Hangul fillers, Khmer inherent vowels, CGJ).
_INVISIBLE_LETTERS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")


def safe_display_name(name: str, content_type: str) -> str:
    """A name to show and to send in Content-Disposition (as filename*), ending in the sniffed type's extension."""
    extension = ALLOWED_TYPES.get(content_type)
    if extension is None:
        raise ValueError(f"not an allowed content type: {content_type!r}")
    stem = _without_extension(_visible_name(name), content_type)
    stem = stem[:MAX_DISPLAY_NAME - len(extension) - 1].rstrip(". " + ZWNJ)
    return f"{stem or 'attachment'}.{extension}"


def sent_name(name: str) -> str:
    """The name of a file as its sender gave it, safe to show: no path, no invisible characters, its own extension
    (for a file that was refused, whose type is not known to be any allowed one)."""
    text = _visible_name(name)
    if len(text) > MAX_DISPLAY_NAME:
        _stem, dot, extension = text.rpartition(".")
        tail = dot + extension if dot and len(extension) <= 10 else ""  # the part that says what the file is
        text = text[:MAX_DISPLAY_NAME - 1 - len(tail)].rstrip(". " + ZWNJ) + ELLIPSIS + tail
    return text or "attachment"


def _visible_name(name):
    text = re.split(r"[/\\]", str(name or ""))[-1]  # a name, never a path, whichever OS sent it
    # Normalise after dropping invisibles: "A" + control + U+0300 only composes to "À" once the control is gone.
    text = unicodedata.normalize("NFC", _without_invisibles(text)).translate(_HEADER_UNSAFE)
    return " ".join(text.split()).strip(". ")


def _without_invisibles(text):
    """Turn whitespace into spaces, drop controls, format and bidi characters; keep ZWNJ inside Persian words."""
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch.isspace():
            kept.append(" ")
        elif ch == ZWNJ:
            kept.append(ch)  # decided below, once its neighbours are known
        elif category in ("Cc", "Cf", "Cs") or ch in _INVISIBLE_LETTERS:
            continue  # Cf holds U+200B-U+200F, U+202A-U+202E, U+2066-U+2069, U+FEFF, U+00AD, U+061C...
        else:
            kept.append(ch)
    out = []
    for i, ch in enumerate(kept):
        # Compare with the last kept character so a run of ZWNJs between two letters collapses to one.
        if ch == ZWNJ and not (out and _is_arabic_letter(out[-1])
                               and i + 1 < len(kept) and _is_arabic_letter(kept[i + 1])):
            continue
        out.append(ch)
    return "".join(out)


def _is_arabic_letter(ch):
    """Arabic-script letter or mark (Persian ی, گ, پ... are "ARABIC LETTER ..." in Unicode)."""
    return unicodedata.category(ch)[0] in "LM" and unicodedata.name(ch, "").startswith("ARABIC ")


def _without_extension(text, content_type):
    """Drop the sender's own extension (it may lie: "invoice.pdf.exe") and any spelling of the canonical one."""
    canonical = {ALLOWED_TYPES[content_type]} | _EXTENSION_ALIASES.get(content_type, frozenset())
    stem, dot, suffix = text.rpartition(".")
    if dot and stem and suffix.lower() not in canonical and _looks_like_extension(suffix):
        text = stem.rstrip(". ")
    while True:  # "photo.jpg.jpeg" -> "photo": the result reads "photo.jpg", and cleaning it again changes nothing
        stem, dot, suffix = text.rpartition(".")
        if not (dot and stem and suffix.lower() in canonical):
            return text
        text = stem.rstrip(". ")


def _looks_like_extension(suffix):
    """Up to 5 ASCII letters/digits, not all digits: "exe", "jpeg", "mp4" are; "2024" and " Smith" are not."""
    return len(suffix) <= 5 and suffix.isascii() and suffix.isalnum() and not suffix.isdigit()


@dataclass(frozen=True)
class AttachmentLimits:
    max_file_bytes: int = 10 * 1024 * 1024
    max_message_bytes: int = 50 * 1024 * 1024
    max_files: int = 10


def limits_problem(sizes: list[int], limits: AttachmentLimits) -> str | None:
    """The first limit a message's attachments break ("too_many", "file_too_large", "message_too_large"), or None."""
    sizes = list(sizes)
    if any(size < 0 for size in sizes):
        raise ValueError("attachment sizes cannot be negative")
    if len(sizes) > limits.max_files:
        return "too_many"
    if any(size > limits.max_file_bytes for size in sizes):
        return "file_too_large"
    if sum(sizes) > limits.max_message_bytes:
        return "message_too_large"
    return None
