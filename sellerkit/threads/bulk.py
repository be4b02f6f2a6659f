"""Bulk import of buyer messages: thousands a second, by the same rules as one message at a time.

The rules live in threads.domain (validation, thread state, headers) and are shared with
threads.services.receive; this module only runs them set-wise: a few queries per batch instead of
several per message. Imported messages are history, so they open no response clock and send no
auto-reply.
"""
import json
from dataclasses import dataclass, field, fields
from datetime import UTC

from sqlalchemy import bindparam, select, text, update

from sellerkit.bulkload import among, insert_rows, insert_tuples, is_sqlite, planned_each_time
from sellerkit.extensions import db
from sellerkit.shops.domain import BUYER_LANGUAGES
from sellerkit.threads import domain, search, textsearch
from sellerkit.threads.language import detect_language
from sellerkit.threads.models import Buyer, Message, Order, Thread, ThreadEvent
from sellerkit.threads.services import ORDER_FIELDS, body_sha256

BATCH_SIZE = 5000
PROBLEM_TEXT = {"required": "is required", "too_long": "is too long", "naive": "needs a timezone",
                "unknown": "is not a known language", "invalid": "is not valid", "nul": "contains a NUL character"}


@dataclass(frozen=True)
class Prepared:
    """A parsed message with the work that needs no database done: its problem (field, code) if it is not valid,
    else its language and search terms."""

    line: int
    inbound: domain.Inbound
    problem: tuple | None
    language: str | None
    terms: tuple
    is_automatic: bool = False


def prepare(line, inbound):
    problem = domain.inbound_problem(inbound, BUYER_LANGUAGES)
    if problem:
        return Prepared(line, inbound, problem, None, ())
    return Prepared(line, inbound, None, inbound.buyer_language or detect_language(inbound.body),
                    tuple(textsearch.terms(inbound.body)), domain.is_machine_mail(inbound))


_INBOUND_FIELDS = tuple(f.name for f in fields(domain.Inbound))


def pack(row):
    """A Prepared row as plain tuples, which cross a process boundary several times faster than dataclasses."""
    return (row.line, tuple(getattr(row.inbound, name) for name in _INBOUND_FIELDS), row.problem, row.language,
            row.terms, row.is_automatic)


def unpack(packed):
    line, values, problem, language, found, is_automatic = packed
    return Prepared(line, domain.Inbound(*values), problem, language, found, is_automatic)


@dataclass
class ImportReport:
    new: int = 0
    duplicates: int = 0
    rejected: list = field(default_factory=list)  # (line number, reason)


def _fresh_messages(shop, rows, report):
    """Valid rows whose external id is neither stored nor repeated earlier in the batch."""
    valid = []
    for row in rows:
        if row.problem:
            report.rejected.append((row.line, f"{row.problem[0]} {PROBLEM_TEXT[row.problem[1]]}"))
        else:
            valid.append(row)
    ids = [row.inbound.external_id for row in valid if row.inbound.external_id]
    stored = set(db.session.scalars(select(Message.external_id).where(
        Message.shop_id == shop.id, among(Message.external_id, ids)))) if ids else set()
    fresh, seen = [], set()
    for row in valid:
        external_id = row.inbound.external_id
        if external_id and (external_id in stored or external_id in seen):
            report.duplicates += 1
            continue
        seen.add(external_id)
        fresh.append(row)
    return fresh


def _stored():
    """(time, json) converters to database-ready values: UTCDateTime stores naive UTC ISO text and JSON text
    on SQLite; PostgreSQL's COPY takes aware datetimes as they are, and JSON as text."""
    if not is_sqlite():
        return (lambda value: value), json.dumps

    def time_text(value):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

    return time_text, json.dumps


