"""Pure outbox rules: when to retry a failed delivery, and how long a claim may be held."""
from datetime import timedelta

MAX_ATTEMPTS = 8
#: Waits after the 1st, 2nd, ... failure: quick at first (a blip), then hours (an outage), about a day in all.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
           timedelta(hours=3), timedelta(hours=6), timedelta(hours=12))
CLAIM_TIMEOUT = timedelta(minutes=5)


def next_attempt_at(attempts, now, permanent):
    """When to try again after `attempts` failed tries, or None when it is time to give up."""
    if permanent or attempts >= MAX_ATTEMPTS:
        return None
    return now + BACKOFF[min(attempts, len(BACKOFF)) - 1]

