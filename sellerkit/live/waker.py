"""Wakes a process's open streams when new events may be there: PostgreSQL LISTEN, or a poll of the table."""
import threading
import time

import psycopg
from sqlalchemy import func, select

from sellerkit.live.events import CHANNEL
from sellerkit.live.models import LiveEvent

#: How often SQLite's poller looks for a new event: the delay a page may see beyond the commit.
POLL_SECONDS = 0.2
#: A waker that no stream has used this long stops its thread; the next stream starts another.
IDLE_SECONDS = 60


class Waker:
    """One thread per process watches for new events and wakes every stream waiting in wait()."""

    def __init__(self, engine):
        self.engine = engine
        self.changed = threading.Condition()
        self.generation = 0
        self.used_at = time.monotonic()
        self.thread = threading.Thread(target=self._run, name="sellerkit-live", daemon=True)
        self.thread.start()

    def wait(self, generation, timeout):
        """Block until the generation moves past `generation` or `timeout` passes; returns the current one."""
        self.used_at = time.monotonic()
        with self.changed:
            self.changed.wait_for(lambda: self.generation != generation, timeout)
            return self.generation

    def _wake(self):
        with self.changed:
            self.generation += 1
            self.changed.notify_all()

    def is_running(self):
        return self.thread.is_alive()

    def _idle(self):
        return time.monotonic() - self.used_at > IDLE_SECONDS

    def _run(self):
        while not self._idle():
            try:
                if self.engine.dialect.name == "postgresql":
                    self._listen()
                else:
                    self._poll()
            except Exception:  # noqa: BLE001 - a lost database must not end live pages for good: try again
                self._wake()  # streams look for themselves meanwhile
                time.sleep(1)

    def _listen(self):
        url = self.engine.url.set(drivername="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            self._wake()  # anything committed before LISTEN took hold
            while not self._idle():
                for _notice in connection.notifies(timeout=5):
                    self._wake()

    def _poll(self):
        last = None
        while not self._idle():
            with self.engine.connect() as connection:
                newest = connection.scalar(select(func.max(LiveEvent.id)))
            if newest != last:
                last = newest
                self._wake()
            time.sleep(POLL_SECONDS)


_lock = threading.Lock()


def waker_for(extensions, engine):
    """The process's waker, started by the first stream (nothing runs at import time or for other pages)."""
    with _lock:
        waker = extensions.get("sellerkit.live_waker")
        if waker is None or not waker.is_running():
            waker = extensions["sellerkit.live_waker"] = Waker(engine)
        return waker
