"""Conversation actions: threads the seller writes in, the seller's messages, changes to a thread. Flush only."""
import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from sellerkit.database import is_database_id
from sellerkit.errors import NUL_REFUSED, NotFound, ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.live import events as live
from sellerkit.outbox.models import OutboxItem
from sellerkit.shops.domain import BUYER_LANGUAGES
from sellerkit.shops.models import Membership
from sellerkit.threads import domain, search
from sellerkit.threads.models import (
    Buyer,
    Message,
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


ORDER_FIELDS = ("placed_at", "shipped_at", "delivered_at", "tracking_number", "tracking_url", "total", "currency",
                "items_summary")


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


def add_message(thread, kind, body, posted_at, now, actor=None, *, language=None, is_automatic=False):
    """The write path of the seller's side (a reply, an auto-reply, a follow-up, a note): store it, move the
    thread's state, index it, record the event. Buyer messages come in through inbox.receive_buyer_messages."""
    message = Message(shop_id=thread.shop_id, thread_id=thread.id, direction=domain.KINDS[kind], kind=kind, body=body,
                      external_id=None, body_sha256=body_sha256(body), language=language, posted_at=posted_at,
                      author_id=actor.id if actor else None, is_automatic=is_automatic, is_complaint=False, headers={},
                      created_at=now)
    db.session.add(message)
    db.session.flush()
    set_committed_value(message, "attachments", [])  # files are attached after, by attachments.attach_files
    if kind != "note":
        # An auto-reply or a follow-up leaves the thread as it was: only a real answer settles what the buyer asked.
        state = domain.after_reply(domain.ThreadState(thread.status, thread.waiting_since)) if kind == "reply" \
            else domain.ThreadState(thread.status, thread.waiting_since)
        thread.status, thread.waiting_since = state.status, state.waiting_since
        thread.last_message_at = max(thread.last_message_at, posted_at)
    search.index_messages([(message.id, thread.shop_id, thread.id, body)])
    record_event(thread, actor, "note_added" if kind == "note" else "message_sent", now, message_id=message.id,
                 message_kind=kind)
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
