"""The benchmark's data set: shops, conversations, orders, clocks, vacations, saved replies and tickets, seeded."""
import random
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import bindparam, func, select, text, update

from benchmarks import suggestions
from benchmarks.texts import (
    LANGUAGES,
    SAVED_REPLY_TOPICS,
    SHOPS,
    VACATION,
    VOCABULARY,
    Writer,
    saved_reply_body,
)
from sellerkit import jobs
from sellerkit.accounts import services as accounts
from sellerkit.autoreply import services as vacations
from sellerkit.dialects.bulk import insert_rows
from sellerkit.extensions import db
from sellerkit.outbox.models import OutboxItem
from sellerkit.replies import services as replies
from sellerkit.shops import services as shops
from sellerkit.shops.models import Membership
from sellerkit.sla import services as sla
from sellerkit.sla.models import ResponseClock
from sellerkit.threads import importing, search, store, textsearch
from sellerkit.threads.domain import Inbound
from sellerkit.threads.models import Message, Order, Thread, ThreadEvent, ThreadLabel
from sellerkit.threads.services import body_sha256
from sellerkit.tickets import disputes
from sellerkit.tickets import services as tickets

EMAIL = "bench-owner@example.com"
#: Known to the runner, which logs in through the real form with it.
PASSWORD = "bench-password-2026"
SEED = 20261123
HISTORY = timedelta(days=90)
WAITING_SHARE = 0.10
LONG_THREAD_TURNS = 10  # 20 messages: the thread the thread-view timing opens
#: Buyer-seller exchanges per thread and their weights: about four messages a thread on average.
TURNS = ((1, 37), (2, 35), (3, 18), (4, 6), (5, 4))
LABELS = ("gift", "urgent", "wholesale", "vip", "return")


@dataclass(frozen=True)
class Size:
    shops: int
    threads: int
    orders: int
    tickets_per_shop: int


SIZES = {
    "S": Size(shops=2, threads=300, orders=90, tickets_per_shop=2),
    "M": Size(shops=10, threads=100_000, orders=30_000, tickets_per_shop=10),
    "L": Size(shops=10, threads=250_000, orders=75_000, tickets_per_shop=10),
}


@dataclass
class Facts:
    """What the runner needs to know about the generated data, and what generating it cost."""

    email: str
    password: str
    token: str
    shop_ids: list
    #: The shop on vacation: API messages to it get an automatic answer, as the target says.
    ingest_shop_id: int
    long_thread_id: int
    reply_thread_ids: list
    read_thread_ids: list
    #: An order of the first shop, from the middle of its orders: what a seller types to find its conversation.
    order_reference: str = ""
    counts: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)


@dataclass
class PlannedThread:
    external_id: str
    language: str
    buyer_name: str
    #: (is_buyer, posted_at, body) in order; buyer and seller alternate, a waiting thread ends with the buyer.
    messages: list
    status: str
    is_dispute: bool
    labels: tuple


def _thread_times(rng, turns, waiting, now):
    """Message times of one thread: replies after a few hours, the buyer's next message about a day later."""
    offsets, moment = [], timedelta(0)
    for _ in range(turns):
        offsets.append(moment)
        moment += timedelta(minutes=5 + rng.expovariate(1 / 360))
        offsets.append(moment)
        moment += timedelta(minutes=30 + rng.expovariate(1 / 1200))
    if waiting:
        offsets.append(moment)
    else:
        moment = offsets[-1]
    span = min(moment, HISTORY - timedelta(days=10))
    scale = span / moment if moment else 1
    offsets = [offset * scale for offset in offsets]
    if waiting:
        # Most waiting buyers wrote in the last few days; a few have waited for weeks.
        end = now - timedelta(minutes=1 + min(rng.expovariate(1 / 4320), 80 * 1440))
        start = max(end - span, now - HISTORY + timedelta(minutes=1))
    else:
        start = now - HISTORY + (HISTORY - span - timedelta(minutes=10)) * rng.random()
    return [start + offset for offset in offsets]


