"""Pure rules of a message import from an uploaded file: which files are taken, and cutting one into pieces."""
import codecs
import csv
import io
from dataclasses import dataclass

#: The file name endings of each format the `sellerkit import messages` command reads.
FORMATS = {"csv": (".csv",), "jsonl": (".jsonl", ".ndjson", ".json")}
#: CSV files must name this column in their header: without it no row can be a message.
REQUIRED_CSV_COLUMN = "body"
#: How much of the start of a file is read to tell whether it is what its name says.
HEAD_BYTES = 64 * 1024
ROWS_PER_PIECE = 500
BYTES_PER_PIECE = 1024 * 1024


def format_of(filename):
    """The import format a file name says ("csv", "jsonl"), or None."""
    lower = (filename or "").lower()
    return next((fmt for fmt, endings in FORMATS.items() if lower.endswith(endings)), None)


class TextCheck:
    """Fed a file's bytes chunk by chunk: is it UTF-8 text without NUL characters? `problem` says why not."""

    def __init__(self):
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.problem = None

    def feed(self, chunk, final=False):
        if self.problem:
            return
        if b"\0" in chunk:
            self.problem = "binary"
            return
        try:
            self._decoder.decode(chunk, final)
        except UnicodeDecodeError:
            self.problem = "encoding"


def content_problem(fmt, head):
    """Why the first bytes of a UTF-8 file are not a file of `fmt`, as a code, or None."""
    text = codecs.getincrementaldecoder("utf-8-sig")(errors="replace").decode(head)
    if fmt == "csv":
        header = next(csv.reader(io.StringIO(text)), [])
        return None if REQUIRED_CSV_COLUMN in (name.strip() for name in header) else "csv_header"
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return None if first.startswith("{") else "jsonl"


@dataclass(frozen=True)
class Piece:
    """Whole records of the file as a file of their own (a CSV piece starts with the file's header).

    `line_shift` turns a line number the importer reports for the piece into the line of the whole file;
    `end_offset` and `end_line` say where the piece ends in the file (bytes, physical lines)."""

    data: bytes
    rows: int
    line_shift: int
    end_offset: int
    end_line: int


def _records(handle, fmt):
    """(bytes, physical lines, is a row) of each record from the handle's position. A CSV record is found by the
    csv module itself, as the importer reads it, so a quoted field that spans lines is never cut."""
    if fmt != "csv":
        for raw in iter(handle.readline, b""):
            yield raw, 1, bool(raw.strip())
        return
    lines = []

    def text_lines():
        for raw in iter(handle.readline, b""):
            lines.append(raw)
            yield raw.decode("utf-8", errors="replace")

    for row in csv.reader(text_lines()):
        record = b"".join(lines)
        yield record, len(lines), bool(row)
        lines.clear()


def pieces(handle, fmt, *, offset=0, line=0, rows_per_piece=ROWS_PER_PIECE, bytes_per_piece=BYTES_PER_PIECE):
    """The pieces of a binary file from byte `offset`, where physical line `line` + 1 starts (0, 0: the start).

    A piece is a run of whole records that the importer takes as a file of its own; a job stores where each
    committed piece ended, so a worker that dies is followed by one that starts at the next piece."""
    header, header_lines = b"", 0
    if fmt == "csv":
        handle.seek(0)
        header, header_lines, _row = next(_records(handle, fmt), (b"", 0, False))
        if offset == 0:
            offset, line = len(header), header_lines
    handle.seek(offset)
    chunk, size, rows, start_line = [], 0, 0, line
    for record, count, is_row in _records(handle, fmt):
        chunk.append(record)
        size, rows = size + len(record), rows + is_row
        offset, line = offset + len(record), line + count
        if rows >= rows_per_piece or size >= bytes_per_piece:
            yield Piece(header + b"".join(chunk), rows, start_line - header_lines, offset, line)
            chunk, size, rows, start_line = [], 0, 0, line
    if chunk:
        yield Piece(header + b"".join(chunk), rows, start_line - header_lines, offset, line)
