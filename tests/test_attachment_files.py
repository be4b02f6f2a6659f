"""Attachment file handling: type sniffing from real bytes, display names, limits and on-disk storage."""
import dataclasses
import hashlib
import io
import stat
import struct
import unicodedata
import zipfile
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sellerkit.attachments.domain import (
    ALLOWED_TYPES,
    AttachmentLimits,
    is_inline_safe,
    limits_problem,
    safe_display_name,
    sniff_content_type,
)
from sellerkit.attachments.storage import (
    NotAllowed,
    StoredFile,
    TooLarge,
    delete_stored,
    open_stored,
    save_stream,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def png_bytes():
    """A valid 1x1 red PNG: signature, IHDR, IDAT (zlib scanline), IEND, each chunk with its CRC."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\xff\xdb\x00\x43\x00" + bytes(64)
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00"
       b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
WEBP = b"RIFF" + struct.pack("<I", 30) + b"WEBPVP8 " + bytes(18)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
PHP = b"<?php system($_GET['c']); ?>\n"
PERSIAN = "سلام، کالایی که فرستادید شکسته رسید. می‌خواهم پول را برگردانید.".encode()
BENGALI = "আমার অর্ডার ভাঙা অবস্থায় এসেছে, দয়া করে টাকা ফেরত দিন।".encode()
CHINESE = "您好，我收到的商品是坏的，请退款。谢谢！".encode()


def office_zip(entries, mimetype=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if mimetype is not None:  # ODF: first entry, stored uncompressed
            archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX_BYTES = office_zip([("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>")])
XLSX_BYTES = office_zip([("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook/>")])
PLAIN_ZIP = office_zip([("notes.txt", "hello")])
ODT_BYTES = office_zip([("content.xml", "<office:document-content/>")], mimetype=ODT)
ODS_BYTES = office_zip([("content.xml", "<office:document-content/>")], mimetype=ODS)


@pytest.mark.parametrize("data, filename, expected", [
    (png_bytes(), "photo.png", "image/png"), (png_bytes(), "photo.exe", "image/png"),  # names never decide images
    (JPEG, "broken.jpg", "image/jpeg"), (GIF, "x.gif", "image/gif"), (WEBP, "x.webp", "image/webp"),
    (PDF, "receipt.pdf", "application/pdf"), (PDF, "receipt.pdf.exe", "application/pdf"),
    (DOCX_BYTES, "letter.docx", DOCX), (DOCX_BYTES, "C:\\Users\\me\\letter.DOCX", DOCX),
    (XLSX_BYTES, "sheet.xlsx", XLSX), (ODT_BYTES, "letter.odt", ODT), (ODS_BYTES, "sheet.ods", ODS),
    (OLE2, "old.doc", "application/msword"), (OLE2, "old.xls", "application/vnd.ms-excel"),
    (PERSIAN, "پیام.txt", "text/plain"), (BENGALI, "message.txt", "text/plain"), (CHINESE, "消息", "text/plain"),
    (b"\xef\xbb\xbfOrder 1234 arrived broken.\r\n", "note.txt", "text/plain"),
])
def test_sniffs_allowed_types_from_content(data, filename, expected):
    assert sniff_content_type(data[:4096], filename) == expected


@pytest.mark.parametrize("data, filename", [
    (SVG, "drawing.svg"), (SVG, "drawing.png"), (HTML, "image.jpg"),
    (b"\xef\xbb\xbf  \n" + HTML, "image.jpg"),  # BOM and whitespace before the markup
    (b"Looks harmless\n<SCRIPT>alert(1)</SCRIPT>", "note.txt"),
    (b"text first <svg onload=alert(1)>", "note.txt"),
    (PHP, "shell.pht"), (PHP, "shell.php"),
    (b"#!/usr/bin/php\n<?php echo 1; ?>", "shell.txt"),
    (DOCX_BYTES, "letter.zip"),  # a real docx, but the name does not agree
    (DOCX_BYTES, "letter.odt"),
    (PLAIN_ZIP, "letter.docx"),  # a zip without [Content_Types].xml
    (ODT_BYTES, "letter.ods"),  # the mimetype entry says text, the name says spreadsheet
    (office_zip([("content.xml", "x")], mimetype=ODT + "-template"), "letter.odt"),
    (OLE2, "setup.msi"), (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "invoice.pdf"),
    (b"\x7fELF\x02\x01\x01\x00" + bytes(8), "photo.jpg"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "song.webp"),
    (b"", "empty.txt"), (b"caf\xe9 latin-1, not UTF-8", "note.txt"),
    (b"abc\x00def", "note.txt"),
    (b"\x01\x02\x03\x04 mostly control bytes \x05\x06", "note.txt"),
])
def test_refuses_everything_else(data, filename):
    assert sniff_content_type(data, filename) is None


def test_text_is_judged_on_the_first_4096_bytes():
    data = b"a" * 4095 + "€".encode()  # the euro sign's 3 bytes straddle byte 4096
    assert sniff_content_type(data[:4096], "n.txt") == "text/plain"
    assert sniff_content_type(b"a\xe2\x82" + b"b", "n.txt") is None  # cut in the middle is invalid
    assert sniff_content_type(b"x" * 5000 + b"<script>", "n.txt") == "text/plain"  # past the head: unseen


# Arbitrary bytes, and arbitrary bytes behind the container magics so the ZIP/OLE parsing is exercised too.
MAGICS = st.sampled_from([b"", b"PK\x03\x04", b"PK\x03\x04" + bytes(26) + b"mimetype", OLE2[:8]])


@given(MAGICS, st.binary(max_size=5000), st.one_of(st.text(max_size=40), st.sampled_from(["a.odt", "a.docx"])))
def test_sniffing_never_raises(magic, data, filename):
    assert sniff_content_type(magic + data, filename) in set(ALLOWED_TYPES) | {None}


@pytest.mark.parametrize("content_type, inline", [
    ("image/jpeg", True), ("image/png", True), ("image/gif", True), ("image/webp", True), ("image/svg+xml", False),
    ("text/html", False), ("application/pdf", False), ("text/plain", False),
    (DOCX, False), ("IMAGE/PNG", False), ("image/png; charset=utf-8", False), (None, False), ("", False),
])
def test_only_raster_images_are_inline(content_type, inline):
    assert is_inline_safe(content_type) is inline


@pytest.mark.parametrize("name, content_type, expected", [
    ("photo.jpg", "image/jpeg", "photo.jpg"), ("Photo.JPEG", "image/jpeg", "Photo.jpg"),
    ("scan.png", "image/jpeg", "scan.jpg"),  # the sender's extension was wrong; the content decides
    ("invoice.pdf.exe", "application/pdf", "invoice.pdf"),
    ("shell.pht", "text/plain", "shell.txt"), ("Mr. Smith", "application/pdf", "Mr. Smith.pdf"),
    ("report.2024", "application/pdf", "report.2024.pdf"),  # digits only: not an extension
    ("pho\u200bto\ufeff\u00ad.png", "image/png", "photo.png"),
    ("photo\u202egpj.exe", "image/jpeg", "photogpj.jpg"),  # displayed as "photoexe.jpg" before cleaning
    ("\u2067receipt\u2069\u200e.pdf", "application/pdf", "receipt.pdf"),
    ("../../etc/passwd", "text/plain", "passwd.txt"),
    ("C:\\Users\\Buyer\\Desktop\\receipt.pdf", "application/pdf", "receipt.pdf"),
    ("..\\..\\windows\\win.ini", "text/plain", "win.txt"),
    (".htaccess", "text/plain", "htaccess.txt"), (" . .bashrc", "text/plain", "bashrc.txt"),
    ("my   broken\t\nitem .png", "image/png", "my broken item.png"),
    ("a\r\nContent-Type: text.pdf", "application/pdf", "a Content-Type_ text.pdf"),  # no header injection
    ('say "hi" <b>.txt', "text/plain", "say _hi_ _b_.txt"),
    ("", "application/pdf", "attachment.pdf"), ("\u200b\u202e...", "image/gif", "attachment.gif"),
    ("folder/", "image/png", "attachment.png"),
    ("e\u0301te\u0301.png", "image/png", "\u00e9t\u00e9.png"),  # NFC: decomposed accents are composed
    ("رسید خرید.pdf", "application/pdf", "رسید خرید.pdf"), ("রসিদ ও ছবি.jpg", "image/jpeg", "রসিদ ও ছবি.jpg"),
    ("收据照片.png", "image/png", "收据照片.png"), ("квитанция.pdf", "application/pdf", "квитанция.pdf"),
    ("می\u200cخواهم.txt", "text/plain", "می\u200cخواهم.txt"),  # Persian ZWNJ belongs to the word
    ("می\u200c\u200cخواهم.txt", "text/plain", "می\u200cخواهم.txt"),  # a run collapses to one
    ("abc\u200cdef.txt", "text/plain", "abcdef.txt"),  # between Latin letters it is just hidden
    ("\u200cسلام\u200c.txt", "text/plain", "سلام.txt"),  # at the edges it joins nothing
])
def test_display_names(name, content_type, expected):
    assert safe_display_name(name, content_type) == expected


def test_long_names_are_cut_keeping_the_extension():
    assert safe_display_name("a" * 500 + ".pdf", "application/pdf") == "a" * 116 + ".pdf"
    persian = safe_display_name("عکس کالای شکسته " * 30 + ".jpeg", "image/jpeg")
    assert len(persian) <= 120 and persian.endswith(".jpg") and " .jpg" not in persian
    with pytest.raises(ValueError):  # only sniffed, allowed types have a display name
        safe_display_name("x.svg", "image/svg+xml")


@given(st.text(), st.sampled_from(sorted(ALLOWED_TYPES)))
def test_display_name_properties(name, content_type):
    result = safe_display_name(name, content_type)
    assert "/" not in result and "\\" not in result
    assert not result.startswith((".", " "))
    assert len(result) <= 120
    assert result.endswith("." + ALLOWED_TYPES[content_type])
    assert result == unicodedata.normalize("NFC", result)
    for i, ch in enumerate(result):
        assert unicodedata.category(ch) not in ("Cc", "Cs") and ch not in BIDI
        assert unicodedata.category(ch) != "Cf" or ch == "\u200c"
        if ch == "\u200c":  # kept only inside an Arabic-script (Persian) word
            assert all("ARABIC" in unicodedata.name(c, "") for c in (result[i - 1], result[i + 1]))
        assert not ch.isspace() or ch == " "
    assert safe_display_name(result, content_type) == result  # cleaning a clean name changes nothing


LIMITS = AttachmentLimits()


@pytest.mark.parametrize("sizes, problem", [
    ([], None), ([10 * 1024 * 1024] * 5, None), ([1] * 11, "too_many"),
    ([10 * 1024 * 1024 + 1], "file_too_large"), ([10 * 1024 * 1024] * 5 + [1], "message_too_large"),
])
def test_limits(sizes, problem):
    assert limits_problem(sizes, LIMITS) == problem
    assert limits_problem([5, 5], AttachmentLimits(max_file_bytes=4)) == "file_too_large"
    with pytest.raises(dataclasses.FrozenInstanceError):
        LIMITS.max_files = 99


class Trickle(io.BytesIO):
    """Hands out at most 1000 bytes per read, like a slow upload."""

    def read(self, size=-1):
        return super().read(1000 if size is None or size < 0 else min(size, 1000))


@pytest.mark.parametrize("wrap", [io.BytesIO, Trickle])
def test_save_stream_stores_under_a_random_private_name(tmp_path, wrap):
    data = png_bytes() + bytes(200_000)  # several 64 KiB chunks
    folder = tmp_path / "attachments" / "shop-1"
    stored = save_stream(wrap(data), folder, "photo.png.exe", max_bytes=1024 * 1024)
    assert stored == StoredFile(stored.storage_name, len(data), hashlib.sha256(data).hexdigest(), "image/png")
    assert len(stored.storage_name) == 32 and int(stored.storage_name, 16) >= 0
    assert [p.name for p in folder.iterdir()] == [stored.storage_name]  # no extension, no leftovers
    assert stat.S_IMODE((folder / stored.storage_name).stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    with open_stored(folder, stored.storage_name) as handle:
        assert handle.read() == data
    again = save_stream(io.BytesIO(data), folder, "photo.png", max_bytes=len(data))
    assert again.storage_name != stored.storage_name and again.sha256 == stored.sha256


def test_too_large_stops_and_removes_the_partial_file(tmp_path):
    source = io.BytesIO(PDF + bytes(300_000))
    with pytest.raises(TooLarge) as raised:
        save_stream(source, tmp_path, "receipt.pdf", max_bytes=100_000)
    assert raised.value.limit == 100_000
    assert source.tell() <= 100_001  # stopped at the limit, did not drain the upload
    assert list(tmp_path.iterdir()) == []
    stored = save_stream(io.BytesIO(PDF), tmp_path, "r.pdf", max_bytes=len(PDF))  # exactly the limit is fine
    assert stored.size == len(PDF) and stored.content_type == "application/pdf"


@pytest.mark.parametrize("data, filename", [(HTML, "image.jpg"), (SVG, "a.svg"), (PHP, "x.pht"), (b"", "e.txt")])
def test_not_allowed_content_is_removed(tmp_path, data, filename):
    with pytest.raises(NotAllowed):
        save_stream(io.BytesIO(data), tmp_path, filename, max_bytes=1024)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bad", ["../x", "../" + "a" * 29, "a" * 32 + ".pdf", "A" * 32, "a" * 31, "a" * 32 + "\n",
                                 ".upload-abc.part", "/etc/passwd", "", None])
def test_open_and_delete_refuse_anything_but_storage_names(tmp_path, bad):
    with pytest.raises(ValueError):
        open_stored(tmp_path, bad)
    with pytest.raises(ValueError):
        delete_stored(tmp_path, bad)


def test_delete_stored(tmp_path):
    stored = save_stream(io.BytesIO(CHINESE), tmp_path, "note.txt", max_bytes=1024)
    assert stored.content_type == "text/plain"
    delete_stored(tmp_path, stored.storage_name)
    delete_stored(tmp_path, stored.storage_name)  # already gone is fine
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(FileNotFoundError):
        open_stored(tmp_path, stored.storage_name)
