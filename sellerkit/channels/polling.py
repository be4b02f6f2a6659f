"""The poll sweep: claim due channels under a lease, fetch each outside any transaction, then store the messages and
the new cursor together in one transaction, so a poller that dies loses nothing and stores nothing twice."""
import copy
import io
import logging
import secrets as token_source
import time
from datetime import timedelta

from sqlalchemy import and_, false, or_, select, update

from sellerkit import inbox
from sellerkit.channels import crypto, domain
from sellerkit.channels.kinds import ChannelError, kind_named
from sellerkit.channels.models import Channel
from sellerkit.dialects.locking import skipping_locked
from sellerkit.extensions import db
from sellerkit.outbox import services as outbox
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Thread

log = logging.getLogger(__name__)

#: Messages asked of a kind per fetch: each batch is stored in one transaction, which on SQLite holds the write
#: lock while it runs, so batches stay small enough for the other writers to get their turn soon.
BATCH = 50
#: How long one channel may keep a poller busy with `more` batches before the others get their turn.
BUDGET_SECONDS = 20


def claim_due(now, limit=10, lease=domain.LEASE):
    """Claim up to `limit` due channels for this poller and return (ids, token); the caller commits the claim.

    Due are channels not paused whose next fetch has come and that no live poller holds. On PostgreSQL the rows
    are picked with FOR UPDATE SKIP LOCKED; SQLite serialises writers. The UPDATE repeats the condition and returns
    only the rows it marked, so a channel is never held by two pollers at once."""
    token = token_source.token_hex(16)
    is_due = and_(Channel.is_paused == false(), Channel.next_fetch_at <= now,
                  or_(Channel.lease_until.is_(None), Channel.lease_until < now))
    due = select(Channel.id).where(is_due).order_by(Channel.next_fetch_at, Channel.id).limit(limit)
    due = skipping_locked(db.session, due).cte("due").prefix_with("MATERIALIZED", dialect="postgresql")
    ids = db.session.scalars(
        update(Channel).where(Channel.id.in_(select(due.c.id)), is_due)
        .values(lease_token=token, lease_until=now + lease).returning(Channel.id)
    ).all()
    return sorted(ids), token


def poll_due(now, limit=10, budget_seconds=BUDGET_SECONDS):
    """Fetch every channel due at `now` (claimed `limit` at a time) until none is; returns how many were polled."""
    started = time.monotonic()

    def clock():
        return now + timedelta(seconds=time.monotonic() - started)

    polled = 0
    while True:
        ids, token = claim_due(clock(), limit)
        db.session.commit()
        if not ids:
            return polled
        for channel_id in ids:
            poll_one(channel_id, token, clock, budget_seconds)
            polled += 1


def poll_one(channel_id, token, clock, budget_seconds=BUDGET_SECONDS):
    """Fetch one claimed channel batch after batch while the kind says there is more, within the budget."""
    channel = db.session.get(Channel, channel_id)
    if channel is None or channel.lease_token != token:
        db.session.rollback()
        return
    kind = kind_named(channel.kind)
    settings, cursor = copy.deepcopy(channel.settings or {}), copy.deepcopy(channel.cursor)
    try:
        secrets = crypto.decrypt_secrets(channel.secrets)
    except crypto.KeyUnavailable:
        kind, secrets = None, None
        failure = ChannelError("key")
    else:
        failure = None if kind is not None else ChannelError("unknown_kind")
    db.session.rollback()  # no transaction stays open while the kind talks to its platform
    if failure is not None:
        _record_failure(channel_id, token, failure, clock())
        return
    deadline = time.monotonic() + budget_seconds
    while True:
        saved = copy.deepcopy(secrets)
        try:
            batch = kind.fetch(settings, secrets, cursor, BATCH, clock())
        except ChannelError as error:
            _record_failure(channel_id, token, error, clock(), secrets if secrets != saved else None)
            return
        except Exception:  # noqa: BLE001 - a kind's bug must not stop the sweep; the channel shows it and waits
            log.exception("Channel %s could not be fetched", channel_id)
            _record_failure(channel_id, token, ChannelError("server"), clock())
            return
        more = bool(batch.more) and time.monotonic() < deadline
        try:
            stored = _store(channel_id, token, kind, batch, clock(), keep_lease=more,
                            changed_secrets=secrets if secrets != saved else None)
        except Exception:  # noqa: BLE001 - nothing of the batch was kept; the channel shows it and tries again later
            db.session.rollback()
            log.exception("Channel %s: what it fetched could not be stored", channel_id)
            _record_failure(channel_id, token, ChannelError("server"), clock())
            return
        if not stored:
            return  # the lease was taken back meanwhile: the other poller starts from the stored cursor
        if not more:
            return
        cursor = batch.cursor


