"""The one place a buyer message enters, and a seller reply leaves: the flows that cross features."""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from sellerkit.attachments import services as attachments
from sellerkit.autoreply import services as autoreply
from sellerkit.consent import domain as consent_domain
from sellerkit.consent import services as consent
from sellerkit.dialects.locking import writes_are_serialized
from sellerkit.errors import NotFound, ServiceError
from sellerkit.extensions import db
from sellerkit.followups import services as followups
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.live import events as live_events
from sellerkit.live import services as live
from sellerkit.outbox import services as outbox
from sellerkit.outbox.models import OutboxItem
from sellerkit.outbox.registry import register_builder
from sellerkit.replies import services as replies
from sellerkit.shops.domain import BUYER_LANGUAGES
from sellerkit.shops.models import Shop
from sellerkit.sla import services as sla
from sellerkit.suggestions import services as suggestions
from sellerkit.threads import domain, store
from sellerkit.threads import services as threads
from sellerkit.threads.models import Buyer, Message, Thread
from sellerkit.threads.outbound import KIND as REPLY
from sellerkit.threads.outbound import build_reply_delivery
from sellerkit.tickets import disputes


@dataclass
class Received:
    """What became of an inbound message. `is_new` is False for a redelivery; `conflict` when its text differs.
    `is_new_thread` and `is_new_buyer` say that this message created them. Its thread and message are read when
    first used (a batch read them all at once when its rules needed them)."""

    message_id: int
    thread_id: int
    is_new: bool
    conflict: bool = False
    auto_reply: object = None
    #: Files that came with the message and were not kept (attachments.models.RefusedFile), each with its reason.
    refused_files: list = field(default_factory=list)
    is_new_thread: bool = False
    is_new_buyer: bool = False
    loaded: dict = field(default_factory=dict, repr=False)

    @property
    def message(self):
        if "message" not in self.loaded:
            self.loaded["message"] = db.session.get(Message, self.message_id)
        return self.loaded["message"]

    @property
    def thread(self):
        if "thread" not in self.loaded:
            self.loaded["thread"] = db.session.get(Thread, self.thread_id)
        return self.loaded["thread"]


@dataclass
class ItemResult:
    """What became of one message of a batch: `status` is created, duplicate or refused (with the ServiceError)."""

    status: str
    received: Received | None = None
    error: ServiceError | None = None


def receive_buyer_message(shop, inbound, now, files=(), history=False):
    """Store a buyer message from any source, exactly once, in the caller's transaction (the caller commits): a
    batch of one (see receive_buyer_messages), whose refusal is raised as its ServiceError."""
    result = receive_buyer_messages(shop, [inbound], now, files=[files], history=history)[0]
    if result.error is not None:
        raise result.error
    return result.received


def receive_buyer_messages(shop, inbounds, now, files=None, history=False, prepared=None):
    """Store a batch of buyer messages from one source in the caller's transaction, set-wise, each by the rules of
    one message. Returns one ItemResult per message, in order.

    Finds or creates each buyer, order and thread, stores the messages, their events and search rows, and the
    files that pass the shop's limits (`files`, when given, holds each message's files at the same position; a
    refused file is listed with its reason). Then each new message opens the response clock under the platform's
    rule, a reply of just "stop" withdraws marketing consent, the shop's dispute phrases mark the thread a dispute,
    orders get the follow-ups of the shop's active campaigns, and the shop's auto-reply answers. Messages brought
    in as `history` (an import, a mailbox's past days) open no clock and get no auto-reply.

    A message that is not valid is refused with a translated reason and changes nothing; the others are stored.
    Delivering an external id again changes nothing and names the stored message. `prepared` may hold each
    message's store.Prepared, done ahead (the importer does it in another process).
    """
    results, valid = [None] * len(inbounds), []
    for position, inbound in enumerate(inbounds):
        problem = domain.inbound_problem(inbound, BUYER_LANGUAGES)
        if problem:
            field_name, code = problem
            results[position] = ItemResult("refused", error=ServiceError(
                threads.PROBLEM_MESSAGES[code], field=field_name, code="invalid"))
        else:
            valid.append(position)
    rows = [prepared[p] if prepared else store.prepare(inbounds[p]) for p in valid]
    created, orders = [], set()
    for position, row, stored in zip(valid, rows, store.store(shop, rows, now), strict=True):
        if stored.status == "no_thread":
            results[position] = ItemResult("refused", error=NotFound(threads.THREAD_NOT_FOUND))
            continue
        received = Received(stored.message_id, stored.thread_id, stored.status == "created", stored.conflict,
                            is_new_thread=stored.is_new_thread, is_new_buyer=stored.is_new_buyer)
        results[position] = ItemResult(stored.status, received)
        if received.is_new:
            created.append((received, row, stored.language, files[position] if files else ()))
            orders.add(stored.order_id)
    disputes.on_buyer_messages(shop, [(received.thread_id, row.inbound.body, language)
                                      for received, row, language, _files in created], now)
    if not history or files:
        _load([received for received, *_rest in created])
    for received, row, _language, message_files in created:
        _follow(shop, received, row, message_files, now, history)
    orders.discard(None)
    if orders:
        followups.plan_for_orders(shop.id, sorted(orders), now)
    for result in results:
        if result.status == "created":
            live.announce_received(shop, result.received, now)
    return results


