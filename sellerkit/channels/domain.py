"""Pure rules of channels: their state, how long a failing one waits, what a day's count is."""
from datetime import timedelta

#: How often a working channel is fetched.
POLL_EVERY = timedelta(minutes=1)
#: How long a poll holds a channel before another may take it (the poller died).
LEASE = timedelta(minutes=5)
FIRST_BACKOFF = timedelta(minutes=1)
LONGEST_BACKOFF = timedelta(hours=1)


def state_of(channel):
    """active, paused or failing (its last fetch failed)."""
    if channel.is_paused:
        return "paused"
    return "failing" if channel.failing_since is not None else "active"


def backoff(failures, retry_after=None):
    """How long to wait after the `failures`-th failure in a row: a minute, doubling up to an hour, unless the
    platform said when to come back (kept within a day)."""
    if retry_after:
        return timedelta(seconds=min(max(int(retry_after), 1), 24 * 3600))
    return min(FIRST_BACKOFF * 2 ** max(failures - 1, 0), LONGEST_BACKOFF)


def fetched_today(count, counted_day, now):
    """The day's count after a fetch at `now` (UTC days): a new day starts from zero."""
    return count if counted_day == now.date() else 0
