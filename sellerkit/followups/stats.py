"""What a campaign would do (the preview) and what it did (sent, skipped, opted out, redeemed, revenue, by day)."""
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from sellerkit.charts import LABEL_WIDTH, TOP_ROOM, count_steps, value_axis
from sellerkit.consent.models import ConsentEvent
from sellerkit.coupons import services as coupons
from sellerkit.coupons.models import Coupon, Redemption
from sellerkit.extensions import db
from sellerkit.followups import domain, facts
from sellerkit.followups.models import FollowUp
from sellerkit.followups.services import candidate_orders

CHART_DAYS = 30
#: Best outcome first: a buyer with several orders counts once, by their best one.
RANK = {"send": 0, "later": 1, "wait": 2, "skip": 3}


@dataclass
class Preview:
    reach_now: int = 0
    later: int = 0
    waiting: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)


def preview(campaign, now):
    """How many buyers switching the campaign on now would reach at once, how many later, and who is skipped
    or made to wait, and why. Counted per buyer, with the same rules and facts the scheduler uses."""
    orders = candidate_orders(campaign, now - domain.LOOKBACK)
    known = facts.gather(campaign, orders, now, assume_active=True)
    result, best = Preview(), {}
    for order in orders:
        due = domain.due_at(campaign.trigger, campaign.days, order.placed_at, order.delivered_at, order.created_at)
        decision = domain.decide(known[order.id], campaign.min_days_between, now)
        action = "later" if decision.action == "send" and due and due > now else decision.action
        outcome = (RANK[action], action, decision.reason)
        if order.buyer_id not in best or outcome < best[order.buyer_id]:
            best[order.buyer_id] = outcome
    outcomes = [(action, reason) for _rank, action, reason in best.values()]
    sends = sum(1 for action, _reason in outcomes if action == "send")
    free = coupons.free_pool_codes(campaign.shop_id, campaign.coupon_pool, now) \
        if campaign.coupon_mode == "pool" and campaign.coupon_pool else sends
    result.reach_now = min(sends, free)
    if sends > free:
        result.skipped["no_coupon"] += sends - free
    for action, reason in outcomes:
        if action == "later":
            result.later += 1
        elif action == "wait":
            result.waiting[reason] += 1
        elif action == "skip":
            result.skipped[reason] += 1
    return result


def not_going_out(campaign, now):
    """{follow-up id: reason} of the planned follow-ups that the rules would skip if they fell due now (no consent,
    consent withdrawn, an open dispute, the campaign switched off...): the page must not list those buyers as
    getting the message. An order not delivered yet is still planned while its follow-up is not due."""
    pending = db.session.scalars(select(FollowUp).where(FollowUp.campaign_id == campaign.id,
                                                        FollowUp.status == "pending")
                                 .options(joinedload(FollowUp.order))).all()
    known = facts.gather(campaign, [follow_up.order for follow_up in pending], now)
    blocked = {}
    for follow_up in pending:
        decision = domain.decide(known[follow_up.order_id], campaign.min_days_between, now)
        if decision.action == "skip" and not (decision.reason == "not_delivered" and follow_up.due_at > now):
            blocked[follow_up.id] = decision.reason
    return blocked


@dataclass
class Figures:
    sent: int
    pending: int  # planned follow-ups the rules would send (now or after a wait), not those they would skip
    skipped: dict  # reason -> count
    opted_out: int
    redeemed: int
    revenue: list  # (currency, amount)
    days: list  # (date, sent, redeemed), oldest first
    not_going_out: dict  # follow-up id -> the reason a planned one would be skipped


def _redemptions(campaign):
    """Redemptions of codes this campaign sent, after it sent them: a pool code is the buyer's own; a shared
    code counts when the order is the buyer's the follow-up went to."""
    return select(Redemption.id, Redemption.amount, Redemption.currency, Redemption.redeemed_at) \
        .join(FollowUp, and_(FollowUp.coupon_id == Redemption.coupon_id, FollowUp.campaign_id == campaign.id,
                             FollowUp.status == "sent", Redemption.redeemed_at >= FollowUp.sent_at)) \
        .join(Coupon, Coupon.id == Redemption.coupon_id) \
        .where(or_(Coupon.pool.is_not(None), Redemption.buyer_id == FollowUp.buyer_id)).distinct()


def figures(campaign, now, zone):
    counts = db.session.execute(select(FollowUp.status, FollowUp.reason, func.count()).where(
        FollowUp.campaign_id == campaign.id).group_by(FollowUp.status, FollowUp.reason)).all()
    skipped = {reason: n for status, reason, n in counts if status == "skipped"}
    opted_out = db.session.scalar(select(func.count(func.distinct(FollowUp.buyer_id))).join(
        ConsentEvent, and_(ConsentEvent.buyer_id == FollowUp.buyer_id, ConsentEvent.action == "withdrawn",
                           ConsentEvent.occurred_at >= FollowUp.sent_at))
        .where(FollowUp.campaign_id == campaign.id, FollowUp.status == "sent"))
    redemptions = db.session.execute(_redemptions(campaign)).all()
    revenue = Counter()
    for row in redemptions:
        revenue[row.currency or ""] += row.amount
    start = (now.astimezone(zone) - timedelta(days=CHART_DAYS - 1)).date()
    sent_days = Counter(moment.astimezone(zone).date() for moment in db.session.scalars(select(FollowUp.sent_at).where(
        FollowUp.campaign_id == campaign.id, FollowUp.status == "sent", FollowUp.sent_at >= now - timedelta(
            days=CHART_DAYS))))
    redeemed_days = Counter(row.redeemed_at.astimezone(zone).date() for row in redemptions)
    days = [(day, sent_days[day], redeemed_days[day])
            for day in (start + timedelta(days=n) for n in range(CHART_DAYS))]
    blocked = not_going_out(campaign, now)
    return Figures(sent=sum(n for status, _r, n in counts if status == "sent"),
                   pending=sum(n for status, _r, n in counts if status == "pending") - len(blocked), skipped=skipped,
                   opted_out=opted_out, redeemed=len(redemptions), revenue=sorted(revenue.items()), days=days,
                   not_going_out=blocked)


def _count_axis(days, height):
    return value_axis(max([max(sent, redeemed) for _day, sent, redeemed in days] + [1]), count_steps(), height)


def chart_bars(days, width=640, height=180):
    """SVG bars, two per day (sent, then redeemed): (x, y, width, height, day, value, kind), right of the value
    axis and scaled to its top tick."""
    top, usable = _count_axis(days, height).top, height - TOP_ROOM
    slot = (width - LABEL_WIDTH) / max(len(days), 1)
    bars = []
    for index, (day, sent, redeemed) in enumerate(days):
        for offset, value, kind in ((0.1, sent, "sent"), (0.5, redeemed, "redeemed")):
            bar = value / top * usable
            bars.append((round(LABEL_WIDTH + (index + offset) * slot, 1), round(height - bar, 1),
                         round(slot * 0.4, 1), round(bar, 1), day, value, kind))
    return bars


def chart_ticks(days, height=180):
    """The count axis of chart_bars' chart: (y, count) ticks from zero up."""
    return _count_axis(days, height).ticks