def _plan_shop(rng, writer, shop_index, default_language, threads, orders, *, now):
    """(planned threads, inbound buyer messages, delivery time by order reference) of one shop."""
    buyers, deliveries = {}, {}
    planned, inbound = [], []
    turn_values, turn_weights = zip(*TURNS, strict=True)
    for number in range(threads):
        buyer_number = rng.randrange(max(1, int(threads * 0.8)))
        if buyer_number not in buyers:
            language = default_language if rng.random() < 0.6 else rng.choice(LANGUAGES)
            buyers[buyer_number] = (language, writer.buyer_name(language),
                                    f"buyer{shop_index}.{buyer_number}@example.net" if rng.random() < 0.5 else None)
        language, name, email = buyers[buyer_number]
        long_thread = number % 1000 == 0
        waiting = not long_thread and rng.random() < WAITING_SHARE
        turns = LONG_THREAD_TURNS if long_thread else rng.choices(turn_values, turn_weights)[0] - (1 if waiting else 0)
        times = _thread_times(rng, max(turns, 0), waiting, now)
        messages = [(index % 2 == 0, moment, writer.buyer_message(language) if index % 2 == 0
                     else writer.seller_message(language, name)) for index, moment in enumerate(times)]
        thread_xid = f"t{shop_index}-{number}"
        reference, order = None, {}
        if number * orders // threads != (number + 1) * orders // threads:  # spreads `orders` evenly
            reference = f"{shop_index:02d}-{number:07d}"
            placed = times[0] - timedelta(hours=rng.uniform(2, 120))
            delivered = placed + timedelta(days=rng.uniform(3, 12)) if rng.random() < 0.6 else None
            if delivered and delivered < now:
                deliveries[reference] = delivered
            # Every order carries the same fields: store._orders inserts a batch's orders with one executemany,
            # which fails when some rows have a field (delivered_at) that others lack; deliveries are set after.
            order = {"placed_at": placed, "shipped_at": placed + timedelta(days=1),
                     "tracking_number": f"RR{rng.randrange(10**8, 10**9)}CN",
                     "total": Decimal(rng.randrange(500, 50000)) / 100, "currency": SHOPS[shop_index][4],
                     "items_summary": rng.choice(VOCABULARY[language]["product"])}
        subject = writer.subject(language)
        for index, (is_buyer, moment, body) in enumerate(messages):
            if is_buyer:
                inbound.append(Inbound(
                    external_id=f"m{shop_index}-{number}-{index}", body=body, received_at=moment,
                    buyer_external_id=f"b{shop_index}-{buyer_number}", buyer_name=name,
                    buyer_language=language if rng.random() < 0.7 else None, buyer_email=email,
                    thread_external_id=thread_xid, subject=subject, order_reference=reference,
                    order=order if index == 0 else {}))
        if waiting:
            status = "open"
        else:
            status = "resolved" if times[-1] < now - timedelta(days=7) and rng.random() < 0.5 else "awaiting_buyer"
        labels = tuple(rng.sample(LABELS, rng.randint(1, 2))) if rng.random() < 0.05 else ()
        planned.append(PlannedThread(thread_xid, language, name, messages, status, rng.random() < 0.02, labels))
    return planned, inbound, deliveries


def _import_buyer_messages(shop, inbound, now, totals):
    """Through the importer's own path, the one write path of buyer messages: prepare each row, then store and
    commit per batch."""
    report = importing.ImportReport()
    for start in range(0, len(inbound), importing.BATCH_SIZE):
        began = time.perf_counter()
        prepared = [(start + offset + 1, store.prepare(row))
                    for offset, row in enumerate(inbound[start:start + importing.BATCH_SIZE])]
        middle = time.perf_counter()
        importing.store_batch(shop, prepared, now, report)
        db.session.commit()
        totals["prepare_seconds"] += middle - began
        totals["write_seconds"] += time.perf_counter() - middle
    if report.rejected or report.duplicates:
        raise RuntimeError(f"the bench data set was not imported cleanly: {report.rejected[:3]}")
    totals["messages"] += report.new


def _deliver(shop, deliveries):
    table = Order.__table__
    if deliveries:
        db.session.execute(update(table).where(table.c.shop_id == shop.id,
                                               table.c.platform_order_ref == bindparam("reference"))
                           .values(delivered_at=bindparam("delivered")),
                           [{"reference": ref, "delivered": moment} for ref, moment in deliveries.items()])


