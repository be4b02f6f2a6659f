"""The delivery sweep: claim due items under a lease, commit the claim, build each with its kind's builder and send
it through its transport on a pool of threads, one receiver never holding them all; record each outcome."""
import logging
import threading
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import nullcontext
from datetime import timedelta
from email.utils import parseaddr

from flask import current_app

from sellerkit.dialects.locking import writes_are_serialized
from sellerkit.extensions import db
from sellerkit.outbox import domain, registry, services
from sellerkit.outbox.models import OutboxItem
from sellerkit.outbox.transports import DeliveryError, send_email, send_webhook, smtp_settings

log = logging.getLogger(__name__)


def mail_domain(config):
    """The domain of the sender address, for our Message-IDs ("Shop <a@b.com>" gives b.com)."""
    address = parseaddr(config.get("MAIL_FROM") or "")[1]
    return address.rpartition("@")[2] or "localhost"


def send_mail(delivery, config):
    """Send one mail through the configured server; sellerkit's own mail goes to the log when there is none."""
    if not config.get("MAIL_SERVER"):
        if delivery.is_system_mail:
            log.warning("No mail server configured; mail to %s:\n%s\n%s", delivery.to_email, delivery.subject,
                        delivery.body)
            return
        raise DeliveryError("no mail server is configured (SELLERKIT_MAIL_SERVER)", permanent=False)
    send_email(delivery, smtp_settings(config))


def _send(transport, delivery, config, now):
    registered = registry.transport_named(transport)
    if registered is not None:
        registered.send(delivery, config, now)
    elif transport == "email":
        send_mail(delivery, config)
    elif transport == "webhook":
        if not delivery.webhook_url or not delivery.webhook_secret:
            raise DeliveryError("the shop has no webhook address or secret", permanent=True)
        send_webhook(delivery, int(now.timestamp()), allow_private=config.get("WEBHOOK_ALLOW_PRIVATE", False))
    else:
        raise DeliveryError(f"transport {transport!r} is delivered by hand", permanent=True)


def _deliver_one(app_context, item_id, token, config, now, database_turn, *, sent_items):
    """Build and send one claimed item in a session of its own; returns "sent" (it is marked sent with others, see
    SentItems), "failed" (recorded at the sweep's `now`), or None (dropped, or the claim was taken back meanwhile).
    No transaction is open while it sends: on SQLite one would hold the write lock, and every other sender would
    wait for this receiver. Its transactions run in `database_turn` (see deliver_due)."""
    with app_context():
        with database_turn:
            item = db.session.get(OutboxItem, item_id)
            if item is None or item.claim_token != token:
                db.session.rollback()
                return None
            kind, transport = registry.kind_of(item.kind), item.transport
            try:
                delivery = kind.build(item, config, now)
            except DeliveryError as error:
                db.session.rollback()
                return _failed(item_id, token, error, now)
            if delivery is None:
                services.drop(item_id, token)
            db.session.commit()  # what the builder wrote (a reset token) is kept; unsent, it is never usable
        if delivery is None:
            return None
        try:
            _send(transport, delivery, config, now)
        except DeliveryError as error:
            with database_turn:
                return _failed(item_id, token, error, now)
        batch = sent_items.add(item_id, token)
        if batch:
            with database_turn:
                _confirm(batch, now)
        return "sent"


class SentItems:
    """Items sent and not yet marked sent, as (item id, claim token). The sender whose item fills a batch marks the
    whole batch sent in one transaction; the sweep marks what is left at each lease renewal and at its end, well
    within the items' leases. A transaction per item cost a connection check-out, BEGIN, COMMIT and reloading the
    item, each a round trip on PostgreSQL and a wait for the interpreter lock among busy senders."""

    def __init__(self, batch):
        self.batch = batch
        self._lock = threading.Lock()
        self._items = []

    def add(self, item_id, token):
        """Note a sent item; returns the batch to mark sent when this one filled it, else an empty list."""
        with self._lock:
            self._items.append((item_id, token))
            if len(self._items) < self.batch:
                return []
            taken, self._items = self._items, []
        return taken

    def take(self):
        """Every item noted and not yet taken."""
        with self._lock:
            taken, self._items = self._items, []
        return taken


def _confirm(sent, now):
    """Mark the items of `sent` ((item id, claim token) pairs) sent in one transaction, with what each kind does
    once delivered. Should the batch fail (one kind's `delivered` raises), each item is marked in a transaction of
    its own, so that only the broken one is left to its lease and sent again."""
    if not sent:
        return
    try:
        _mark_sent(sent, now)
    except Exception:  # noqa: BLE001 - one broken item must not leave the others unmarked
        db.session.rollback()
        for claim in sent:
            try:
                _mark_sent([claim], now)
            except Exception:  # noqa: BLE001 - its lease runs out and it is delivered again (at least once)
                db.session.rollback()
                log.exception("Outbox item %s was sent but could not be marked sent", claim[0])


