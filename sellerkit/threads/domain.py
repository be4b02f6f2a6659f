"""Pure conversation rules: statuses, kinds, inbox views, keyset cursors and inbound-message validation."""
import base64
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from sellerkit.textguard import has_nul

STATUSES = ("open", "awaiting_buyer", "resolved")
DIRECTIONS = ("in", "out", "internal")
#: kind -> direction: a buyer writes in; replies, auto-replies and follow-ups go out; notes stay inside.
KINDS = {"buyer": "in", "reply": "out", "auto_reply": "out", "follow_up": "out", "note": "internal"}
VIEWS = ("needs_reply", "to_send", "awaiting_buyer", "disputes", "automatic", "resolved", "all")
MAX_BODY = 20_000
MAX_SUBJECT = 200
#: Buyer messages per request of the API's batch endpoint.
MAX_BATCH = 500
MAX_LABEL = 40
MAX_LABELS = 10
PAGE_SIZE = 50
#: Headers kept from inbound mail or platform events: the ones automation decisions look at.
KEPT_HEADERS = ("auto-submitted", "precedence", "from", "reply-to", "message-id", "in-reply-to", "list-id",
                "x-auto-response-suppress", "x-autoreply", "return-path")
#: Precedence values that mean no person wrote the message and none waits for an answer (RFC 3834, RFC 2076).
MACHINE_PRECEDENCE = {"bulk", "list", "junk", "auto_reply"}
#: The local part of an address nobody reads: no-reply, do-not-reply, bounce handlers.
NO_REPLY_SENDER = re.compile(r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer-daemon|postmaster|bounces?)([+@]|$)",
                             re.IGNORECASE)
LABEL_PATTERN = re.compile(r"^[\w][\w \-.]*$", re.UNICODE)


def normalize_labels(labels):
    """Trimmed, lower-cased, unique labels in their given order; None when any is unusable."""
    result = []
    for label in labels:
        if not isinstance(label, str):
            return None
        label = " ".join(label.split()).lower()
        if not label or len(label) > MAX_LABEL or not LABEL_PATTERN.match(label):
            return None
        if label not in result:
            result.append(label)
    return result if len(result) <= MAX_LABELS else None


def kept_headers(headers):
    """The automation-relevant headers of an inbound message, names lower-cased, values single-line."""
    kept = {}
    for name, value in (headers or {}).items():
        name = str(name).strip().lower()
        if name in KEPT_HEADERS and value is not None:
            kept[name] = " ".join(str(value).split())[:500]
    return kept


def machine_mail_reason(headers, sender=None):
    """Why a received message was written by a machine (an out-of-office, a bounce, a newsletter, a platform
    notice) rather than by a buyer who waits for an answer; None for a person's message.

    `headers` may use any case in their names; `sender` is the address to judge when they carry no From
    ("Name <a@b>" or a bare address).
    """
    headers = {str(name).strip().lower(): str(value).strip().lower() for name, value in (headers or {}).items()}
    if headers.get("auto-submitted", "no") != "no":
        return "auto_submitted"
    if headers.get("precedence") in MACHINE_PRECEDENCE:
        return "bulk"
    if "list-id" in headers:
        return "mailing_list"
    if "x-autoreply" in headers:
        return "autoreply"
    address = (headers.get("from") or sender or "").strip().rsplit("<", 1)[-1]
    if address and NO_REPLY_SENDER.match(address):
        return "no_reply_sender"
    return None


def is_machine_mail(inbound):
    """Whether an Inbound is machine mail, judged by its headers and its sender's address."""
    return machine_mail_reason(inbound.headers, inbound.buyer_email) is not None


@dataclass(frozen=True)
class Inbound:
    """A buyer message as any source delivers it (API, import, pasted by the seller)."""

    external_id: str | None
    body: str
    received_at: datetime
    buyer_external_id: str | None = None
    buyer_name: str = ""
    buyer_language: str | None = None
    buyer_email: str | None = None
    thread_external_id: str | None = None
    subject: str = ""
    order_reference: str | None = None
    order: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    #: A thread of the shop the message belongs to, when the seller pastes it into one.
    thread_id: int | None = None


def inbound_problem(inbound, languages):
    """The first thing wrong with an inbound message as (field, code), or None."""
    if not inbound.body or not inbound.body.strip():
        return "body", "required"
    if len(inbound.body) > MAX_BODY:
        return "body", "too_long"
    if inbound.received_at.tzinfo is None:
        return "received_at", "naive"
    if len(inbound.subject or "") > MAX_SUBJECT:
        return "subject", "too_long"
    if inbound.buyer_language and inbound.buyer_language not in languages:
        return "buyer.language", "unknown"
    if not (inbound.buyer_external_id or inbound.buyer_email or inbound.thread_external_id or inbound.thread_id):
        return "buyer.id", "required"
    for name in ("external_id", "buyer_external_id", "thread_external_id", "order_reference"):
        value = getattr(inbound, name)
        if value is not None and (not value.strip() or len(value) > 200):
            return name, "invalid"
    for name in ("body", "subject", "buyer_name", "buyer_email", "external_id", "buyer_external_id",
                 "thread_external_id", "order_reference", "order", "headers"):
        if has_nul(getattr(inbound, name)):
            return name, "nul"
    return None


@dataclass(frozen=True)
class ThreadState:
    """What an inbox view sorts and filters on."""

    status: str
    waiting_since: datetime | None


def after_inbound(state, received_at, is_automatic=False):
    """A buyer wrote: the thread is open and waits since its oldest unanswered buyer message. Machine mail waits
    for nobody: it leaves a thread as it was (a thread it starts is open, waiting for nothing)."""
    if is_automatic:
        return state
    waiting = state.waiting_since if state.waiting_since and state.status != "resolved" else received_at
    return ThreadState("open", min(waiting, received_at))


def after_reply(state):
    """The seller answered: nothing waits any more, the ball is with the buyer."""
    return ThreadState("awaiting_buyer", None)


def after_status_change(state, status, now):
    if status == "resolved":
        return ThreadState("resolved", None)
    if status == "open":
        return ThreadState("open", state.waiting_since or now)
    return ThreadState("awaiting_buyer", None)


def encode_cursor(values):
    """An opaque keyset cursor: the sort values of the last row shown."""
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor, kinds):
    """Sort values back from a cursor, typed by `kinds` ("datetime" or "int"); None when it is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(values, list) or len(values) != len(kinds):
            return None
        decoded = []
        for value, kind in zip(values, kinds, strict=True):
            if kind == "datetime":
                value = datetime.fromisoformat(value)
                if value.tzinfo is None:
                    return None
            elif not isinstance(value, int) or isinstance(value, bool):
                return None
            decoded.append(value)
        return decoded
    except (ValueError, TypeError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