def _store_history(shop, owner, planned, now):
    """Seller replies, their events, outbox rows and search terms; thread states; labels; response clocks."""
    threads = {xid: (tid, buyer_id) for xid, tid, buyer_id in db.session.execute(
        select(Thread.external_id, Thread.id, Thread.buyer_id).where(Thread.shop_id == shop.id))}
    buyer_messages = dict(db.session.execute(select(Message.external_id, Message.id).where(
        Message.shop_id == shop.id, Message.direction == "in")).all())
    rule = sla.shop_rule(shop)
    replies_rows, thread_rows, label_rows, clock_rows = [], [], [], []
    for plan in planned:
        thread_id, _buyer_id = threads[plan.external_id]
        pending = None  # the buyer message whose clock runs, as (message id, posted_at)
        last_buyer_at = None
        for index, (is_buyer, moment, body) in enumerate(plan.messages):
            if is_buyer:
                last_buyer_at = moment
                if rule.starts_on == "every_message" or index == 0:
                    pending = (buyer_messages[f"m{plan.external_id[1:]}-{index}"], moment)
                continue
            replies_rows.append({"shop_id": shop.id, "thread_id": thread_id, "direction": "out", "kind": "reply",
                                 "body": body, "external_id": None, "body_sha256": body_sha256(body),
                                 "language": plan.language, "posted_at": moment, "author_id": owner.id,
                                 "is_automatic": False, "is_complaint": False, "headers": {}, "created_at": moment})
            if pending:
                due = pending[1] + rule.allowed
                clock_rows.append({"shop_id": shop.id, "thread_id": thread_id, "message_id": pending[0],
                                   "started_at": pending[1], "due_at": due, "warn_at": due - rule.warning_lead,
                                   "status": "met" if moment <= due else "breached", "stopped_by": "reply",
                                   "stopped_at": moment})
                pending = None
        if pending:
            due = pending[1] + rule.allowed
            clock_rows.append({"shop_id": shop.id, "thread_id": thread_id, "message_id": pending[0],
                               "started_at": pending[1], "due_at": due, "warn_at": due - rule.warning_lead,
                               "status": "open", "stopped_by": None, "stopped_at": None})
        waiting = plan.status == "open"
        thread_rows.append({"thread_id": thread_id, "new_status": plan.status, "new_dispute": plan.is_dispute,
                            "new_waiting_since": last_buyer_at if waiting else None,
                            "new_last_message_at": plan.messages[-1][1]})
        label_rows += [{"thread_id": thread_id, "label": label, "shop_id": shop.id} for label in plan.labels]
    for start in range(0, len(replies_rows), importing.BATCH_SIZE):
        chunk = replies_rows[start:start + importing.BATCH_SIZE]
        ids = insert_rows(Message.__table__, chunk)
        insert_rows(ThreadEvent.__table__, [
            {"shop_id": shop.id, "thread_id": row["thread_id"], "actor_id": owner.id, "kind": "message_sent",
             "data": {"message_id": mid, "message_kind": "reply"}, "created_at": row["posted_at"]}
            for mid, row in zip(ids, chunk, strict=True)])
        insert_rows(OutboxItem.__table__, [
            {"shop_id": shop.id, "kind": "reply", "message_id": mid, "transport": "manual", "status": "sent",
             "attempts": 0, "sent_at": row["posted_at"], "created_at": row["posted_at"]}
            for mid, row in zip(ids, chunk, strict=True)])
        search.index_terms([(mid, shop.id, row["thread_id"], textsearch.terms(row["body"]))
                            for mid, row in zip(ids, chunk, strict=True)])
    table = Thread.__table__
    db.session.execute(update(table).where(table.c.id == bindparam("thread_id")).values(
        status=bindparam("new_status"), is_dispute=bindparam("new_dispute"),
        waiting_since=bindparam("new_waiting_since"), last_message_at=bindparam("new_last_message_at")), thread_rows)
    insert_rows(ThreadLabel.__table__, label_rows)
    insert_rows(ResponseClock.__table__, clock_rows)
    sla.recount_days(shop)  # the clocks were written in bulk, past the reply path that counts them
    db.session.commit()
    return len(replies_rows), len(clock_rows)


def _saved_replies(membership, rng, now):
    """50 replies per shop, each in its shop's language and one to three others, with placeholders."""
    shop = membership.shop
    for number in range(50):
        languages = {shop.default_language, *rng.sample(LANGUAGES, rng.randint(1, 3))}
        replies.save_reply(membership, now, f"{SAVED_REPLY_TOPICS[number % 10]} {number // 10 + 1}", f"r{number}",
                           SAVED_REPLY_TOPICS[number % 10],
                           {language: saved_reply_body(language, number) for language in languages})


def _vacations(memberships, now):
    """The ingest shop is away now (API messages get an auto-reply); others were away, or will be."""
    today = now.date()
    plans = {1: (today - timedelta(days=2), today + timedelta(days=5)),
             0: (today - timedelta(days=40), today - timedelta(days=31)),
             2: (today - timedelta(days=20), today - timedelta(days=14)),
             3: (today + timedelta(days=20), today + timedelta(days=30))}
    for index, (first, last) in plans.items():
        if index < len(memberships):
            vacations.plan_vacation(memberships[index], first, last, dict(VACATION), now)


def _escalate(memberships, per_shop, now):
    """Draft tickets through the escalation service, on dispute threads about an order."""
    made = 0
    for membership in memberships:
        shop = membership.shop
        for thread in db.session.scalars(select(Thread).where(
                Thread.shop_id == shop.id, Thread.is_dispute.is_(True), Thread.order_id.is_not(None))
                .order_by(Thread.id).limit(per_shop)):
            tickets.escalate(shop, thread, now, actor=membership.user)
            made += 1
    return made


