"""The scheduler's response-clock sweep, timed with a backlog of overdue clocks and again with nothing due."""
import time
from datetime import timedelta

from sqlalchemy import delete, exists, func, insert, select, update

from benchmarks.measure import percentile
from sellerkit.clock import utcnow
from sellerkit.extensions import db
from sellerkit.sla.models import Notification, ResponseClock
from sellerkit.threads.models import Message, Thread

CHUNK = 5000
STEADY_RUNS = 7


def _open_clock_ids(count, now):
    """`count` open clocks: the waiting threads' ones, topped up with new clocks on answered threads when there are
    fewer (Etsy shops start no clock for a later buyer message, so M has fewer than 10,000)."""
    ids = list(db.session.scalars(select(ResponseClock.id).where(ResponseClock.status == "open")
                                  .order_by(ResponseClock.id).limit(count)))
    missing = count - len(ids)
    if missing > 0:
        latest = (select(Thread.shop_id, Thread.id, func.max(Message.id))
                  .join(Message, Message.thread_id == Thread.id)
                  .where(Message.direction == "in", ~exists().where(ResponseClock.thread_id == Thread.id,
                                                                     ResponseClock.status == "open"))
                  .group_by(Thread.shop_id, Thread.id).order_by(Thread.id).limit(missing))
        started = now - timedelta(days=2)
        rows = [{"shop_id": shop_id, "thread_id": thread_id, "message_id": message_id, "started_at": started,
                 "due_at": started + timedelta(hours=24), "warn_at": started + timedelta(hours=20), "status": "open"}
                for shop_id, thread_id, message_id in db.session.execute(latest)]
        if rows:
            db.session.execute(insert(ResponseClock.__table__), rows)
        db.session.commit()
        ids = list(db.session.scalars(select(ResponseClock.id).where(ResponseClock.status == "open")
                                      .order_by(ResponseClock.id).limit(count)))
    return ids


def _make_overdue(ids, now):
    """Deadlines an hour ago and nothing recorded yet: a scheduler coming back after an outage."""
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        db.session.execute(delete(Notification).where(Notification.clock_id.in_(chunk)))
        db.session.execute(update(ResponseClock).where(ResponseClock.id.in_(chunk)).values(
            due_at=now - timedelta(hours=1), warn_at=now - timedelta(hours=5), warned_at=None, breached_at=None))
    db.session.commit()


def _timed(work):
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def measure(app, backlog):
    """Backlog: one sweep (and one run of the whole job) over `backlog` overdue clocks; steady: the median sweep
    with nothing due. Seconds for the backlog, milliseconds for the steady state."""
    from sellerkit import jobs
    from sellerkit.sla import services as sla

    def sweep():
        sla.sweep(utcnow())
        db.session.commit()

    with app.app_context():
        now = utcnow()
        ids = _open_clock_ids(backlog, now)
        _make_overdue(ids, now)
        backlog_sweep = _timed(sweep)
        breaches = db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "breach", Notification.clock_id.in_(ids[:CHUNK])))
        _make_overdue(ids, utcnow())
        backlog_job = _timed(jobs.sweep_response_clocks)
        steady_sweep = [_timed(sweep) for _ in range(STEADY_RUNS)]
        steady_job = [_timed(jobs.sweep_response_clocks) for _ in range(STEADY_RUNS)]
        db.session.remove()
    return {"backlog_clocks": len(ids), "backlog_breaches_recorded_first_chunk": breaches,
            "backlog_sweep_s": round(backlog_sweep, 3), "backlog_job_s": round(backlog_job, 3),
            "steady_sweep_ms": round(percentile(steady_sweep, 0.5) * 1000, 2),
            "steady_job_ms": round(percentile(steady_job, 0.5) * 1000, 2)}