def _buyers(shop, fresh, languages, threads_by_xid, now):
    """Buyer id for each message: by platform id, else e-mail, else the known thread's buyer, else a new one."""
    pids = {i.buyer_external_id for i in fresh if i.buyer_external_id}
    emails = {i.buyer_email.lower() for i in fresh if not i.buyer_external_id and i.buyer_email}
    by_key = {("id", pid): bid for bid, pid in db.session.execute(select(Buyer.id, Buyer.platform_buyer_id).where(
        Buyer.shop_id == shop.id, among(Buyer.platform_buyer_id, pids)))} if pids else {}
    if emails:
        for bid, email in db.session.execute(select(Buyer.id, Buyer.email).where(
                Buyer.shop_id == shop.id, Buyer.platform_buyer_id.is_(None), among(Buyer.email, emails))
                .order_by(Buyer.id.desc())):
            by_key[("email", email)] = bid

    def key(inbound):
        if inbound.buyer_external_id:
            return ("id", inbound.buyer_external_id)
        if inbound.buyer_email:
            return ("email", inbound.buyer_email.lower())
        known = threads_by_xid.get(inbound.thread_external_id)
        return ("known", known["buyer_id"]) if known else ("thread", inbound.thread_external_id)

    keys = [key(inbound) for inbound in fresh]
    for buyer_key in keys:
        if buyer_key[0] == "known":
            by_key[buyer_key] = buyer_key[1]
    missing, created = {}, _stored()[0](now)
    for buyer_key, inbound, language in zip(keys, fresh, languages, strict=True):
        if buyer_key not in by_key and buyer_key not in missing:
            missing[buyer_key] = (shop.id, inbound.buyer_external_id, (inbound.buyer_name or "")[:200], language,
                                  (inbound.buyer_email or "").lower() or None, created)
    for buyer_key, bid in zip(missing, insert_tuples(Buyer.__table__, BUYER_COLUMNS, list(missing.values())),
                              strict=True):
        by_key[buyer_key] = bid
    return [by_key[buyer_key] for buyer_key in keys]


def _orders(shop, fresh, buyer_ids, now):
    """The order id of each message, inserting new orders set-wise, and the ids of stored orders given a tracking
    number. As on the one-message path, what a message says about its order (a delivery, tracking) is kept, also
    for orders already stored, and never erased."""
    refs = {i.order_reference for i in fresh if i.order_reference}
    by_ref = dict(db.session.execute(select(Order.platform_order_ref, Order.id).where(
        Order.shop_id == shop.id, among(Order.platform_order_ref, refs))).all()) if refs else {}
    missing, known = {}, {}
    for inbound, buyer_id in zip(fresh, buyer_ids, strict=True):
        ref = inbound.order_reference
        if not ref:
            continue
        facts = {k: v for k, v in inbound.order.items() if k in ORDER_FIELDS and v not in (None, "")}
        if ref in by_ref:
            known.setdefault(by_ref[ref], {}).update(facts)
        else:
            # Every row names every column: one executemany needs the same keys in each row.
            row = missing.setdefault(ref, {"shop_id": shop.id, "buyer_id": buyer_id, "platform_order_ref": ref,
                                           "created_at": now, **dict.fromkeys(ORDER_FIELDS), "items_summary": ""})
            row.update(facts)
    for ref, oid in zip(missing, insert_rows(Order.__table__, list(missing.values())), strict=True):
        by_ref[ref] = oid
    _update_orders(known)
    return [by_ref.get(i.order_reference) for i in fresh], {oid for oid, facts in known.items()
                                                           if facts.get("tracking_number")}


def _update_orders(facts_by_id):
    """Set-wise updates of stored orders, one statement per set of columns that changed."""
    groups = {}
    for order_id, facts in facts_by_id.items():
        if facts:
            groups.setdefault(tuple(sorted(facts)), []).append({"oid": order_id, **facts})
    for columns, rows in groups.items():
        table = Order.__table__  # Core: the ORM would read a list of rows as its bulk-by-primary-key form
        db.session.execute(update(table).where(table.c.id == bindparam("oid"))
                           .values({name: bindparam(name) for name in columns}), rows)


MESSAGE_COLUMNS = ("shop_id", "thread_id", "direction", "kind", "body", "external_id", "body_sha256", "language",
                   "posted_at", "author_id", "is_automatic", "headers", "created_at")