def _store(channel_id, token, kind, batch, now, *, keep_lease, changed_secrets):
    """One transaction: the kind links the messages, the inbox stores them, their threads learn the channel, and
    the cursor and figures move on. Returns False (and stores nothing) when this poller no longer holds the lease."""
    channel = db.session.get(Channel, channel_id, populate_existing=True)
    if channel is None or channel.lease_token != token:
        db.session.rollback()
        return False
    shop = db.session.get(Shop, channel.shop_id)
    fetched = kind.link(shop, channel, batch.messages, now)
    results = inbox.receive_buyer_messages(shop, [item.inbound for item in fetched], now,
                                           files=[_streams(item.files) for item in fetched],
                                           history=not channel.is_backfilled)
    kind.after_store(shop, channel, fetched, results, now)
    new_threads = {result.received.thread.id for result in results
                   if result.status == "created" and result.received.thread.channel_id is None}
    if new_threads:
        db.session.execute(update(Thread).where(Thread.id.in_(new_threads), Thread.channel_id.is_(None))
                           .values(channel_id=channel.id))
        # An auto-reply queued before its conversation knew the channel leaves through the channel too.
        outbox.use_transport([result.received.auto_reply.id for result in results
                              if result.received is not None and result.received.auto_reply is not None],
                             "channel", now)
    created = sum(result.status == "created" for result in results)
    channel.cursor = batch.cursor
    channel.fetched_today = domain.fetched_today(channel.fetched_today, channel.fetched_day, now) + created
    channel.fetched_day = now.date()
    channel.backlog = batch.backlog if batch.more else 0
    channel.last_success_at, channel.consecutive_failures, channel.failing_since = now, 0, None
    if not batch.more:
        channel.is_backfilled = True
    if changed_secrets is not None:
        channel.secrets = crypto.encrypt_secrets(changed_secrets)
    if keep_lease:
        channel.lease_until = now + domain.LEASE
    else:
        channel.lease_token, channel.lease_until = None, None
        # Out of time with more waiting: due again at once, for whichever poller comes first.
        channel.next_fetch_at = now if batch.more else now + domain.POLL_EVERY
    db.session.commit()
    return True


def _streams(files):
    """A fetched message's files, (filename, content type, bytes), as the (filename, stream) pairs attachments take."""
    return [(filename, io.BytesIO(content)) for filename, _content_type, content in files]


def _record_failure(channel_id, token, error, now, changed_secrets=None):
    """The channel waits (a minute, doubling up to an hour, or as the platform said) and shows the failure."""
    channel = db.session.get(Channel, channel_id, populate_existing=True)
    if channel is None or channel.lease_token != token:
        db.session.rollback()
        return
    channel.consecutive_failures += 1
    channel.failing_since = channel.failing_since or now
    channel.last_error_code, channel.last_error_at = error.code[:40], now
    channel.next_fetch_at = now + domain.backoff(channel.consecutive_failures, error.retry_after)
    channel.lease_token, channel.lease_until = None, None
    if changed_secrets is not None:
        channel.secrets = crypto.encrypt_secrets(changed_secrets)
    # The code only: a kind's detail may quote the server, and a server may echo what it was sent.
    log.warning("Channel %s failed to fetch (%s); next try at %s", channel_id, error.code,
                channel.next_fetch_at.isoformat())
    db.session.commit()
