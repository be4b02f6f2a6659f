"""Storing a batch of buyer messages set-wise: a few statements per batch, each message by threads.domain's rules.

Only inbox.receive_buyer_messages calls store(); the rules that follow a stored message (clock, disputes, consent,
follow-ups, auto-reply) are applied there.
"""
import json
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import bindparam, or_, select, text, update

from sellerkit.dialects.bulk import among, insert_rows, insert_tuples, is_sqlite, planned_each_time
from sellerkit.dialects.locking import take_turns
from sellerkit.extensions import db
from sellerkit.threads import domain, search, textsearch
from sellerkit.threads.language import detect_language
from sellerkit.threads.models import Buyer, Message, Order, Thread, ThreadEvent
from sellerkit.threads.services import ORDER_FIELDS, body_sha256


@dataclass(frozen=True)
class Prepared:
    """A message with the work that needs no database done (it may run in another process): its detected language
    and search terms, and whether a machine wrote it."""

    inbound: domain.Inbound
    language: str | None
    terms: tuple
    is_automatic: bool


def prepare(inbound):
    return Prepared(inbound, inbound.buyer_language or detect_language(inbound.body),
                    tuple(textsearch.terms(inbound.body)), domain.is_machine_mail(inbound))


@dataclass
class Stored:
    """What became of one message: `status` is created, duplicate, or no_thread (its thread_id is not the shop's)."""

    status: str
    message_id: int | None = None
    thread_id: int | None = None
    order_id: int | None = None
    language: str | None = None
    is_new_thread: bool = False
    is_new_buyer: bool = False
    conflict: bool = False


MESSAGE_COLUMNS = ("shop_id", "thread_id", "direction", "kind", "body", "external_id", "body_sha256", "language",
                   "posted_at", "author_id", "is_automatic", "headers", "created_at")
EVENT_COLUMNS = ("shop_id", "thread_id", "actor_id", "kind", "data", "created_at")
BUYER_COLUMNS = ("shop_id", "platform_buyer_id", "display_name", "language", "email", "created_at")
THREAD_INSERT_COLUMNS = ("shop_id", "buyer_id", "order_id", "external_id", "subject", "status", "is_dispute",
                         "language", "is_automatic", "waiting_since", "last_message_at", "created_at")
THREAD_COLUMNS = (Thread.id, Thread.external_id, Thread.buyer_id, Thread.order_id, Thread.status,
                  Thread.waiting_since, Thread.last_message_at, Thread.language, Thread.is_automatic)
#: The first key of the PostgreSQL advisory lock a shop's writers of buyer messages take in turn.
LOCK_SPACE = 22
BUYER_STATE = (Buyer.id, Buyer.platform_buyer_id, Buyer.display_name, Buyer.language, Buyer.email)


def store(shop, rows, now):
    """Store valid Prepared rows in the caller's transaction: one Stored each, in order. A known external id, or
    one repeated earlier in the batch, stores nothing and names the message stored first."""
    db.session.flush()  # what the session holds is written before the statements below read the tables
    with planned_each_time():
        # Writers of one shop take turns: the look-ups below then stay true until the inserts, and no unique key
        # is raced for.
        take_turns(db.session, LOCK_SPACE, shop.id)
        return _store(shop, rows, now)


def _store(shop, rows, now):
    results = [None] * len(rows)
    fresh = _fresh(shop, rows, results)
    by_id = _threads_by_id(shop, [row.inbound for _position, row in fresh])
    for position, row in list(fresh):
        if row.inbound.thread_id and row.inbound.thread_id not in by_id:
            results[position] = Stored("no_thread")
    fresh = [(position, row) for position, row in fresh if results[position] is None]
    if not fresh:
        return results
    inbounds = [row.inbound for _position, row in fresh]
    by_xid = _threads_by_xid(shop, inbounds)
    buyers, languages = _buyers(shop, fresh, by_id, by_xid, now)
    order_ids, tracked = _orders(shop, inbounds, buyers, now)
    threads = _threads(shop, inbounds, buyers, order_ids, by_id, by_xid, now=now)
    for inbound, row, thread, language in zip(inbounds, (row for _p, row in fresh), threads, languages, strict=True):
        state = domain.after_inbound(domain.ThreadState(thread["status"], thread["waiting_since"]), inbound.received_at,
                                     row.is_automatic)
        thread.update(status=state.status, waiting_since=state.waiting_since,
                      last_message_at=max(thread["last_message_at"], inbound.received_at),
                      language=thread["language"] or language, is_automatic=thread["is_automatic"] and row.is_automatic)
    _store_threads(threads)
    message_ids = _store_messages(shop, fresh, threads, languages, now)
    changed = {buyer["id"] for buyer in buyers if buyer.get("renamed")}
    _index_threads(shop, {t["id"] for t in threads if t.get("is_new")}, changed, tracked)
    first_thread = set()
    for (position, _row), message_id, thread, buyer, language in zip(fresh, message_ids, threads, buyers, languages,
                                                                      strict=True):
        is_new_thread = bool(thread.get("is_new")) and thread["id"] not in first_thread
        first_thread.add(thread["id"])
        results[position] = Stored("created", message_id, thread["id"], thread["order_id"], language, is_new_thread,
                                   bool(buyer.get("is_new")) and is_new_thread)
    for position, result in enumerate(results):
        if isinstance(result, int):  # repeated within the batch: the first of them was stored (or refused)
            first = results[result]
            results[position] = first if first.status != "created" else Stored(
                "duplicate", first.message_id, first.thread_id, first.order_id, first.language,
                conflict=rows[position].inbound.body != rows[result].inbound.body)
    _forget(Thread, {t["id"] for t in threads if not t.get("is_new")})
    _forget(Buyer, {b["id"] for b in buyers if b.get("changed")})
    _forget(Order, {oid for oid in order_ids if oid})
    return results


