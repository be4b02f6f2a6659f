"""Reading an import file (CSV or JSON Lines) in batches and storing them through inbox.receive_buyer_messages."""
import csv
import io
import multiprocessing
import multiprocessing.connection
import os
import threading
from dataclasses import dataclass, field, fields
from queue import Empty

from sellerkit import inbox, jsoninput
from sellerkit.errors import InputError
from sellerkit.extensions import db
from sellerkit.shops.domain import BUYER_LANGUAGES
from sellerkit.threads import domain, store
from sellerkit.threads.parsing import inbound_from_json, json_from_csv_row

#: Below this size a worker process costs more to start than it saves.
PARALLEL_FROM_BYTES = 2 * 1024 * 1024
BATCH_SIZE = 5000
PROBLEM_TEXT = {"required": "is required", "too_long": "is too long", "naive": "needs a timezone",
                "unknown": "is not a known language", "invalid": "is not valid", "nul": "contains a NUL character"}


@dataclass
class ImportReport:
    new: int = 0
    duplicates: int = 0
    rejected: list = field(default_factory=list)  # (line number, reason)


def _format_of(path, fmt):
    if fmt:
        return fmt
    return "csv" if str(path).lower().endswith(".csv") else "jsonl"


def _reason(error):
    fields = getattr(error, "fields", {}) or {}
    details = "; ".join(f"{name}: {text}" for name, text in fields.items())
    return f"{error.message}" + (f" ({details})" if details else "")


def _rows(handle, fmt):
    """(line number, JSON object or None, error text or None) for every data line of the file."""
    if fmt == "csv":
        reader = csv.DictReader(handle)
        for row in reader:
            yield reader.line_num, json_from_csv_row(row), None
        return
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            data = jsoninput.loads(line)
        except ValueError as error:
            yield number, None, f"not valid JSON ({getattr(error, 'msg', error)})"
            continue
        yield number, data, None if isinstance(data, dict) else "not a JSON object"


def prepare_chunk(rows):
    """Parse (line, data, problem) rows and do the work that needs no database: ((line, store.Prepared) pairs,
    rejected lines). A message that receive_buyer_messages would refuse is reported here, in the same words."""
    prepared, rejected = [], []
    for line, data, problem in rows:
        if problem:
            rejected.append((line, problem))
            continue
        try:
            inbound = inbound_from_json(data)
        except InputError as error:
            rejected.append((line, _reason(error)))
            continue
        problem = domain.inbound_problem(inbound, BUYER_LANGUAGES)
        if problem:
            rejected.append((line, f"{problem[0]} {PROBLEM_TEXT[problem[1]]}"))
        else:
            prepared.append((line, store.prepare(inbound)))
    return prepared, rejected


_INBOUND_FIELDS = tuple(f.name for f in fields(domain.Inbound))


def _pack(line, row):
    """A prepared message as plain tuples, which cross a process boundary several times faster than dataclasses."""
    return line, tuple(getattr(row.inbound, name) for name in _INBOUND_FIELDS), row.language, row.terms, \
        row.is_automatic


def _unpack(packed):
    line, values, language, terms, is_automatic = packed
    return line, store.Prepared(domain.Inbound(*values), language, terms, is_automatic)


def _batches(path, fmt, batch_size):
    """(prepared, rejected, file offset) per batch of the file."""
    with open(path, "rb") as raw:
        handle = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="" if fmt == "csv" else None)
        chunk = []
        for row in _rows(handle, fmt):
            chunk.append(row)
            if len(chunk) >= batch_size:
                yield *prepare_chunk(chunk), raw.tell()
                chunk = []
        yield *prepare_chunk(chunk), raw.tell()


def _produce(path, fmt, batch_size, queue):
    """The worker process: read and prepare the whole file, sending compact batches (tuples pickle cheaply)."""
    _exit_with_parent()
    for prepared, rejected, offset in _batches(path, fmt, batch_size):
        queue.put(([_pack(*pair) for pair in prepared], rejected, offset))
    queue.put(None)


def _exit_with_parent():
    """End this worker as soon as the importing process is gone, however it ended (SIGKILL included): otherwise it
    waits forever to hand over its next batch, and keeps multiprocessing's resource tracker alive with it."""
    parent = multiprocessing.parent_process()

    def watch():
        multiprocessing.connection.wait([parent.sentinel])  # readable once the parent's end of the pipe closes
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _consume(queue, worker):
    while True:
        try:
            batch = queue.get(timeout=1)
        except Empty:
            if not worker.is_alive():
                raise RuntimeError(f"the import's reader process stopped (exit code {worker.exitcode})") from None
            continue
        if batch is None:
            return
        packed, rejected, offset = batch
        yield [_unpack(row) for row in packed], rejected, offset


def import_file(shop, path, now, fmt=None, on_progress=None, batch_size=BATCH_SIZE):
    """Import every message of the file; each batch is committed, so a crash keeps what was done and a re-run
    skips it (messages are idempotent by external id). Returns the ImportReport.

    Files larger than a batch are read and prepared by a second process while this one writes to the
    database, so both cores work: parsing, language detection and search terms cost about as much as
    the writes do.
    """
    fmt = _format_of(path, fmt)
    report = ImportReport()
    if os.path.getsize(path) < PARALLEL_FROM_BYTES:
        _write(shop, _batches(path, fmt, batch_size), now, report, on_progress)
        return report
    context = multiprocessing.get_context("spawn")
    queue = context.Queue(maxsize=4)  # bounded: the reader never runs far ahead of the writer
    worker = context.Process(target=_produce, args=(str(path), fmt, batch_size, queue), daemon=True)
    worker.start()
    try:
        _write(shop, _consume(queue, worker), now, report, on_progress)
    finally:
        worker.join(timeout=5)
        if worker.is_alive():
            worker.terminate()
            worker.join()
        queue.close()
        queue.join_thread()
    return report


def _write(shop, batches, now, report, on_progress):
    for prepared, rejected, offset in batches:
        report.rejected.extend(rejected)
        store_batch(shop, prepared, now, report)
        db.session.commit()
        if on_progress:
            on_progress(offset)


def store_batch(shop, prepared, now, report):
    """Store (line, store.Prepared) pairs as history (no clock, no auto-reply), counting them in the report."""
    results = inbox.receive_buyer_messages(shop, [row.inbound for _line, row in prepared], now, history=True,
                                           prepared=[row for _line, row in prepared])
    for (line, _row), result in zip(prepared, results, strict=True):
        if result.status == "created":
            report.new += 1
        elif result.status == "duplicate":
            report.duplicates += 1
        else:
            report.rejected.append((line, _reason(result.error)))