def _mark_sent(claims, now):
    for item in services.confirm_sent_many(claims, now):
        delivered = registry.kind_of(item.kind).delivered
        if delivered is not None:
            delivered(item, now)
    db.session.commit()


def _failed(item_id, token, error, now):
    item = services.record_failure(item_id, token, error.reason, error.permanent, now)
    failed = registry.kind_of(item.kind).failed if item is not None else None
    if failed is not None:
        failed(item, now)
    db.session.commit()
    return "failed"


def deliver_due(now, config, senders=domain.SENDERS):
    """Deliver every item due at `now` (more become due while it runs: retries, leases run out) with `senders`
    threads, until none is left. Returns (sent, failed).

    Each claim is committed before its items are sent, and is a lease that this sweep renews while it works: a
    sweep that dies leaves its items to the next one once the lease ends, never lost (and, as a delivery may have
    left before the death, sent at least once). One receiver holds at most domain.lane_limit(senders) threads; its
    other items wait in the table, due, so a slow receiver slows its own items only. Outcomes are recorded at `now`;
    claims and leases follow a clock that runs on from `now` as real time does."""
    # The app's own method, bound to it: a sending thread has no context through which current_app finds the app.
    app_context = current_app.app_context
    started = time.monotonic()
    # SQLite lets one writer in at a time and makes the others poll for the lock, sleeping between tries: the
    # senders take turns on a lock of their own instead, and are woken the moment it is free.
    database_turn = threading.Lock() if writes_are_serialized(db.session) else nullcontext()

    def clock():
        return now + timedelta(seconds=time.monotonic() - started)

    lane_limit, refill = domain.lane_limit(senders), max(1, senders // 2)
    sent = failed = 0
    running = {}  # future -> (item id, lane, token)
    sent_items = SentItems(refill)
    renew_at = started + domain.LEASE_RENEW_EVERY.total_seconds()
    with ThreadPoolExecutor(max_workers=senders, thread_name_prefix="outbox") as pool:
        while True:
            # Claims are made for half the senders or more at once: a claim per finished item would cost a
            # transaction per item besides the item's own.
            if senders - len(running) >= refill:
                with database_turn:
                    _start_due(running, senders, lane_limit, clock, lambda item_id, token: pool.submit(
                        _deliver_one, app_context, item_id, token, config, now, database_turn, sent_items=sent_items))
            if not running:
                with database_turn:
                    _confirm(sent_items.take(), now)
                break
            done, _pending = wait(running, timeout=max(0.0, renew_at - time.monotonic()), return_when=FIRST_COMPLETED)
            for future in done:
                item_id, _lane, token = running.pop(future)
                try:
                    outcome = future.result()
                except Exception:  # noqa: BLE001 - one broken item must not stop the others; its lease runs out
                    log.exception("Outbox item %s could not be delivered", item_id)
                    continue
                sent += outcome == "sent"
                failed += outcome == "failed"
            if time.monotonic() >= renew_at:
                # Sent items not in a full batch yet (the other senders wait on slow receivers) are marked now,
                # well within their leases, which are no longer renewed.
                with database_turn:
                    _confirm(sent_items.take(), now)
                    _renew(running.values(), clock() + domain.LEASE)
                renew_at = time.monotonic() + domain.LEASE_RENEW_EVERY.total_seconds()
    return sent, failed


def _start_due(running, senders, lane_limit, clock, submit):
    """Claim due items for the free senders and start them, skipping receivers that have their share; what a
    claim took beyond a receiver's share goes back at once (that receiver is full now: the next claim skips it).
    Returns when the senders are busy or nothing is due."""
    while len(running) < senders:
        busy = Counter(lane for _id, lane, _token in running.values())
        full = [lane for lane, count in busy.items() if count >= lane_limit]
        rows, token = services.claim_due(clock(), limit=senders - len(running), lease=domain.LEASE, skip_lanes=full)
        starting, held_back = [], []
        for item_id, transport, shop_id in rows:
            lane = domain.lane(transport, shop_id)
            if busy[lane] < lane_limit:
                busy[lane] += 1
                starting.append((item_id, lane))
            else:
                held_back.append(item_id)
        services.unclaim(held_back, token)
        db.session.commit()  # before any sender reads the item: it checks that the claim is its own
        for item_id, lane in starting:
            running[submit(item_id, token)] = (item_id, lane, token)
        if not rows:
            return


def _renew(claims, until):
    by_token = {}
    for item_id, _lane, token in claims:
        by_token.setdefault(token, []).append(item_id)
    for token, item_ids in by_token.items():
        services.renew_leases(item_ids, token, until)
    db.session.commit()
