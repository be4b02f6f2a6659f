"""Conversation actions: find or create buyers, orders and threads; add messages; change a thread (flush, no commit)."""
import hashlib
from typing import NamedTuple

from sqlalchemy import func, inspect, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from sellerkit.database import insert_unless_stored, is_database_id
from sellerkit.errors import NUL_REFUSED, NotFound, ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.live import events as live
from sellerkit.outbox.models import OutboxItem
from sellerkit.shops.domain import BUYER_LANGUAGES
from sellerkit.shops.models import Membership
from sellerkit.threads import domain, search
from sellerkit.threads.language import detect_language
from sellerkit.threads.models import (
    Buyer,
    Message,
    Order,
    Thread,
    ThreadEvent,
    ThreadLabel,
)

THREAD_NOT_FOUND = _l("This conversation does not exist or belongs to a shop you are not a member of.")
PROBLEM_MESSAGES = {
    "required": _l("This field is required."),
    "too_long": _l("This text is too long."),
    "naive": _l("Give the time with its timezone, for example 2026-11-23T10:00:00Z."),
    "unknown": _l("Choose one of the listed languages."),
    "invalid": _l("This value is not valid."),
    "nul": NUL_REFUSED,
}


def body_sha256(body):
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record_event(thread, actor, kind, now, **data):
    db.session.add(ThreadEvent(shop_id=thread.shop_id, thread_id=thread.id, actor_id=actor.id if actor else None,
                               kind=kind, data=data, created_at=now))


def _insert_or_fetch(model, values, unique_key, lookup):
    """The row stored now, or the one another writer stored with the same `unique_key` a moment ago:
    (object, whether this call inserted it)."""
    inserted = insert_unless_stored(db.session, model, values, unique_key)
    if inserted is not None:
        return inserted, True
    return db.session.scalars(lookup).one(), False


def validate_inbound(inbound):
    problem = domain.inbound_problem(inbound, BUYER_LANGUAGES)
    if problem:
        field, code = problem
        raise ServiceError(PROBLEM_MESSAGES[code], field=field, code="invalid")


def stored_message(shop, external_id):
    if not external_id:
        return None
    return db.session.scalar(select(Message).where(Message.shop_id == shop.id, Message.external_id == external_id))


def find_or_create_buyer(shop, inbound, now):
    """The buyer a message comes from, known or new: (buyer, whether this call stored it)."""
    if inbound.buyer_external_id:
        lookup = select(Buyer).where(Buyer.shop_id == shop.id, Buyer.platform_buyer_id == inbound.buyer_external_id)
    elif inbound.buyer_email:
        lookup = select(Buyer).where(Buyer.shop_id == shop.id, Buyer.email == inbound.buyer_email.lower(),
                                     Buyer.platform_buyer_id.is_(None)).order_by(Buyer.id).limit(1)
    else:
        lookup = None
    buyer = db.session.scalar(lookup) if lookup is not None else None
    if buyer is None:
        return _insert_or_fetch(Buyer, dict(
            shop_id=shop.id, platform_buyer_id=inbound.buyer_external_id, display_name=(inbound.buyer_name or "")[:200],
            language=inbound.buyer_language, email=(inbound.buyer_email or "").lower() or None, consent_given_at=None,
            consent_source=None, consent_withdrawn_at=None, created_at=now), ["shop_id", "platform_buyer_id"], lookup)
    # Newer deliveries may know more about the buyer; they never erase what is known.
    buyer.display_name = (inbound.buyer_name or buyer.display_name)[:200]
    buyer.language = inbound.buyer_language or buyer.language
    buyer.email = (inbound.buyer_email or "").lower() or buyer.email
    return buyer, False


ORDER_FIELDS = ("placed_at", "shipped_at", "delivered_at", "tracking_number", "tracking_url", "total", "currency",
                "items_summary")