def _fresh(shop, rows, results):
    """(position, row) of the rows to store; the others get their Stored (a duplicate), or the position of the
    earlier row of this batch with the same external id."""
    ids = {row.inbound.external_id for row in rows if row.inbound.external_id}
    stored = {xid: (mid, tid, sha) for xid, mid, tid, sha in db.session.execute(
        select(Message.external_id, Message.id, Message.thread_id, Message.body_sha256).where(
            Message.shop_id == shop.id, among(Message.external_id, ids)))} if ids else {}
    fresh, seen = [], {}
    for position, row in enumerate(rows):
        external_id = row.inbound.external_id
        if external_id in stored:
            message_id, thread_id, sha = stored[external_id]
            conflict = sha != body_sha256(row.inbound.body)
            results[position] = Stored("duplicate", message_id, thread_id, conflict=conflict)
        elif external_id and external_id in seen:
            results[position] = seen[external_id]
        else:
            seen[external_id] = position
            fresh.append((position, row))
    return fresh


def _stamp():
    """Times as the database takes them: UTCDateTime stores naive UTC ISO text on SQLite; PostgreSQL's COPY takes
    aware datetimes as they are."""
    if not is_sqlite():
        return lambda value: value
    return lambda value: value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _threads_by_id(shop, inbounds):
    ids = {i.thread_id for i in inbounds if i.thread_id}
    if not ids:
        return {}
    return {row["id"]: dict(row) for row in db.session.execute(select(*THREAD_COLUMNS).where(
        Thread.shop_id == shop.id, among(Thread.id, ids))).mappings()}


def _threads_by_xid(shop, inbounds):
    xids = {i.thread_external_id for i in inbounds if i.thread_external_id and not i.thread_id}
    if not xids:
        return {}
    rows = db.session.execute(select(*THREAD_COLUMNS).where(Thread.shop_id == shop.id, among(Thread.external_id, xids)))
    return {row["external_id"]: dict(row) for row in rows.mappings()}


def _buyers(shop, fresh, by_id, by_xid, now):
    """The buyer (a dict of its state) of each message and the message's language, as the messages leave them: by
    platform id, else e-mail, else the known thread's buyer, else a new one. What a message says about its buyer
    (name, e-mail, language) is kept, and never erases what is known."""
    inbounds = [row.inbound for _position, row in fresh]
    pids = {i.buyer_external_id for i in inbounds if i.buyer_external_id and not i.thread_id}
    emails = {i.buyer_email.lower() for i in inbounds if not i.thread_id and not i.buyer_external_id and i.buyer_email}
    known_ids = {t["buyer_id"] for t in by_id.values()} | {t["buyer_id"] for t in by_xid.values()}
    states = {}
    clauses = [among(Buyer.platform_buyer_id, pids)] if pids else []
    if emails:
        clauses.append(Buyer.platform_buyer_id.is_(None) & among(Buyer.email, emails))
    if known_ids:
        clauses.append(among(Buyer.id, known_ids))
    if clauses:
        for row in db.session.execute(select(*BUYER_STATE).where(Buyer.shop_id == shop.id, or_(*clauses))
                                      .order_by(Buyer.id.desc())).mappings():
            buyer = dict(row)
            states[("id", buyer["id"])] = buyer
            if buyer["platform_buyer_id"] is not None:
                states[("pid", buyer["platform_buyer_id"])] = buyer
            elif buyer["email"]:
                states[("email", buyer["email"])] = buyer  # the oldest buyer with the address, read last
    buyers, languages = [], []
    for (_position, row), inbound in zip(fresh, inbounds, strict=True):
        if inbound.thread_id:
            buyer = states[("id", by_id[inbound.thread_id]["buyer_id"])]
        else:
            key = (("pid", inbound.buyer_external_id) if inbound.buyer_external_id else
                   ("email", inbound.buyer_email.lower()) if inbound.buyer_email else
                   ("id", by_xid[inbound.thread_external_id]["buyer_id"])
                   if inbound.thread_external_id in by_xid else ("thread", inbound.thread_external_id))
            buyer = states.get(key)
            if buyer is None:
                buyer = states[key] = {"id": None, "is_new": True, "platform_buyer_id": inbound.buyer_external_id,
                                       "display_name": "", "language": None, "email": None}
            _learn(buyer, inbound)
        language = row.language or buyer["language"]
        if buyer["language"] is None and language:
            buyer.update(language=language, changed=True)
        buyers.append(buyer)
        languages.append(language)
    _store_buyers(shop, buyers, now)
    return buyers, languages


