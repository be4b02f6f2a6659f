"""The server-sent events of one member's open page: their shops' changes as they are committed, with heartbeats."""
import time

from sellerkit.live import events
from sellerkit.live.waker import waker_for

#: A comment line this often keeps proxies from closing a quiet stream and finds a browser that left.
HEARTBEAT_SECONDS = 15
#: The browser's wait before it reconnects (with Last-Event-ID) after the stream ends or drops.
RETRY_MILLISECONDS = 1000


def event_lines(event_id, thread_id):
    """One change as SSE messages: the lists refresh on `inbox`, an open conversation on `thread-<id>`, the
    notifications badge on `notices`; the id on the last, so a reconnect resumes after the whole change."""
    names = ["inbox"] + ([f"thread-{thread_id}"] if thread_id else []) + ["notices"]
    lines = [f"event: {name}\ndata: {event_id}\n\n" for name in names[:-1]]
    lines.append(f"event: {names[-1]}\ndata: {event_id}\nid: {event_id}\n\n")
    return "".join(lines)


def stream(extensions, engine, shop_ids, after, seconds):
    """Yield the events of `shop_ids` after the id `after` for `seconds`, then end: the browser reconnects with the
    last id it got, and the new stream checks the member's shops again."""
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    if not shop_ids:
        return
    waker = waker_for(extensions, engine)
    ends_at = time.monotonic() + seconds
    written_at = time.monotonic()
    generation = waker.generation
    while time.monotonic() < ends_at:
        with engine.connect() as connection:
            rows = events.events_after(connection, shop_ids, after)
        if rows:
            after = rows[-1].id
            written_at = time.monotonic()
            yield "".join(event_lines(row.id, row.thread_id) for row in rows)
            if len(rows) == events.BATCH:
                continue
        elif time.monotonic() - written_at >= HEARTBEAT_SECONDS:
            written_at = time.monotonic()
            yield ": heartbeat\n\n"
        wait = min(HEARTBEAT_SECONDS - (time.monotonic() - written_at), ends_at - time.monotonic())
        generation = waker.wait(generation, max(wait, 0.05))