EVENT_COLUMNS = ("shop_id", "thread_id", "actor_id", "kind", "data", "created_at")
BUYER_COLUMNS = ("shop_id", "platform_buyer_id", "display_name", "language", "email", "created_at")
THREAD_INSERT_COLUMNS = ("shop_id", "buyer_id", "order_id", "external_id", "subject", "status", "is_dispute",
                         "language", "is_automatic", "waiting_since", "last_message_at", "created_at")
THREAD_COLUMNS = (Thread.id, Thread.external_id, Thread.buyer_id, Thread.order_id, Thread.status,
                  Thread.waiting_since, Thread.last_message_at, Thread.language, Thread.is_automatic)


def _known_threads(shop, fresh):
    xids = {i.thread_external_id for i in fresh if i.thread_external_id}
    if not xids:
        return {}
    rows = db.session.execute(select(*THREAD_COLUMNS).where(Thread.shop_id == shop.id, among(Thread.external_id, xids)))
    return {row["external_id"]: dict(row) for row in rows.mappings()}


def _threads(shop, fresh, buyer_ids, order_ids, threads_by_xid, now):
    """Thread state for each message: by the platform's thread id, else the buyer's latest about the order."""
    latest = {}
    no_xid_buyers = {b for i, b in zip(fresh, buyer_ids, strict=True) if not i.thread_external_id}
    if no_xid_buyers:
        for row in db.session.execute(select(*THREAD_COLUMNS).where(
                Thread.shop_id == shop.id, among(Thread.buyer_id, no_xid_buyers))).mappings():
            pair = (row["buyer_id"], row["order_id"])
            if pair not in latest or (row["last_message_at"], row["id"]) > (latest[pair]["last_message_at"],
                                                                            latest[pair]["id"]):
                latest[pair] = dict(row)
    states, missing = {}, {}
    for inbound, buyer_id, order_id in zip(fresh, buyer_ids, order_ids, strict=True):
        key = ("x", inbound.thread_external_id) if inbound.thread_external_id else ("b", buyer_id, order_id)
        known = threads_by_xid.get(inbound.thread_external_id) if inbound.thread_external_id \
            else latest.get((buyer_id, order_id))
        if known:
            states[key] = known
        elif key not in missing:
            missing[key] = {"shop_id": shop.id, "buyer_id": buyer_id, "order_id": order_id,
                            "external_id": inbound.thread_external_id, "subject": inbound.subject[:domain.MAX_SUBJECT],
                            "status": "open", "is_dispute": False, "language": None, "is_automatic": True,
                            "last_message_at": inbound.received_at, "created_at": now}
    for key, row in missing.items():
        states[key] = {**row, "id": None, "waiting_since": None, "is_new": True}
    return [states[("x", i.thread_external_id) if i.thread_external_id else ("b", b, o)]
            for i, b, o in zip(fresh, buyer_ids, order_ids, strict=True)]


def _store_threads(threads):
    """Write each thread of the batch once, in the state its last message leaves it: new ones inserted as they
    end up (their ids set in place), known ones updated. Inserting first and updating after would maintain
    every index of threads twice."""
    unique = list({id(thread): thread for thread in threads}.values())
    new = [thread for thread in unique if thread["id"] is None]
    stamp = _stored()[0]
    new_ids = insert_tuples(Thread.__table__, THREAD_INSERT_COLUMNS, [
        (*(thread[name] for name in THREAD_INSERT_COLUMNS[:-3]),
         stamp(thread["waiting_since"]) if thread["waiting_since"] else None, stamp(thread["last_message_at"]),
         stamp(thread["created_at"])) for thread in new])
    for thread, thread_id in zip(new, new_ids, strict=True):
        thread["id"] = thread_id
    known = [thread for thread in unique if not thread.get("is_new")]
    if known:
        _update_threads(known)