def _learn(buyer, inbound):
    """What a message says about its buyer, kept in the buyer's state; `renamed` when the name or e-mail changed
    (the search rows of their threads hold both)."""
    name = (inbound.buyer_name or buyer["display_name"])[:200]
    email = (inbound.buyer_email or "").lower() or buyer["email"]
    language = inbound.buyer_language or buyer["language"]
    if (name, email, language) == (buyer["display_name"], buyer["email"], buyer["language"]):
        return
    if (name, email) != (buyer["display_name"], buyer["email"]) and not buyer.get("is_new"):
        buyer["renamed"] = True
    buyer.update(display_name=name, email=email, language=language, changed=True)


def _store_buyers(shop, buyers, now):
    unique = list({id(buyer): buyer for buyer in buyers}.values())
    new = [buyer for buyer in unique if buyer["id"] is None]
    created = _stamp()(now)
    for buyer, buyer_id in zip(new, insert_tuples(Buyer.__table__, BUYER_COLUMNS, [
            (shop.id, b["platform_buyer_id"], b["display_name"], b["language"], b["email"], created) for b in new]),
            strict=True):
        buyer["id"] = buyer_id
    changed = [{"bid": b["id"], "name": b["display_name"], "mail": b["email"], "lang": b["language"]}
               for b in unique if b.get("changed") and not b.get("is_new")]
    if changed:
        table = Buyer.__table__  # Core: the ORM would read a list of rows as its bulk-by-primary-key form
        db.session.execute(update(table).where(table.c.id == bindparam("bid")).values(
            display_name=bindparam("name"), email=bindparam("mail"), language=bindparam("lang")), changed)


def _orders(shop, inbounds, buyers, now):
    """The order id of each message, inserting new orders set-wise, and the ids of stored orders given a tracking
    number. What a message says about its order (a delivery, tracking) is kept, also for orders already stored,
    and never erased. A message added to a known thread by its id names no order."""
    refs = {i.order_reference for i in inbounds if i.order_reference and not i.thread_id}
    by_ref = dict(db.session.execute(select(Order.platform_order_ref, Order.id).where(
        Order.shop_id == shop.id, among(Order.platform_order_ref, refs))).all()) if refs else {}
    missing, known = {}, {}
    for inbound, buyer in zip(inbounds, buyers, strict=True):
        ref = inbound.order_reference
        if not ref or inbound.thread_id:
            continue
        facts = {k: v for k, v in inbound.order.items() if k in ORDER_FIELDS and v not in (None, "")}
        if ref in by_ref:
            known.setdefault(by_ref[ref], {}).update(facts)
        else:
            # Every row names every column: one executemany needs the same keys in each row.
            row = missing.setdefault(ref, {"shop_id": shop.id, "buyer_id": buyer["id"], "platform_order_ref": ref,
                                           "created_at": now, **dict.fromkeys(ORDER_FIELDS), "items_summary": ""})
            row.update(facts)
    for ref, oid in zip(missing, insert_rows(Order.__table__, list(missing.values())), strict=True):
        by_ref[ref] = oid
    _update_orders(known)
    return ([None if i.thread_id else by_ref.get(i.order_reference) for i in inbounds],
            {oid for oid, facts in known.items() if facts.get("tracking_number")})


def _update_orders(facts_by_id):
    """Set-wise updates of stored orders, one statement per set of columns that changed."""
    groups = {}
    for order_id, facts in facts_by_id.items():
        if facts:
            groups.setdefault(tuple(sorted(facts)), []).append({"oid": order_id, **facts})
    for columns, rows in groups.items():
        table = Order.__table__
        db.session.execute(update(table).where(table.c.id == bindparam("oid"))
                           .values({name: bindparam(name) for name in columns}), rows)