def _load(received):
    """Read the threads and messages of a batch in two statements; a thread or message made just now has nothing
    attached yet (labels, clock, files), which is known without asking."""
    if not received:
        return
    messages = {m.id: m for m in db.session.scalars(select(Message).where(
        Message.id.in_({r.message_id for r in received})))}
    found = {t.id: t for t in db.session.scalars(select(Thread).where(Thread.id.in_({r.thread_id for r in received})))}
    for item in received:
        item.loaded.update(message=messages[item.message_id], thread=found[item.thread_id])
        set_committed_value(item.message, "attachments", [])
        if item.is_new_thread:
            set_committed_value(item.thread, "labels", [])
            set_committed_value(item.thread, "open_clock", None)


def _follow(shop, received, row, files, now, history):
    """The rules that follow a new message, in the order one message meets them. A rule that cannot apply is
    decided from the message's own text first, so that a batch reads no thread or buyer for it."""
    if files:
        received.refused_files = attachments.attach_files(shop, received.message, files, now, keep_what_fits=True)[1]
    if not history:
        sla.on_buyer_message(shop, received.thread, received.message, received.is_new_thread)
    if consent_domain.is_stop_reply(row.inbound.body) and \
            consent.on_buyer_message(received.thread.buyer, received.message, now) is not None:
        threads.record_event(received.thread, None, "consent_withdrawn", now, message_id=received.message_id)
    if not history:
        received.auto_reply = _auto_reply(shop, received, now)


def _auto_reply(shop, received, now):
    """Answer for the seller while on vacation or outside business hours (when the shop switched that on),
    by the rules of autoreply.domain; None when not answered.

    The reply goes through the outbox marked as automatic, and stops the response clock only where the
    platform counts auto-replies. The unique (vacation, thread) row makes a second answer impossible even
    when two workers receive messages of the same thread at once.
    """
    thread, buyer = received.thread, received.thread.buyer
    # A buyer and a thread that this message created have no past to look up: no reply yet, nothing sent.
    first_contact = received.is_new_thread and received.is_new_buyer
    occasion, decision = autoreply.decide(shop, thread, received.message, buyer, now, first_contact=first_contact)
    text = autoreply.occasion_text(occasion, shop, thread, buyer) if decision.send else None
    if not text:
        return None
    if writes_are_serialized(db.session) or received.is_new_thread:
        # No other worker can answer this thread between the check in decide() and this insert: SQLite lets one
        # writer in at a time, and a thread created by this transaction stays invisible to others until it commits
        # (a worker that receives the same thread meanwhile waits on its unique key, then finds this answer).
        return _send_auto_reply(shop, thread, buyer, occasion, text, now)
    try:
        with db.session.begin_nested():
            return _send_auto_reply(shop, thread, buyer, occasion, text, now)
    except IntegrityError:
        return None  # another worker answered this thread in this period a moment ago


