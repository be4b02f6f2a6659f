"""The one place a buyer message enters, and a seller reply leaves: the flows that cross features."""
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from sellerkit.attachments import services as attachments
from sellerkit.autoreply import services as autoreply
from sellerkit.consent import services as consent
from sellerkit.database import writes_are_serialized
from sellerkit.errors import ServiceError
from sellerkit.extensions import db
from sellerkit.followups import services as followups
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.outbox import services as outbox
from sellerkit.replies import services as replies
from sellerkit.sla import services as sla
from sellerkit.suggestions import services as suggestions
from sellerkit.threads import domain
from sellerkit.threads import services as threads
from sellerkit.tickets import disputes


@dataclass
class Received:
    """What became of an inbound message. `is_new` is False for a redelivery; `conflict` when its text differs."""

    thread: object
    message: object
    is_new: bool
    conflict: bool = False
    auto_reply: object = None


def receive_buyer_message(shop, inbound, now, files=()):
    """Store a buyer message from any source, exactly once, in the caller's transaction (the caller commits).

    Finds or creates the buyer, the order and the thread, stores the message and its files, records the
    event and opens the response clock under the platform's rule. A reply of just "stop" withdraws marketing
    consent, the shop's dispute keywords mark the thread a dispute, and an order that arrives delivered gets the
    follow-ups of the shop's active campaigns. Delivering the same external id again
    changes nothing and returns the stored message.
    """
    receipt = threads.receive(shop, inbound, now)
    message, thread = receipt.message, receipt.thread
    if not receipt.is_new:
        return Received(thread, message, False, conflict=message.body_sha256 != threads.body_sha256(inbound.body))
    if files:
        attachments.attach_files(shop, message, files, now)
    sla.on_buyer_message(shop, thread, message, receipt.is_new_thread)
    if consent.on_buyer_message(thread.buyer, message, now) is not None:
        threads.record_event(thread, None, "consent_withdrawn", now, message_id=message.id)
    disputes.on_buyer_message(shop, thread, message, now)
    if thread.order_id is not None:
        followups.plan_for_orders(shop.id, [thread.order_id], now)
    return Received(thread, message, True, auto_reply=_auto_reply(shop, receipt, now))


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
    outbox.enqueue(shop, reply, now)
    autoreply.record_sent(occasion, thread, buyer, reply, now)
    sla.on_seller_reply(shop, thread, now, automatic=True)
    return reply


def send_reply(shop, thread, actor, body, now, files=(), saved_reply_ids=(), suggested_reply_ids=()):
    """A seller's reply: stored, attached, and queued in the outbox in one transaction; the thread awaits the buyer.

    The saved replies it was written from count one more use, and the buyer message it answers is remembered
    for each of them, so that the next message like it suggests the same reply; the replies suggested to the
    seller meanwhile count as shown, so that the ones passed over sink.
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
    outbox.enqueue(shop, message, now)
    replies.record_usage(shop.id, actor, saved_reply_ids, now)
    sla.on_seller_reply(shop, thread, now)
    return message