def _update_threads(changed):
    """Write the batch's new thread states: one executemany on SQLite; on PostgreSQL one UPDATE joined to the
    values as arrays, where an executemany would still be a statement per thread on the server."""
    if not is_sqlite():
        db.session.execute(text(
            "UPDATE threads SET status = v.status, waiting_since = v.waiting_since, "
            "last_message_at = v.last_message_at, language = v.language, is_automatic = v.is_automatic "
            "FROM unnest(CAST(:ids AS integer[]), CAST(:statuses AS varchar[]), CAST(:waiting AS timestamptz[]), "
            "CAST(:latest AS timestamptz[]), CAST(:languages AS varchar[]), CAST(:automatic AS boolean[])) "
            "AS v(id, status, waiting_since, last_message_at, language, is_automatic) WHERE threads.id = v.id"),
            {"ids": [t["id"] for t in changed], "statuses": [t["status"] for t in changed],
             "waiting": [t["waiting_since"] for t in changed], "latest": [t["last_message_at"] for t in changed],
             "languages": [t["language"] for t in changed], "automatic": [t["is_automatic"] for t in changed]})
        return
    # Straight to the driver, as insert_tuples does: SQLAlchemy's per-value processing cost more than SQLite.
    stamp = _stored()[0]
    db.session.connection().exec_driver_sql(
        "UPDATE threads SET status = ?, waiting_since = ?, last_message_at = ?, language = ?, is_automatic = ? "
        "WHERE id = ?",
        [(t["status"], stamp(t["waiting_since"]) if t["waiting_since"] else None, stamp(t["last_message_at"]),
          t["language"], t["is_automatic"], t["id"]) for t in changed])


def import_batch(shop, rows, now, report):
    """Store one batch of Prepared rows; the caller commits. Idempotent like receive."""
    with planned_each_time():
        _import(shop, rows, now, report)


def _import(shop, rows, now, report):
    prepared = _fresh_messages(shop, rows, report)
    if not prepared:
        return
    fresh = [row.inbound for row in prepared]
    threads_by_xid = _known_threads(shop, fresh)
    languages = [row.language for row in prepared]
    buyer_ids = _buyers(shop, fresh, languages, threads_by_xid, now)
    order_ids, tracked = _orders(shop, fresh, buyer_ids, now)
    threads = _threads(shop, fresh, buyer_ids, order_ids, threads_by_xid, now)
    automatic = [row.is_automatic for row in prepared]
    for inbound, thread, language, is_automatic in zip(fresh, threads, languages, automatic, strict=True):
        state = domain.after_inbound(domain.ThreadState(thread["status"], thread["waiting_since"]), inbound.received_at,
                                     is_automatic)
        thread.update(status=state.status, waiting_since=state.waiting_since,
                      last_message_at=max(thread["last_message_at"], inbound.received_at),
                      language=thread["language"] or language, is_automatic=thread["is_automatic"] and is_automatic)
    _store_threads(threads)
    stamp, as_json = _stored()
    created = stamp(now)
    inserted = insert_tuples(Message.__table__, MESSAGE_COLUMNS, [
        (shop.id, t["id"], "in", "buyer", i.body, i.external_id, body_sha256(i.body), lang, stamp(i.received_at),
         None, is_automatic, as_json(domain.kept_headers(i.headers)) if i.headers else "{}", created)
        for i, t, lang, is_automatic in zip(fresh, threads, languages, automatic, strict=True)])
    indexed, events = [], []
    for message_id, row, thread in zip(inserted, prepared, threads, strict=True):
        indexed.append((message_id, shop.id, thread["id"], list(row.terms)))
        events.append((shop.id, thread["id"], None, "message_received",
                       f'{{"message_id": {message_id}, "message_kind": "buyer"}}', created))
    insert_tuples(ThreadEvent.__table__, EVENT_COLUMNS, events)
    search.index_terms(indexed, new=True)
    # New threads, and those whose order got a tracking number, are found by their subject and identifiers.
    search.index_threads({t["id"] for t in threads if t.get("is_new") or t["order_id"] in tracked})
    report.new += len(fresh)