def _send_auto_reply(shop, thread, buyer, occasion, text, now):
    reply = threads.add_message(thread, "auto_reply", text, now, now, language=thread.language, is_automatic=True)
    outbox.enqueue(shop, reply, now, REPLY)
    autoreply.record_sent(occasion, thread, buyer, reply, now)
    return reply


def send_reply(shop, thread, actor, body, now, files=(), *, saved_reply_ids=(), suggested_reply_ids=()):
    """A seller's reply: stored, attached, and queued in the outbox in one transaction; the thread awaits the buyer.

    The saved replies it was written from count one more use, and the buyer message it answers is remembered
    for each of them, so that the next message like it suggests the same reply; the replies suggested to the
    seller meanwhile count as shown, so that the ones passed over sink. The response clock stops when the reply is
    delivered (reply_delivered), and a reply sent by hand keeps its thread in "To send" until it is marked sent.
    """
    body = (body or "").strip()
    if not body:
        raise ServiceError(_l("Write something first."), field="body")
    if len(body) > domain.MAX_BODY:
        raise ServiceError(_l("This text is too long."), field="body")
    suggestions.learn_from_reply(shop, thread, actor, saved_reply_ids, now, suggested_reply_ids)
    message = threads.add_message(thread, "reply", body, now, now, actor=actor, language=thread.language)
    if files:
        attachments.attach_files(shop, message, files, now)
    if outbox.enqueue(shop, message, now, REPLY).transport == "manual":
        threads.reply_to_send(thread, message)
    replies.record_usage(shop.id, actor, saved_reply_ids, now)
    live_events.publish(shop.id, "reply", thread.id, now, message_id=message.id)
    return message


def init_app(app):
    """Replies are an outbox kind: built by threads.outbound, and followed by reply_delivered once delivered."""
    register_builder(app, REPLY, build_reply_delivery, delivered=reply_delivered, failed=reply_failed)


def reply_delivered(item, delivered_at):
    """What follows once a message of the outbox reached the buyer's side, in the deliverer's transaction: the
    response clock stops (by the platform's rule), and a reply sent by hand leaves "To send"."""
    if item.kind != REPLY:
        return  # a follow-up, a mail to a platform's support team, a password reset
    message = item.message
    thread = db.session.get(Thread, message.thread_id)
    by_hand = item.transport == "manual"
    sla.on_reply_delivered(db.session.get(Shop, item.shop_id), thread, message, delivered_at, by_hand)
    if by_hand:
        threads.recount_to_send(thread)
    live.announce_delivery(item, delivered_at)


def reply_failed(item, now):
    """An attempt to deliver a reply failed (it waits to be retried, or failed for good): the pages show it, and a
    reply that failed for good is its author's notification."""
    live.announce_delivery(item, now, failed=True)


def mark_reply_sent(item, now):
    """The seller copied a reply to the platform by hand and says so: from now on the buyer can see it."""
    outbox.mark_sent_by_hand(item, now)
    reply_delivered(item, now)


def undelivered_replies(shop_ids, limit=5):
    """Replies that failed for good or are waiting to retry after an error, newest first: (item, thread id, thread
    subject, buyer's name), so that the seller knows which conversation each one is.

    A failed reply always keeps its error (record_failure writes it), so both kinds are among the rows with an
    error, which ix_outbox_items_shop_errors lists: the replies waiting to be copied by hand are never read.
    `status || ''` hides the (shop, status) index, which SQLite would otherwise prefer, not knowing how few rows
    have an error."""
    return db.session.execute(
        select(OutboxItem, Message.thread_id, Thread.subject, Buyer.display_name)
        .join(Message, Message.id == OutboxItem.message_id).join(Thread, Thread.id == Message.thread_id)
        .join(Buyer, Buyer.id == Thread.buyer_id)
        .where(OutboxItem.shop_id.in_(shop_ids), OutboxItem.last_error.is_not(None),
               (OutboxItem.status + "").in_(("failed", "pending")))
        .order_by(OutboxItem.id.desc()).limit(limit)
    ).all()
