"""Publishing changes for open pages: one row per change in the change's own transaction, read back by the streams."""
from datetime import timedelta

from sqlalchemy import delete, func, insert, select, text

from sellerkit.extensions import db
from sellerkit.live.models import LiveEvent

#: PostgreSQL's channel that wakes the streams of every process when events are committed.
CHANNEL = "sellerkit_live"
#: How long events stay for a stream that reconnects; a page away longer reloads what it shows.
KEPT = timedelta(minutes=30)
#: The most events one read sends; a stream reads again at once when it got this many.
BATCH = 200


def publish(shop_id, kind, thread_id, now, **payload):
    """Announce a change of a shop (and of one of its conversations) to the pages open on it, in the caller's
    transaction: it is seen when, and only if, the change is committed."""
    db.session.add(LiveEvent(shop_id=shop_id, kind=kind, thread_id=thread_id, payload=payload, created_at=now))
    _notify()


def publish_many(rows, kind, now):
    """The same for many changes at once, `rows` of (shop id, thread id), in one statement (the sweeps)."""
    if rows:
        db.session.execute(insert(LiveEvent.__table__), [
            {"shop_id": shop_id, "kind": kind, "thread_id": thread_id, "payload": {}, "created_at": now}
            for shop_id, thread_id in rows])
        _notify()


def _notify():
    # PostgreSQL delivers a NOTIFY when its transaction commits, and never for one rolled back.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


def latest_id(connection, shop_ids):
    """The id of the shops' newest event (0 when there is none): where a page rendered now starts listening."""
    if not shop_ids:
        return 0
    return connection.scalar(select(func.max(LiveEvent.id)).where(LiveEvent.shop_id.in_(shop_ids))) or 0


def events_after(connection, shop_ids, after):
    """The shops' events after the id `after`, oldest first, at most BATCH: (id, kind, thread id) rows."""
    return connection.execute(
        select(LiveEvent.id, LiveEvent.kind, LiveEvent.thread_id)
        .where(LiveEvent.shop_id.in_(shop_ids), LiveEvent.id > after).order_by(LiveEvent.id).limit(BATCH)).all()


def prune(now):
    """Drop events older than KEPT; returns how many."""
    return db.session.execute(delete(LiveEvent).where(LiveEvent.created_at < now - KEPT)).rowcount


def is_announced(message_id):
    """True when this transaction already announced the message (a batch and its single messages both call in)."""
    announced = db.session.info.setdefault("sellerkit.live_announced", set())
    if message_id in announced:
        return True
    announced.add(message_id)
    return False