def find_or_create_order(shop, buyer, inbound, now):
    if not inbound.order_reference:
        return None
    lookup = select(Order).where(Order.shop_id == shop.id, Order.platform_order_ref == inbound.order_reference)
    order = db.session.scalar(lookup)
    if order is None:
        order, _inserted = _insert_or_fetch(Order, dict(
            shop_id=shop.id, buyer_id=buyer.id, platform_order_ref=inbound.order_reference, placed_at=None,
            shipped_at=None, delivered_at=None, tracking_number=None, tracking_url=None, total=None, currency=None,
            items_summary="", created_at=now), ["shop_id", "platform_order_ref"], lookup)
    for name in ORDER_FIELDS:
        if inbound.order.get(name) not in (None, ""):
            setattr(order, name, inbound.order[name])
    return order


def find_or_create_thread(shop, buyer, order, inbound, now, language=None):
    """The platform's thread id first, else the buyer's latest thread about the same order, else a new one (in
    `language`)."""
    if inbound.thread_external_id:
        lookup = select(Thread).where(Thread.shop_id == shop.id, Thread.external_id == inbound.thread_external_id)
    else:
        lookup = select(Thread).where(
            Thread.shop_id == shop.id, Thread.buyer_id == buyer.id,
            Thread.order_id == order.id if order else Thread.order_id.is_(None),
        ).order_by(Thread.last_message_at.desc(), Thread.id.desc()).limit(1)
    thread = db.session.scalar(lookup)
    if thread is not None:
        return thread, False
    # Born in the state its first message leaves it in, so storing that message updates nothing.
    is_automatic = domain.is_machine_mail(inbound)
    state = domain.after_inbound(domain.ThreadState("open", None), inbound.received_at, is_automatic)
    thread, inserted = _insert_or_fetch(Thread, dict(
        shop_id=shop.id, buyer_id=buyer.id, order_id=order.id if order else None,
        external_id=inbound.thread_external_id, subject=(inbound.subject or "")[:domain.MAX_SUBJECT],
        status=state.status, is_dispute=False, language=language, assignee_id=None, waiting_since=state.waiting_since,
        unsent_reply_at=None, is_automatic=is_automatic, last_message_at=inbound.received_at, created_at=now),
        ["shop_id", "external_id"], lookup)
    if inserted:
        # Its buyer is at hand, and a new thread has no labels and no clock yet: known without asking the database.
        set_committed_value(thread, "buyer", buyer)
        set_committed_value(thread, "labels", [])
        set_committed_value(thread, "open_clock", None)
    return thread, inserted


def thread_to_write(shop, buyer, order, subject, now):
    """The conversation a message the seller starts goes into: the latest one about the order, else the buyer's
    latest, else a new one with this subject."""
    for where in ((Thread.order_id == order.id,) if order else ()), ():
        thread = db.session.scalar(select(Thread).where(Thread.shop_id == shop.id, Thread.buyer_id == buyer.id, *where)
                                   .order_by(Thread.last_message_at.desc(), Thread.id.desc()).limit(1))
        if thread is not None:
            return thread
    thread = Thread(shop_id=shop.id, buyer_id=buyer.id, order_id=order.id if order else None, external_id=None,
                    subject=subject[:domain.MAX_SUBJECT], status="awaiting_buyer", is_dispute=False,
                    language=buyer.language, last_message_at=now, created_at=now)
    db.session.add(thread)
    db.session.flush()
    search.index_new_thread(thread, buyer, order)
    return thread


def add_message(thread, kind, body, posted_at, now, actor=None, *, external_id=None, headers=None, language=None,
                is_automatic=False):
    """The one write path of every message: store it, move the thread's state, index it, record the event.

    None when the shop already has a message with this external id (only buyer messages carry one), stored by
    another worker a moment ago: nothing else is written then."""
    message = insert_unless_stored(db.session, Message, dict(
        shop_id=thread.shop_id, thread_id=thread.id, direction=domain.KINDS[kind], kind=kind, body=body,
        external_id=external_id, body_sha256=body_sha256(body), language=language, posted_at=posted_at,
        author_id=actor.id if actor else None, is_automatic=is_automatic, is_complaint=False,
        headers=domain.kept_headers(headers), created_at=now), ["shop_id", "external_id"])
    if message is None:
        return None
    set_committed_value(message, "attachments", [])  # files are attached after, by attachments.attach_files
    state = domain.ThreadState(thread.status, thread.waiting_since)
    if kind == "buyer":
        state = domain.after_inbound(state, posted_at, is_automatic)
        # One person's message makes the conversation a buyer's for good.
        thread.is_automatic = thread.is_automatic and is_automatic
    elif kind == "reply":
        # An auto-reply or a follow-up leaves the thread as it was: only a real answer settles what the buyer asked.
        state = domain.after_reply(state)
    if kind != "note":
        thread.status, thread.waiting_since = state.status, state.waiting_since
        thread.last_message_at = max(thread.last_message_at, posted_at)
    search.index_messages([(message.id, thread.shop_id, thread.id, body)])
    record_event(thread, actor, {"buyer": "message_received", "note": "note_added"}.get(kind, "message_sent"), now,
                 message_id=message.id, message_kind=kind)
    return message


