"""Outbox actions: queue a message, claim due items safely across processes, record what delivery did."""
import secrets

from sqlalchemy import delete, select, update

from sellerkit.errors import ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.outbox import domain
from sellerkit.outbox.models import OutboxItem
from sellerkit.threads.models import Buyer, Message, Thread


def enqueue(shop, message, now, kind):
    """Queue an outgoing message in the caller's transaction; manual items wait for the seller, not the scheduler.
    `kind` names the registered builder that turns it into a delivery (a follow-up adds its unsubscribe headers)."""
    transport = shop.reply_transport
    item = OutboxItem(shop_id=shop.id, kind=kind, message_id=message.id, transport=transport, status="pending",
                      attempts=0, due_at=None if transport == "manual" else now, created_at=now)
    db.session.add(item)
    return item


def drop(item_id, token):
    """Its builder found nothing to send any more (a reset asked for an unknown e-mail): the claimed item goes."""
    db.session.execute(delete(OutboxItem).where(OutboxItem.id == item_id, OutboxItem.claim_token == token))


def mark_sent_by_hand(item, now):
    """The seller copied a manual reply to the platform and says so."""
    if item.status == "sent":
        raise ServiceError(_l("This reply is already marked as sent."), code="already_sent")
    item.status, item.sent_at, item.last_error, item.due_at = "sent", now, None, None


def retry_now(item, now):
    """Put a failed delivery back in the queue at once (the seller fixed the address or the webhook)."""
    if item.status not in ("failed", "pending") or item.transport == "manual":
        raise ServiceError(_l("Only failed deliveries can be retried."), code="not_failed")
    item.status, item.due_at, item.attempts = "pending", now, 0


def release_stale_claims(now, timeout=domain.CLAIM_TIMEOUT):
    """Claims of a process that died before confirming become due again (at-least-once, never lost)."""
    return db.session.execute(
        update(OutboxItem).where(OutboxItem.status == "sending", OutboxItem.claimed_at < now - timeout)
        .values(status="pending", due_at=now, claim_token=None)
    ).rowcount


def claim_due(now, limit=100):
    """Claim up to `limit` due items for this process and return (ids, token); the caller commits the claim.

    On PostgreSQL the rows are picked with FOR UPDATE SKIP LOCKED, so concurrent schedulers take disjoint
    sets; SQLite serialises writers with BEGIN IMMEDIATE. Only rows still pending are updated, and only
    the ones this claim's token marked are returned.
    """
    token = secrets.token_hex(16)
    due = select(OutboxItem.id).where(OutboxItem.status == "pending", OutboxItem.due_at <= now) \
        .order_by(OutboxItem.due_at, OutboxItem.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(
        update(OutboxItem).where(OutboxItem.id.in_(due.scalar_subquery()), OutboxItem.status == "pending")
        .values(status="sending", claimed_at=now, claim_token=token, attempts=OutboxItem.attempts + 1)
        .returning(OutboxItem.id)
    ))
    return ids, token


def confirm_sent(item_id, token, now):
    """Mark a claimed item sent; a claim taken back in the meantime (token changed) is left alone."""
    return db.session.execute(
        update(OutboxItem).where(OutboxItem.id == item_id, OutboxItem.claim_token == token)
        .values(status="sent", sent_at=now, last_error=None, claim_token=None, due_at=None)
    ).rowcount == 1


def record_failure(item_id, token, reason, permanent, now):
    """Schedule the next try with backoff, or give up and show the failure; the reason is kept for the seller."""
    item = db.session.get(OutboxItem, item_id)
    if item is None or item.claim_token != token:
        return
    retry_at = domain.next_attempt_at(item.attempts, now, permanent)
    item.status = "pending" if retry_at else "failed"
    item.due_at, item.last_error, item.claim_token = retry_at, reason[:1000], None


def undelivered(shop_ids, limit=5):
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
