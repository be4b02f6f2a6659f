"""The server-sent events of one member's open page: their shops' changes as they are committed, with heartbeats."""
import time

from sellerkit.database import READ_ONLY
from sellerkit.live import events
from sellerkit.live.waker import LOOKBACK_IDS, waker_for

#: A comment line this often keeps proxies from closing a quiet stream and finds a browser that left.
HEARTBEAT_SECONDS = 15
#: The browser's wait before it reconnects (with Last-Event-ID) after the stream ends or drops.
RETRY_MILLISECONDS = 1000


def event_lines(thread_id, resume_id):
    """One change as SSE messages: the lists refresh on `inbox`, an open conversation on `thread-<id>`, the
    notifications badge on `notices`; the last carries the id a reconnect resumes after."""
    names = ["inbox"] + ([f"thread-{thread_id}"] if thread_id else []) + ["notices"]
    lines = [f"event: {name}\ndata: {resume_id}\n\n" for name in names[:-1]]
    lines.append(f"event: {names[-1]}\ndata: {resume_id}\nid: {resume_id}\n\n")
    return "".join(lines)


class _Sender:
    """The events one stream has sent: each once, and the id to resume after (the highest sent)."""

    def __init__(self, after):
        self.after = after
        self.sent = set()

    def lines(self, rows):
        """SSE text for the (id, thread id) rows not sent yet."""
        out = []
        for event_id, thread_id in rows:
            if event_id in self.sent or event_id <= self.after - LOOKBACK_IDS:
                continue
            self.sent.add(event_id)
            self.after = max(self.after, event_id)
            out.append(event_lines(thread_id, self.after))
        self.sent = {event_id for event_id in self.sent if event_id > self.after - LOOKBACK_IDS}
        return "".join(out)


def _from_table(engine, shop_ids, after):
    """The shops' events after `after`, read from the table: a stream's catch-up, on its own connection."""
    rows = []
    while True:
        with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
            batch = events.events_after(connection, shop_ids, after)
        rows += [(row.id, row.thread_id) for row in batch]
        if len(batch) < events.BATCH:
            return rows
        after = batch[-1].id


def stream(extensions, engine, shop_ids, after, seconds, *, idle_seconds):
    """Yield the events of `shop_ids` after the id `after` for `seconds`, then end: the browser reconnects with the
    last id it got, and the new stream checks the member's shops again. The process's reader finds new events
    for every stream at once; the table is read only to catch up."""
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    if not shop_ids:
        return
    shops = set(shop_ids)
    waker = waker_for(extensions, engine, idle_seconds)
    ends_at = time.monotonic() + seconds
    written_at = time.monotonic()
    sender = _Sender(after)
    position = waker.position  # taken before the catch-up: what is found meanwhile is sent once all the same
    text = sender.lines(_from_table(engine, shop_ids, after))
    while True:
        if text:
            written_at = time.monotonic()
            yield text
        elif time.monotonic() - written_at >= HEARTBEAT_SECONDS:
            written_at = time.monotonic()
            yield ": heartbeat\n\n"
        wait = min(HEARTBEAT_SECONDS - (time.monotonic() - written_at), ends_at - time.monotonic())
        if wait <= 0 and time.monotonic() >= ends_at:
            return
        waker.wait(position, max(wait, 0.05))
        if waker.stopped:  # the app is closing (stop_reader)
            return
        found = waker.since(position)
        if found is None or not waker.is_running():
            # Behind the reader's log, or the reader stopped (idle as this stream came): read the table itself.
            waker = waker_for(extensions, engine, idle_seconds)
            position = waker.position
            text = sender.lines(_from_table(engine, shop_ids, sender.after))
            continue
        if found:
            position = found[-1][0]
        text = sender.lines((event_id, thread_id) for _position, event_id, shop_id, thread_id in found
                            if shop_id in shops)