def reply_to_send(thread, message):
    """A reply the seller sends by hand waits to be copied: its thread is listed under "To send" until then."""
    if thread.unsent_reply_at is None or message.posted_at < thread.unsent_reply_at:
        thread.unsent_reply_at = message.posted_at


def recount_to_send(thread):
    """After a reply was marked sent: the oldest reply of the thread still waiting to be copied, if any."""
    thread.unsent_reply_at = db.session.scalar(
        select(func.min(Message.posted_at)).join(OutboxItem, OutboxItem.message_id == Message.id).where(
            Message.thread_id == thread.id, Message.kind == "reply", OutboxItem.transport == "manual",
            OutboxItem.status == "pending"))


class Receipt(NamedTuple):
    """What storing a buyer message did. `is_new` is False for a known external id (the stored message comes back);
    `is_new_thread` and `is_new_buyer` say that this transaction created them, so nothing happened to them yet."""

    message: object
    thread: object
    is_new: bool
    is_new_thread: bool = False
    is_new_buyer: bool = False


def receive(shop, inbound, now):
    """Store a buyer message once, as a Receipt. A known external id returns the stored one."""
    validate_inbound(inbound)
    existing = stored_message(shop, inbound.external_id)
    if existing is not None:
        return Receipt(existing, db.session.get(Thread, existing.thread_id), False)
    is_new_buyer = False
    if inbound.thread_id:
        thread = db.session.scalar(select(Thread).where(Thread.id == inbound.thread_id, Thread.shop_id == shop.id))
        if thread is None:
            raise NotFound(THREAD_NOT_FOUND)
        buyer, order, is_new_thread, changed = thread.buyer, None, False, []  # no new thread: order unused
        language = inbound.buyer_language or detect_language(inbound.body) or buyer.language
    else:
        buyer, is_new_buyer = find_or_create_buyer(shop, inbound, now)
        # Read before the next query flushes them: what this message changed that the search rows hold.
        changed = [Thread.buyer_id == buyer.id] if _changed(buyer, ("display_name", "email")) else []
        order = find_or_create_order(shop, buyer, inbound, now)
        if order is not None and _changed(order, ("tracking_number",)):
            changed.append(Thread.order_id == order.id)
        language = inbound.buyer_language or detect_language(inbound.body) or buyer.language
        thread, is_new_thread = find_or_create_thread(shop, buyer, order, inbound, now, language)
    buyer.language = buyer.language or language
    thread.language = thread.language or language
    message = add_message(thread, "buyer", inbound.body, inbound.received_at, now, external_id=inbound.external_id,
                          headers=inbound.headers, language=language, is_automatic=domain.is_machine_mail(inbound))
    if message is None:
        # Another worker stored the same external id a moment ago: theirs is the one.
        existing = stored_message(shop, inbound.external_id)
        return Receipt(existing, db.session.get(Thread, existing.thread_id), False)
    _index_identifiers(thread, buyer, order, is_new_thread, changed)
    return Receipt(message, thread, True, is_new_thread, is_new_buyer)


def _index_identifiers(thread, buyer, order, is_new_thread, changed):
    """Search rows of the threads whose subject or identifiers a message set or changed: a new thread, and the
    threads matching `changed` (of a buyer whose name or e-mail address changed, of an order whose tracking did)."""
    if changed:
        search.index_threads(db.session.scalars(select(Thread.id).where(Thread.shop_id == thread.shop_id,
                                                                        or_(*changed))).all())
    elif is_new_thread:
        search.index_new_thread(thread, buyer, order)


