"""One reader of new events per process, shared by its open streams: woken by PostgreSQL LISTEN, or polling."""
import threading
import time
from collections import deque

import psycopg
from sqlalchemy import select

from sellerkit.database import READ_ONLY
from sellerkit.live.events import CHANNEL
from sellerkit.live.models import LiveEvent

#: How often the SQLite reader looks for new events: the delay a page may see beyond the commit.
POLL_SECONDS = 0.2
#: Each read looks this many ids back as well: on PostgreSQL a transaction may commit after one that took a
#: later id, and its event must not be skipped.
LOOKBACK_IDS = 100
#: The events a reader keeps for its streams; a stream further behind reads the table itself.
KEPT_EVENTS = 5000


class Waker:
    """Reads the events committed since its last read once for all of the process's streams, and wakes them.

    Streams read from `log`, a list of (position, id, shop id, thread id) in the order the events were found, from
    their own position on: 200 open pages cost one query per change, not 200."""

    def __init__(self, engine, idle_seconds):
        self.engine, self.idle_seconds = engine, idle_seconds
        self.changed = threading.Condition()
        self.position = 0
        self.log = deque(maxlen=KEPT_EVENTS)
        self.found = set()
        self.newest_id = None
        self.used_at = time.monotonic()
        #: Streams waiting in wait() right now: a reader with any is never idle.
        self.waiting = 0
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name="sellerkit-live", daemon=True)
        self.thread.start()

    def wait(self, position, timeout):
        """Block until events past `position` are found or `timeout` passes; returns the current position."""
        with self.changed:
            self.waiting += 1
            try:
                self.changed.wait_for(lambda: self.position != position or self.stopped, timeout)
            finally:
                self.waiting -= 1
                self.used_at = time.monotonic()
            return self.position

    def since(self, position):
        """The events found after `position`, oldest first; None when the log no longer reaches back that far."""
        with self.changed:
            if self.log and self.log[0][0] > position + 1:
                return None
            return [entry for entry in self.log if entry[0] > position]

    def is_running(self):
        return self.thread.is_alive()

    def _idle(self):
        return self.stopped or (self.waiting == 0 and time.monotonic() - self.used_at > self.idle_seconds)

    def _read(self):
        """Take in the events committed since the last read (and any late ones just below it)."""
        with self.engine.connect().execution_options(**{READ_ONLY: True}) as connection:
            if self.newest_id is None:  # a new reader starts from now: streams catch up on their own
                self.newest_id = connection.scalar(select(LiveEvent.id).order_by(LiveEvent.id.desc()).limit(1)) or 0
                self.found = set(connection.scalars(select(LiveEvent.id).where(
                    LiveEvent.id > self.newest_id - LOOKBACK_IDS)))
                return
            rows = connection.execute(
                select(LiveEvent.id, LiveEvent.shop_id, LiveEvent.thread_id)
                .where(LiveEvent.id > self.newest_id - LOOKBACK_IDS).order_by(LiveEvent.id)).all()
        fresh = [row for row in rows if row.id not in self.found]
        if not fresh:
            return
        with self.changed:
            for row in fresh:
                self.position += 1
                self.log.append((self.position, row.id, row.shop_id, row.thread_id))
                self.found.add(row.id)
            self.newest_id = max(self.newest_id, fresh[-1].id)
            self.found = {event_id for event_id in self.found if event_id > self.newest_id - LOOKBACK_IDS}
            self.changed.notify_all()

    def _run(self):
        while not self._idle():
            try:
                if self.engine.dialect.name == "postgresql":
                    self._listen()
                else:
                    self._poll()
            except Exception:  # noqa: BLE001 - a lost database must not end live pages for good: try again
                time.sleep(0 if self.stopped else 1)

    def _listen(self):
        url = self.engine.url.set(drivername="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            self._read()  # anything committed before LISTEN took hold
            while not self._idle():
                for _notice in connection.notifies(timeout=min(5, self.idle_seconds)):
                    self._read()

    def _poll(self):
        while not self._idle():
            self._read()
            time.sleep(POLL_SECONDS)


_lock = threading.Lock()


def waker_for(extensions, engine, idle_seconds):
    """The process's reader, started by the first stream (nothing runs at import time or for other pages); it stops
    when no stream has used it for `idle_seconds`."""
    with _lock:
        waker = extensions.get("sellerkit.live_waker")
        if waker is None or not waker.is_running():
            waker = extensions["sellerkit.live_waker"] = Waker(engine, idle_seconds)
        return waker


def stop_reader(extensions, timeout=10):
    """Stop the process's reader, if one runs, and wait for it (an app about to close its database connections);
    its streams end."""
    with _lock:
        waker = extensions.pop("sellerkit.live_waker", None)
    if waker is not None:
        with waker.changed:
            waker.stopped = True
            waker.changed.notify_all()  # its streams end now rather than at their next heartbeat
        waker.thread.join(timeout)
