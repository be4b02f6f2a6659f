"""The one place a buyer message enters, and a seller reply leaves: the flows that cross features."""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sellerkit.attachments import services as attachments
from sellerkit.autoreply import services as autoreply
from sellerkit.consent import services as consent
from sellerkit.database import writes_are_serialized
from sellerkit.errors import ServiceError
from sellerkit.extensions import db
from sellerkit.followups import services as followups
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.live import events as live_events
from sellerkit.live import services as live
from sellerkit.outbox import services as outbox
from sellerkit.outbox.models import OutboxItem
from sellerkit.outbox.registry import register_builder
from sellerkit.replies import services as replies
from sellerkit.shops.models import Shop
from sellerkit.sla import services as sla
from sellerkit.suggestions import services as suggestions
from sellerkit.threads import domain
from sellerkit.threads import services as threads
from sellerkit.threads.models import Buyer, Message, Thread
from sellerkit.threads.outbound import KIND as REPLY
from sellerkit.threads.outbound import build_reply_delivery
from sellerkit.tickets import disputes


@dataclass
class Received:
    """What became of an inbound message. `is_new` is False for a redelivery; `conflict` when its text differs."""

    thread: object
    message: object
    is_new: bool
    conflict: bool = False
    auto_reply: object = None
    #: Files that came with the message and were not kept (attachments.models.RefusedFile), each with its reason.
    refused_files: list = field(default_factory=list)


def receive_buyer_message(shop, inbound, now, files=(), history=False):
    """Store a buyer message from any source, exactly once, in the caller's transaction (the caller commits).

    Finds or creates the buyer, the order and the thread, stores the message and the files that pass the shop's
    limits (the others are listed on the message with their reason), records the event and opens the response
    clock under the platform's rule. A reply of just "stop" withdraws marketing
    consent, the shop's dispute phrases mark the thread a dispute, and an order that arrives delivered gets the
    follow-ups of the shop's active campaigns. Delivering the same external id again
    changes nothing and returns the stored message.
    """
    receipt = threads.receive(shop, inbound, now)
    message, thread = receipt.message, receipt.thread
    if not receipt.is_new:
        return Received(thread, message, False, conflict=message.body_sha256 != threads.body_sha256(inbound.body))
    # The buyer's words are kept whatever their files are: a file that is refused is listed with its reason.
    _kept, refused = attachments.attach_files(shop, message, files, now, keep_what_fits=True) if files else ((), [])
    sla.on_buyer_message(shop, thread, message, receipt.is_new_thread)
    if consent.on_buyer_message(thread.buyer, message, now) is not None:
        threads.record_event(thread, None, "consent_withdrawn", now, message_id=message.id)
    disputes.on_buyer_message(shop, thread, message, now)
    if thread.order_id is not None:
        followups.plan_for_orders(shop.id, [thread.order_id], now)
    auto_reply = None if history else _auto_reply(shop, receipt, now)
    received = Received(thread, message, True, auto_reply=auto_reply, refused_files=refused)
    live.announce_received(shop, received, now)
    return received


@dataclass
class ItemResult:
    """What became of one message of a batch: `status` is created, duplicate or refused (with the ServiceError)."""

    status: str
    received: Received | None = None
    error: ServiceError | None = None


def receive_buyer_messages(shop, inbounds, now, files=None, history=False):
    """Store a batch of buyer messages from one source in the caller's transaction, each by exactly the rules of
    receive_buyer_message; `files`, when given, holds each message's files at the same position. A refused message
    is reported and rolls back nothing but itself. Messages brought in as `history` (an import, a mailbox's past
    days) get no auto-reply. Returns one ItemResult per message, in order."""
    results = []
    for position, inbound in enumerate(inbounds):
        try:
            with db.session.begin_nested():
                received = receive_buyer_message(shop, inbound, now, files=files[position] if files else (),
                                                 history=history)
        except ServiceError as error:
            results.append(ItemResult("refused", error=error))
            continue
        results.append(ItemResult("created" if received.is_new else "duplicate", received))
    for result in results:
        if result.status == "created":
            live.announce_received(shop, result.received, now)
    return results


def _auto_reply(shop, receipt, now):
    """Answer for the seller while on vacation or outside business hours (when the shop switched that on),
    by the rules of autoreply.domain; None when not answered.

    The reply goes through the outbox marked as automatic, and stops the response clock only where the
    platform counts auto-replies. The unique (vacation, thread) row makes a second answer impossible even
    when two workers receive messages of the same thread at once.
    """
    thread, buyer = receipt.thread, receipt.thread.buyer
    # A buyer and a thread that this message created have no past to look up: no reply yet, nothing sent.
    first_contact = receipt.is_new_thread and receipt.is_new_buyer
    occasion, decision = autoreply.decide(shop, thread, receipt.message, buyer, now, first_contact=first_contact)
    text = autoreply.occasion_text(occasion, shop, thread, buyer) if decision.send else None
    if not text:
        return None
    if writes_are_serialized(db.session) or receipt.is_new_thread:
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