def _threads(shop, inbounds, buyers, order_ids, by_id, by_xid, *, now):
    """The thread state of each message: a thread named by id, else by the platform's thread id, else the buyer's
    latest about the same order, else a new one."""
    latest = {}
    no_xid_buyers = {b["id"] for i, b in zip(inbounds, buyers, strict=True)
                     if not i.thread_external_id and not i.thread_id}
    if no_xid_buyers:
        for row in db.session.execute(select(*THREAD_COLUMNS).where(
                Thread.shop_id == shop.id, among(Thread.buyer_id, no_xid_buyers))).mappings():
            pair = (row["buyer_id"], row["order_id"])
            if pair not in latest or (row["last_message_at"], row["id"]) > (latest[pair]["last_message_at"],
                                                                            latest[pair]["id"]):
                latest[pair] = dict(row)
    states = {("i", t["id"]): t for t in by_id.values()}
    states.update({("i", t["id"]): t for t in by_xid.values() if ("i", t["id"]) not in states})
    found = []
    for inbound, buyer, order_id in zip(inbounds, buyers, order_ids, strict=True):
        known = (by_id.get(inbound.thread_id) if inbound.thread_id else by_xid.get(inbound.thread_external_id)
                 if inbound.thread_external_id else latest.get((buyer["id"], order_id)))
        key = ("i", known["id"]) if known else ("x", inbound.thread_external_id) if inbound.thread_external_id \
            else ("b", buyer["id"], order_id)
        if key not in states:
            states[key] = known or {
                "id": None, "is_new": True, "shop_id": shop.id, "buyer_id": buyer["id"], "order_id": order_id,
                "external_id": inbound.thread_external_id, "subject": (inbound.subject or "")[:domain.MAX_SUBJECT],
                "status": "open", "is_dispute": False, "language": None, "is_automatic": True, "waiting_since": None,
                "last_message_at": inbound.received_at, "created_at": now}
        found.append(states[key])
    return found


def _store_threads(threads):
    """Write each thread of the batch once, in the state its last message leaves it: new ones inserted as they
    end up (their ids set in place), known ones updated. Inserting first and updating after would maintain
    every index of threads twice."""
    unique = list({id(thread): thread for thread in threads}.values())
    new = [thread for thread in unique if thread["id"] is None]
    stamp = _stamp()
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
    stamp = _stamp()
    db.session.connection().exec_driver_sql(
        "UPDATE threads SET status = ?, waiting_since = ?, last_message_at = ?, language = ?, is_automatic = ? "
        "WHERE id = ?",
        [(t["status"], stamp(t["waiting_since"]) if t["waiting_since"] else None, stamp(t["last_message_at"]),
          t["language"], t["is_automatic"], t["id"]) for t in changed])


def _store_messages(shop, fresh, threads, languages, now):
    """The messages, their message_received events and their search rows; returns the messages' ids in order."""
    stamp = _stamp()
    created = stamp(now)
    rows = [row for _position, row in fresh]
    message_ids = insert_tuples(Message.__table__, MESSAGE_COLUMNS, [
        (shop.id, t["id"], "in", "buyer", r.inbound.body, r.inbound.external_id, body_sha256(r.inbound.body), language,
         stamp(r.inbound.received_at), None, r.is_automatic, _headers(r.inbound.headers), created)
        for r, t, language in zip(rows, threads, languages, strict=True)])
    insert_tuples(ThreadEvent.__table__, EVENT_COLUMNS, [
        (shop.id, thread["id"], None, "message_received", f'{{"message_id": {message_id}, "message_kind": "buyer"}}',
         created) for message_id, thread in zip(message_ids, threads, strict=True)])
    search.index_terms([(message_id, shop.id, thread["id"], list(row.terms))
                        for message_id, row, thread in zip(message_ids, rows, threads, strict=True)], new=True)
    return message_ids


def _headers(headers):
    return json.dumps(domain.kept_headers(headers)) if headers else "{}"


def _index_threads(shop, new_ids, renamed_buyers, tracked_orders):
    """Search rows of the threads whose subject or identifiers changed: new threads, the threads of a buyer whose
    name or e-mail address changed, and of an order whose tracking did."""
    changed = set(new_ids)
    clauses = ([among(Thread.buyer_id, renamed_buyers)] if renamed_buyers else []) + \
        ([among(Thread.order_id, tracked_orders)] if tracked_orders else [])
    if clauses:
        changed.update(db.session.scalars(select(Thread.id).where(Thread.shop_id == shop.id, or_(*clauses))))
    search.index_threads(changed)


def _forget(model, ids):
    """Expire the session's copies of rows written here past the ORM, so that they are read again when used."""
    if not ids:
        return
    for instance in list(db.session.identity_map.values()):
        if isinstance(instance, model) and instance.id in ids:
            db.session.expire(instance)