def generate(app, size_name, now, seed=SEED, log=print):
    """Fill the (migrated, empty) database of `app`; returns Facts. Deterministic for a seed, relative to `now`."""
    size = SIZES[size_name]
    rng = random.Random(seed)
    writer = Writer(rng)
    timings = {"prepare_seconds": 0.0, "write_seconds": 0.0, "messages": 0}
    started = time.perf_counter()
    with app.test_request_context():
        owner = accounts.sign_up(EMAIL, PASSWORD, "Bench Owner", None, now, current_app.config["MIN_PASSWORD_LENGTH"])
        token = accounts.create_api_token(owner, "bench", now)[1]
        shop_list = [shops.create_shop(owner, *SHOPS[index][:4], now) for index in range(size.shops)]
        db.session.commit()
        per_shop = size.threads // size.shops
        replies_count = clocks = 0
        for index, shop in enumerate(shop_list):
            planned, inbound, deliveries = _plan_shop(rng, writer, index, shop.default_language, per_shop,
                                                      size.orders // size.shops, now=now)
            _import_buyer_messages(shop, inbound, now, timings)
            _deliver(shop, deliveries)
            stored = _store_history(shop, owner, planned, now)
            replies_count, clocks = replies_count + stored[0], clocks + stored[1]
            log(f"  shop {index + 1}/{size.shops}: {len(planned):,} threads, {len(inbound):,} buyer messages "
                f"({time.perf_counter() - started:.0f} s)")
        memberships = [db.session.scalar(select(Membership).where(Membership.shop_id == shop.id))
                       for shop in shop_list]
        for membership in memberships:
            _saved_replies(membership, rng, now)
        suggestions.seed_history([shop.id for shop in shop_list], rng, now)
        _vacations(memberships, now)
        db.session.commit()
        # The scheduler would have recorded the past warnings and breaches and the breach disputes by now.
        sla.sweep(now)
        disputes.mark_breached(now)
        ticket_count = _escalate(memberships, size.tickets_per_shop, now)
        db.session.commit()
        facts = _facts(shop_list, token)
        facts.counts = _counts(replies_count, clocks, ticket_count)
    _settle(app)
    timings["generate_seconds"] = time.perf_counter() - started
    import_seconds = timings["prepare_seconds"] + timings["write_seconds"]
    timings["import_rate"] = timings["messages"] / import_seconds if import_seconds else 0.0
    timings["import_write_rate"] = timings["messages"] / timings["write_seconds"] if timings["write_seconds"] else 0.0
    facts.timings = timings
    return facts


def _facts(shop_list, token):
    first = shop_list[0]
    long_thread = db.session.scalar(select(Thread.id).where(Thread.shop_id == first.id,
                                                            Thread.external_id == "t0-0"))
    waiting = list(db.session.scalars(select(Thread.id).where(Thread.shop_id == first.id, Thread.status == "open")
                                      .order_by(Thread.id)))
    every = list(db.session.scalars(select(Thread.id).order_by(Thread.id)))
    sample = random.Random(len(every)).sample(every, min(500, len(every)))
    references = select(Order.platform_order_ref).where(Order.shop_id == first.id)
    middle = db.session.scalar(select(func.count()).select_from(references.subquery())) // 2
    reference = db.session.scalar(references.order_by(Order.id).offset(middle).limit(1))
    return Facts(EMAIL, PASSWORD, token, [shop.id for shop in shop_list],
                 shop_list[1].id if len(shop_list) > 1 else first.id, long_thread, waiting, sample, reference or "")


def _counts(replies_count, clocks, ticket_count):
    def count(table):
        return db.session.scalar(text(f"SELECT count(*) FROM {table}"))

    return {"threads": count("threads"), "messages": count("messages"), "orders": count("orders"),
            "buyers": count("buyers"), "seller_replies": replies_count, "response_clocks": clocks,
            "open_clocks": db.session.scalar(select(func.count()).where(ResponseClock.status == "open")),
            "waiting_threads": db.session.scalar(select(func.count()).where(Thread.waiting_since.is_not(None))),
            "saved_replies": count("saved_replies"), "vacations": count("vacations"), "tickets": ticket_count}


def _settle(app):
    """Leave the database as a long-running one would be: PostgreSQL analysed (autovacuum would have), SQLite's
    full-text indexes compacted (the scheduler's job would have) and its WAL folded back into the file."""
    with app.app_context():
        engine = db.engine
        while jobs.compact_search_indexes():
            pass
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        else:
            # Outside any transaction: SQLAlchemy would open one (BEGIN IMMEDIATE) and SQLite refuses to checkpoint.
            connection = engine.raw_connection()
            try:
                connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                connection.close()
        engine.dispose()

