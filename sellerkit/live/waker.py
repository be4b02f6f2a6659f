"""One reader of new events per process, shared by its open streams: woken by PostgreSQL LISTEN, or polling."""
import threading
import time
from collections import deque

import psycopg
from sqlalchemy import select

from sellerkit.live.events import CHANNEL
from sellerkit.live.models import LiveEvent

#: How often the SQLite reader looks for new events: the delay a page may see beyond the commit.
POLL_SECONDS = 0.2
#: A reader that no stream has used this long stops its thread; the next stream starts another.
IDLE_SECONDS = 60
#: Each read looks this many ids back as well: on PostgreSQL a transaction may commit after one that took a
#: later id, and its event must not be skipped.
LOOKBACK_IDS = 100
#: The events a reader keeps for its streams; a stream further behind reads the table itself.
KEPT_EVENTS = 5000


class Waker:
    """Reads the events committed since its last read once for all of the process's streams, and wakes them.

    Streams read from `log`, a list of (position, id, shop id, thread id) in the order the events were found, from
    their own position on: 200 open pages cost one query per change, not 200."""

    def __init__(self, engine):
        self.engine = engine
        self.changed = threading.Condition()
        self.position = 0
        self.log = deque(maxlen=KEPT_EVENTS)
        self.found = set()
        self.newest_id = None
        self.used_at = time.monotonic()
        self.thread = threading.Thread(target=self._run, name="sellerkit-live", daemon=True)
        self.thread.start()

    def wait(self, position, timeout):
        """Block until events past `position` are found or `timeout` passes; returns the current position."""
        self.used_at = time.monotonic()
        with self.changed:
            self.changed.wait_for(lambda: self.position != position, timeout)
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
        return time.monotonic() - self.used_at > IDLE_SECONDS

    def _read(self):
        """Take in the events committed since the last read (and any late ones just below it)."""
        with self.engine.connect() as connection:
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
                time.sleep(1)

    def _listen(self):
        url = self.engine.url.set(drivername="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            self._read()  # anything committed before LISTEN took hold
            while not self._idle():
                for _notice in connection.notifies(timeout=5):
                    self._read()

    def _poll(self):
        while not self._idle():
            self._read()
            time.sleep(POLL_SECONDS)


_lock = threading.Lock()


def waker_for(extensions, engine):
    """The process's reader, started by the first stream (nothing runs at import time or for other pages)."""
    with _lock:
        waker = extensions.get("sellerkit.live_waker")
        if waker is None or not waker.is_running():
            waker = extensions["sellerkit.live_waker"] = Waker(engine)
        return waker
