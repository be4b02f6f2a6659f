"""A request budget that every process shares (schedulers and outbox senders alike): N requests per period per key."""
import json
import time

from sqlalchemy import Float, String, Text, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from sellerkit.extensions import db


class RateWindow(db.Model):
    """The recent requests to one platform account. The row is locked while a process takes a turn (on SQLite every
    write transaction holds the write lock), so two processes never both take the last free turn."""

    __tablename__ = "rate_windows"

    #: The platform and its account, e.g. "wildberries:seller:123" (never a key or token itself).
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: The moments (Unix seconds) of the requests within the last period, oldest first, as a JSON list.
    recent: Mapped[str] = mapped_column(Text, default="[]")
    #: No request before this moment (Unix seconds): the platform answered 429 and said when to come back.
    blocked_until: Mapped[float] = mapped_column(Float, default=0.0)


class RateLimited(Exception):
    """No turn is free within the wait allowed; `retry_after` says in how many seconds one will be."""

    def __init__(self, retry_after):
        super().__init__(f"no request allowed for {retry_after:.1f} s")
        self.retry_after = retry_after


def _locked_row(connection, key):
    lookup = select(RateWindow.recent, RateWindow.blocked_until).where(RateWindow.key == key).with_for_update()
    row = connection.execute(lookup).first()
    if row is None:
        try:
            with connection.begin_nested():
                connection.execute(insert(RateWindow).values(key=key, recent="[]", blocked_until=0.0))
        except IntegrityError:
            pass  # another process created it a moment ago; the select below waits for its lock
        row = connection.execute(lookup).first()
    return row


#: A request still under way after this many seconds died with its process (requests time out sooner).
STALE = 120.0


def _counted_at(moment, now):
    """When a turn counts: a finished request from its end; one still under way (stored negative, its start) as if
    it ended now, since the platform may not have counted it yet."""
    return moment if moment > 0 else min(now, -moment + STALE)


def take_turn(key, limit, period, now):
    """Take one request turn for `key` at `now` (Unix seconds) in a transaction of its own; returns 0 when taken,
    else how many seconds until one is free. The turn stays "under way" until finish_turn."""
    with db.engine.connect() as connection, connection.begin():
        row = _locked_row(connection, key)
        if row.blocked_until > now:
            return row.blocked_until - now
        recent = [moment for moment in json.loads(row.recent or "[]") if _counted_at(moment, now) > now - period]
        counted = sorted(_counted_at(moment, now) for moment in recent)
        if len(counted) >= limit:
            return max(counted[-limit] + period - now, 0.01)
        recent.append(-now)
        connection.execute(update(RateWindow).where(RateWindow.key == key).values(recent=json.dumps(recent)))
        return 0


def finish_turn(key, started, finished):
    """The request of the turn taken at `started` ended at `finished`: the platform counted it at some moment in
    between, so the turn is counted from the end, the latest it can be."""
    with db.engine.connect() as connection, connection.begin():
        row = _locked_row(connection, key)
        recent = json.loads(row.recent or "[]")
        if -started in recent:
            recent[recent.index(-started)] = finished
            connection.execute(update(RateWindow).where(RateWindow.key == key).values(recent=json.dumps(recent)))


def block(key, seconds, now):
    """The platform said to wait `seconds`: no process sends for `key` before then."""
    with db.engine.connect() as connection, connection.begin():
        row = _locked_row(connection, key)
        until = max(row.blocked_until, now + seconds)
        connection.execute(update(RateWindow).where(RateWindow.key == key).values(blocked_until=until))


class SharedBudget:
    """`limit` requests per `period` seconds per key, across processes. `acquire` waits for a turn up to `max_wait`
    seconds, then raises RateLimited; the clock and the sleep are real time, shared by every process."""

    def __init__(self, limit, period, max_wait, clock=time.time, sleep=time.sleep):
        self.limit, self.period, self.max_wait = limit, period, max_wait
        self.clock, self.sleep = clock, sleep

    def acquire(self, key):
        """Wait for a turn and take it; returns its moment, to hand to `finish` once the request ended."""
        deadline = self.clock() + self.max_wait
        while True:
            moment = self.clock()
            wait = take_turn(key, self.limit, self.period, moment)
            if wait <= 0:
                return moment
            if self.clock() + wait > deadline:
                raise RateLimited(wait)
            self.sleep(wait + 0.01)

    def finish(self, key, moment):
        finish_turn(key, moment, self.clock())

    def hold(self, key, seconds):
        block(key, seconds, self.clock())
