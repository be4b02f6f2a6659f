"""Outbox actions: queue a message, claim due items safely across processes, record what delivery did."""
import secrets

from sqlalchemy import and_, delete, not_, or_, select, update
from sqlalchemy.orm import selectinload

from sellerkit.dialects.locking import skipping_locked
from sellerkit.errors import ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.outbox import domain, registry
from sellerkit.outbox.models import OutboxItem


def enqueue(shop, message, now, kind):
    """Queue an outgoing message in the caller's transaction; manual items wait for the seller, not the scheduler.
    `kind` names the registered builder that turns it into a delivery (a follow-up adds its unsubscribe headers).
    A registered transport that claims the item (a channel, for its conversations' replies) carries it."""
    transport = registry.chosen_transport(shop, message, kind) or shop.reply_transport
    item = OutboxItem(shop_id=shop.id, kind=kind, message_id=message.id, transport=transport, status="pending",
                      attempts=0, due_at=None if transport == "manual" else now, created_at=now)
    db.session.add(item)
    return item


def use_transport(message_ids, transport, now):
    """Send the queued items of these messages through `transport` from now on (a conversation found its channel
    after its auto-reply was queued)."""
    if message_ids:
        db.session.execute(update(OutboxItem).where(OutboxItem.message_id.in_(message_ids),
                                                    OutboxItem.status == "pending")
                           .values(transport=transport, due_at=now))


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


def claim_due(now, limit=100, lease=domain.LEASE, skip_lanes=()):
    """Claim up to `limit` due items for this sweep and return (rows of id, transport, shop_id; token); the caller
    commits the claim. Due are pending items whose time has come and claims whose lease ran out (their sender died);
    items of `skip_lanes` (receivers busy enough) are left for later.

    On PostgreSQL the rows are picked with FOR UPDATE SKIP LOCKED, so concurrent sweeps take disjoint sets; SQLite
    serialises writers with BEGIN IMMEDIATE. The UPDATE repeats the due condition and returns only the rows this
    claim's token marked, so a row is never held by two claims at once.
    """
    token = secrets.token_hex(16)
    is_due = or_(and_(OutboxItem.status == "pending", OutboxItem.due_at <= now),
                 and_(OutboxItem.status == "sending", OutboxItem.claimed_until < now))
    skipped = [and_(OutboxItem.transport == transport, OutboxItem.shop_id == shop_id) if shop_id is not None
               else OutboxItem.transport == transport for transport, shop_id in skip_lanes]
    due = select(OutboxItem.id).where(is_due, *(not_(condition) for condition in skipped)) \
        .order_by(OutboxItem.due_at, OutboxItem.id).limit(limit)
    due = skipping_locked(db.session, due)
    # A materialized CTE runs once: as a plain IN (subquery), PostgreSQL may run it again per row, past the LIMIT.
    due = due.cte("due").prefix_with("MATERIALIZED", dialect="postgresql")
    rows = db.session.execute(
        update(OutboxItem).where(OutboxItem.id.in_(select(due.c.id)), is_due)
        .values(status="sending", claimed_until=now + lease, claim_token=token, attempts=OutboxItem.attempts + 1)
        .returning(OutboxItem.id, OutboxItem.transport, OutboxItem.shop_id)
    ).all()
    return sorted(rows), token


def renew_leases(item_ids, token, until):
    """Extend this sweep's claims on the items it is still working on; returns how many it still holds."""
    if not item_ids:
        return 0
    return db.session.execute(
        update(OutboxItem).where(OutboxItem.id.in_(item_ids), OutboxItem.claim_token == token)
        .values(claimed_until=until)
    ).rowcount


def unclaim(item_ids, token):
    """Hand back claimed items not started (their receiver is busy): due again at once, the attempt not counted."""
    if item_ids:
        db.session.execute(
            update(OutboxItem).where(OutboxItem.id.in_(item_ids), OutboxItem.claim_token == token)
            .values(status="pending", claim_token=None, claimed_until=None, attempts=OutboxItem.attempts - 1))


def confirm_sent_many(claims, now):
    """Mark claimed items sent, given as (item id, claim token) pairs, with one UPDATE per token; an item whose claim
    was taken back in the meantime (token changed) is left alone. Returns the items marked sent, in id order, with
    their messages loaded (a kind's `delivered` reads it)."""
    by_token = {}
    for item_id, token in claims:
        by_token.setdefault(token, []).append(item_id)
    marked = []
    for token, item_ids in by_token.items():
        marked += db.session.scalars(
            update(OutboxItem).where(OutboxItem.id.in_(item_ids), OutboxItem.claim_token == token)
            .values(status="sent", sent_at=now, last_error=None, claim_token=None, claimed_until=None, due_at=None)
            .returning(OutboxItem.id)
        ).all()
    if not marked:
        return []
    return db.session.scalars(select(OutboxItem).where(OutboxItem.id.in_(marked)).order_by(OutboxItem.id)
                              .options(selectinload(OutboxItem.message))).all()


def record_failure(item_id, token, reason, permanent, now):
    """Schedule the next try with backoff, or give up and show the failure; the reason is kept for the seller.
    Returns the item, or None when its claim was taken back meanwhile."""
    item = db.session.get(OutboxItem, item_id)
    if item is None or item.claim_token != token:
        return None
    retry_at = domain.next_attempt_at(item.attempts, now, permanent)
    item.status = "pending" if retry_at else "failed"
    item.due_at, item.last_error, item.claim_token, item.claimed_until = retry_at, reason[:1000], None, None
    return item


def mark_bounced(shop_id, message_id, reason, now):
    """The receiving side reported that the mail of a message never arrived (a bounce): its delivery failed, with the
    server's words for the seller. Returns the item, or None when the message has none (or already failed)."""
    item = db.session.scalar(select(OutboxItem).where(OutboxItem.shop_id == shop_id,
                                                      OutboxItem.message_id == message_id))
    if item is None or item.status == "failed" or item.transport == "manual":
        return None
    item.status, item.due_at, item.claim_token, item.claimed_until = "failed", None, None, None
    item.last_error = f"returned by the receiving mail server: {reason}"[:1000]
    return item
