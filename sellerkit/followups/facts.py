"""What the follow-up rules need to know about many buyers at once, in a fixed number of queries (never one per row)."""
from sqlalchemy import func, select

from sellerkit.autoreply.services import vacation_in_progress
from sellerkit.consent.services import state_of
from sellerkit.coupons import domain as coupon_rules
from sellerkit.extensions import db
from sellerkit.followups import domain
from sellerkit.followups.models import FollowUp
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Buyer, Message, Order, Thread
from sellerkit.tickets.domain import OPEN
from sellerkit.tickets.models import Ticket


def _buyers(buyer_ids):
    return {b.id: b for b in db.session.scalars(select(Buyer).where(Buyer.id.in_(buyer_ids)))}


def _sent_in_campaign(campaign_id, buyer_ids):
    return set(db.session.scalars(select(FollowUp.buyer_id).where(
        FollowUp.campaign_id == campaign_id, FollowUp.status == "sent", FollowUp.buyer_id.in_(buyer_ids))))


def _last_follow_up(buyer_ids):
    return dict(db.session.execute(select(FollowUp.buyer_id, func.max(FollowUp.sent_at)).where(
        FollowUp.buyer_id.in_(buyer_ids), FollowUp.status == "sent").group_by(FollowUp.buyer_id)).all())


def _open_disputes(buyer_ids):
    return set(db.session.scalars(select(Thread.buyer_id).where(
        Thread.buyer_id.in_(buyer_ids), Thread.is_dispute.is_(True), Thread.status != "resolved").distinct()))


def _complained_last(buyer_ids):
    """Buyers whose latest message (across their conversations) is marked as a complaint."""
    ranked = select(Thread.buyer_id.label("buyer_id"), Message.is_complaint.label("is_complaint"),
                    func.row_number().over(partition_by=Thread.buyer_id,
                                           order_by=(Message.posted_at.desc(), Message.id.desc())).label("rank")) \
        .join(Thread, Thread.id == Message.thread_id) \
        .where(Thread.buyer_id.in_(buyer_ids), Message.direction == "in").subquery()
    return set(db.session.scalars(select(ranked.c.buyer_id).where(ranked.c.rank == 1, ranked.c.is_complaint.is_(True))))


def _latest_order_time(buyer_ids):
    moment = func.coalesce(Order.placed_at, Order.created_at)
    return dict(db.session.execute(select(Order.buyer_id, func.max(moment)).where(Order.buyer_id.in_(buyer_ids))
                                   .group_by(Order.buyer_id)).all())


def _open_tickets(buyer_ids):
    """Buyers with a support ticket still open about them."""
    return set(db.session.scalars(select(Ticket.buyer_id).where(
        Ticket.buyer_id.in_(buyer_ids), Ticket.lifecycle.in_(OPEN)).distinct()))


def gather(campaign, orders, now, assume_active=False):
    """{order id: domain.Facts} for the campaign's orders (each with .id, .buyer_id, .delivered_at, .placed_at,
    .created_at). Pool codes are counted as available here; the sender finds out when it takes one. The preview
    asks with `assume_active`, to see what switching the campaign on would do."""
    buyer_ids = sorted({o.buyer_id for o in orders})
    if not buyer_ids:
        return {}
    buyers, sent = _buyers(buyer_ids), _sent_in_campaign(campaign.id, buyer_ids)
    last, disputes = _last_follow_up(buyer_ids), _open_disputes(buyer_ids)
    complained, tickets = _complained_last(buyer_ids), _open_tickets(buyer_ids)
    latest = _latest_order_time(buyer_ids) if campaign.trigger == "after_last_order" else {}
    vacation = vacation_in_progress(db.session.get(Shop, campaign.shop_id), now)
    coupon_available = True
    if campaign.coupon_mode == "shared":
        coupon_available = campaign.coupon is not None and coupon_rules.is_usable(campaign.coupon, now)
    facts = {}
    for order in orders:
        buyer = buyers[order.buyer_id]
        given = state_of(buyer).is_given
        own_time = domain.trigger_time("after_last_order", order.placed_at, None, order.created_at)
        facts[order.id] = domain.Facts(
            consent_given=given, consent_withdrawn=buyer.consent_withdrawn_at is not None and not given,
            delivered=order.delivered_at is not None and order.delivered_at <= now,
            already_sent_in_campaign=buyer.id in sent,
            newer_order=bool(latest) and latest.get(buyer.id) is not None and latest[buyer.id] > own_time,
            open_dispute=buyer.id in disputes, open_ticket=buyer.id in tickets,
            last_message_is_complaint=buyer.id in complained, coupon_available=coupon_available,
            campaign_active=campaign.is_active or assume_active, vacation_ends_at=vacation.ends() if vacation else None,
            last_follow_up_at=last.get(buyer.id))
    return facts
