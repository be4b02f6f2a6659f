"""Reading offset-paged conversations (Allegro, eBay) from the channel's cursor: sweeps, a queue, reading points."""
from datetime import timedelta

from sellerkit.channels.marketplace import parse_time

#: A conversation changed this long before a sweep started is looked at again by the next one: a list paged by
#: offset moves under a sweep while buyers write.
SWEEP_OVERLAP = timedelta(minutes=10)
#: Messages this close before the last one taken are read again (and skipped by id): equal times stay whole.
SAME_TIME = timedelta(seconds=1)
#: Conversations whose reading point the cursor keeps (the cursor is written with every batch, so it stays small);
#: one forgotten is read from the sweep's mark, and a message read twice is still stored once.
REMEMBERED = 1000


def begin(source, now):
    """The sweep in progress of a source ({"mark", "sweep"}), a new one when none is."""
    if source["sweep"] is None:
        source["sweep"] = {"offset": 0, "started": now.isoformat(), "top": source["mark"]}
    return source["sweep"]


def saw(source, changed_at):
    """A conversation of the sweep changed at `changed_at`."""
    top = source["sweep"]["top"]
    if changed_at and (top is None or parse_time(changed_at) > parse_time(top)):
        source["sweep"]["top"] = changed_at


def end(source):
    """The sweep is over: the next starts from the latest change it saw, but no later than its own start."""
    sweep = source["sweep"]
    started = (parse_time(sweep["started"]) - SWEEP_OVERLAP).isoformat()
    source["mark"] = min(sweep["top"], started, key=parse_time) if sweep["top"] else source["mark"]
    source["sweep"] = None


def is_new(source, changed_at):
    mark = source["mark"]
    return not mark or not changed_at or parse_time(changed_at) > parse_time(mark)


def enqueue(state, entry, mark):
    """Queue a conversation ({"key", ...}) to read from where its last reading ended, else from `mark`."""
    if any(queued["key"] == entry["key"] for queued in state["queue"]):
        return
    entry.update({"after": mark, "seen": []})
    entry.update(state.get("read", {}).get(entry["key"], {}))
    state["queue"].append(entry)


def take(state, messages, room, time_of, id_of):
    """The first queued conversation's `messages` not taken before, oldest first, at most `room`; the
    conversation leaves the queue once all are taken, and where its reading ended is remembered."""
    entry = state["queue"][0]
    previous, seen = entry["after"], set(entry["seen"])
    after = parse_time(previous) if previous else None
    fresh = sorted((m for m in messages if id_of(m) not in seen and (after is None or parse_time(time_of(m)) > after)),
                   key=lambda m: parse_time(time_of(m)))
    taken = fresh[:room]
    if taken:
        newest = parse_time(time_of(taken[-1]))
        entry["after"] = (newest - SAME_TIME).isoformat()
        entry["seen"] = sorted({id_of(m) for m in taken if parse_time(time_of(m)) >= newest - SAME_TIME}
                               | (seen if entry["after"] == previous else set()))
    if len(taken) == len(fresh):
        state["queue"].pop(0)
        remembered = state.setdefault("read", {})
        remembered.pop(entry["key"], None)
        remembered[entry["key"]] = {"after": entry["after"], "seen": entry["seen"]}
        while len(remembered) > REMEMBERED:
            remembered.pop(next(iter(remembered)))
    return taken
