"""Pure auto-reply rules (RFC 3834 in spirit): whether a buyer message gets an automatic answer, and why not.

Never to a machine (Auto-Submitted other than "no", Precedence bulk/list/junk, mailing lists, no-reply
senders, our own messages); at most once per thread per vacation and once per buyer per 7 days; and
not while the seller is answering (a reply in the last 10 minutes).
"""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sellerkit.replies.domain import unknown_placeholders, used_placeholders

BUYER_COOLDOWN = timedelta(days=7)
SELLER_ACTIVE = timedelta(minutes=10)
NO_REPLY_SENDER = re.compile(r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer-daemon|postmaster|bounces?)([+@]|$)",
                             re.IGNORECASE)
BULK_PRECEDENCE = {"bulk", "list", "junk"}


@dataclass(frozen=True)
class Incoming:
    """What the rules look at in a received message."""

    kind: str  # "buyer" for a buyer's message; anything else is never answered
    headers: dict  # lower-cased names
    sender: str | None = None
    is_ours: bool = False  # it carries our own Message-ID or came from this shop's outbox


@dataclass(frozen=True)
class History:
    """What already happened around the message."""

    replied_in_thread_this_period: bool
    last_auto_reply_to_buyer_at: object | None
    last_seller_reply_at: object | None


#: The history of a buyer and a thread that a message has just created.
NO_HISTORY = History(replied_in_thread_this_period=False, last_auto_reply_to_buyer_at=None, last_seller_reply_at=None)


@dataclass(frozen=True)
class Decision:
    send: bool
    reason: str


def automated_reason(incoming):
    """Why a message looks automated, or None for a person's message."""
    headers = {name.lower(): str(value).strip().lower() for name, value in incoming.headers.items()}
    if incoming.is_ours:
        return "ours"
    if headers.get("auto-submitted", "no") != "no":
        return "auto_submitted"
    if headers.get("precedence") in BULK_PRECEDENCE:
        return "bulk"
    if "list-id" in headers:
        return "mailing_list"
    suppress = headers.get("x-auto-response-suppress", "")
    if any(word in suppress for word in ("all", "autoreply", "oof")):
        return "suppressed"
    local = (incoming.sender or "").strip().lower()
    if local and NO_REPLY_SENDER.match(local.rsplit("<", 1)[-1]):
        return "no_reply_sender"
    return None


def decide(incoming, is_away, history, now):
    """Whether to answer `incoming` automatically now, with the reason either way."""
    if incoming.kind != "buyer":
        return Decision(False, "not_buyer")
    automated = automated_reason(incoming)
    if automated:
        return Decision(False, automated)
    if not is_away:
        return Decision(False, "not_away")
    if history.replied_in_thread_this_period:
        return Decision(False, "already_answered_thread")
    if history.last_auto_reply_to_buyer_at and now - history.last_auto_reply_to_buyer_at < BUYER_COOLDOWN:
        return Decision(False, "buyer_answered_recently")
    if history.last_seller_reply_at and now - history.last_seller_reply_at < SELLER_ACTIVE:
        return Decision(False, "seller_active")
    return Decision(True, "away")


MAX_VACATION = timedelta(days=365)
#: Placeholders a vacation message may use (the same engine as saved replies).
VACATION_PLACEHOLDERS = ("vacation_return_date", "shop_name", "buyer_name")
AWAY_PLACEHOLDERS = ("shop_name", "buyer_name")


def vacation_problem(starts_at, ends_at, others, bodies, default_language):
    """The first problem with a vacation as (field, code, detail), or None.

    `others` are the (start, end) of the shop's other vacations. Messages follow the saved replies'
    placeholder language, limited to the return date, the shop's name and the buyer's name.
    """
    if ends_at <= starts_at:
        return "ends_on", "ends_before_start", None
    if ends_at - starts_at > MAX_VACATION:
        return "ends_on", "too_long", None
    if any(start < ends_at and starts_at < end for start, end in others):
        return "starts_on", "overlap", None
    if not (bodies.get(default_language) or "").strip():
        return f"body_{default_language}", "default_language_missing", None
    for language, body in bodies.items():
        wrong = unknown_placeholders(body or "") + [
            name for name in used_placeholders(body or "") if name not in VACATION_PLACEHOLDERS]
        if wrong:
            return f"body_{language}", "unknown_placeholder", ", ".join(dict.fromkeys(wrong))
    return None


@dataclass(frozen=True)
class VacationFacts:
    """A vacation as the auto-reply needs it, without its database row: kept between requests."""

    id: int
    starts_at: datetime
    ends_at: datetime
    ended_early_at: datetime | None
    bodies: dict

    def ends(self):
        return self.ended_early_at or self.ends_at


def is_active(starts_at, ends_at, ended_early_at, now):
    return starts_at <= now < (ended_early_at or ends_at)


def vacation_days(starts_at, ends_at, zone):
    """The first and last calendar day of a vacation planned as whole days in the shop's `zone` (it ends at the
    midnight after its last day)."""
    return starts_at.astimezone(zone).date(), (ends_at - timedelta(microseconds=1)).astimezone(zone).date()