def _changed(row, names):
    """Whether any of these attributes of a stored row was given a new value in this transaction."""
    state = inspect(row)
    return not state.pending and any(state.attrs[name].history.has_changes() for name in names)


def thread_for(user, thread_id):
    """A thread of one of the user's shops, with their membership; NotFound for anything else."""
    row = db.session.execute(
        select(Thread, Membership).join(Membership, Membership.shop_id == Thread.shop_id)
        .where(Thread.id == thread_id, Membership.user_id == user.id)
        .options(joinedload(Membership.shop), joinedload(Thread.order), joinedload(Thread.labels),
                 joinedload(Thread.open_clock))
    ).unique().first()
    if row is None:
        raise NotFound(THREAD_NOT_FOUND)
    return row


def set_complaint(thread, actor, message_id, is_complaint, now):
    """Mark a buyer message as a complaint (or not): no marketing follow-up goes to a buyer whose last one is."""
    message = db.session.scalar(select(Message).where(Message.id == message_id, Message.thread_id == thread.id,
                                                      Message.direction == "in"))
    if message is None:
        raise NotFound(_l("This message does not exist or is not in your shops."))
    if message.is_complaint != is_complaint:
        message.is_complaint = is_complaint
        record_event(thread, actor, "complaint_marked" if is_complaint else "complaint_unmarked", now,
                     message_id=message.id)
    return message


def add_note(thread, actor, body, now):
    body = (body or "").strip()
    if not body:
        raise ServiceError(_l("Write something first."), field="body")
    if len(body) > domain.MAX_BODY:
        raise ServiceError(_l("This text is too long."), field="body")
    note = add_message(thread, "note", body, now, now, actor=actor)
    live.publish(thread.shop_id, "note", thread.id, now, message_id=note.id)
    return note


def update_thread(thread, actor, now, status=None, is_dispute=None, labels=None, *, assignee_id=None,
                  set_assignee=False, language=None):
    """Change a thread's status, dispute flag, labels, assignee or language; each change becomes an event."""
    if status is not None and status != thread.status:
        if status not in domain.STATUSES:
            raise ServiceError(_l("Choose one of the listed options."), field="status")
        state = domain.after_status_change(domain.ThreadState(thread.status, thread.waiting_since), status, now)
        record_event(thread, actor, "status_changed", now, old=thread.status, new=status)
        thread.status, thread.waiting_since = state.status, state.waiting_since
    if is_dispute is not None and bool(is_dispute) != thread.is_dispute:
        thread.is_dispute = bool(is_dispute)
        record_event(thread, actor, "dispute_marked" if thread.is_dispute else "dispute_unmarked", now)
    if labels is not None:
        _set_labels(thread, actor, labels, now)
    if set_assignee and assignee_id != thread.assignee_id:
        if assignee_id is not None and (not is_database_id(assignee_id) or not db.session.scalar(select(
                Membership.id).where(Membership.shop_id == thread.shop_id, Membership.user_id == assignee_id))):
            raise ServiceError(_l("Only members of the shop can be assigned."), field="assignee_id")
        record_event(thread, actor, "assigned", now, old=thread.assignee_id, new=assignee_id)
        thread.assignee_id = assignee_id
    if language is not None and language != thread.language:
        if language not in BUYER_LANGUAGES:
            raise ServiceError(_l("Choose one of the listed languages."), field="language")
        record_event(thread, actor, "language_changed", now, old=thread.language, new=language)
        thread.language = language
        db.session.get(Buyer, thread.buyer_id).language = language
    live.publish(thread.shop_id, "thread", thread.id, now)
    db.session.flush()


def _set_labels(thread, actor, labels, now):
    wanted = domain.normalize_labels(labels)
    if wanted is None:
        raise ServiceError(_l("Labels are short words (letters, digits, spaces, - and .), at most %(count)s.",
                              count=domain.MAX_LABELS), field="labels")
    current = [label.label for label in thread.labels]
    if sorted(current) == sorted(wanted):
        return
    for label in [label for label in thread.labels if label.label not in wanted]:
        thread.labels.remove(label)
    for label in wanted:
        if label not in current:
            thread.labels.append(ThreadLabel(label=label, shop_id=thread.shop_id))
    record_event(thread, actor, "labels_changed", now, old=current, new=wanted)
