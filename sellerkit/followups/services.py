"""Campaign actions: save, switch on and off, plan follow-ups for delivered orders, and send the due ones."""
import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from sellerkit.consent.services import opt_out_token
from sellerkit.coupons import domain as coupon_rules
from sellerkit.coupons import services as coupons
from sellerkit.dialects.locking import skipping_locked
from sellerkit.dialects.upsert import dialect_insert
from sellerkit.errors import NotFound, ServiceError
from sellerkit.extensions import db
from sellerkit.followups import domain, facts
from sellerkit.followups.models import Campaign, CampaignMessage, FollowUp
from sellerkit.followups.outbound import KIND as FOLLOW_UP_KIND
from sellerkit.i18n import buyer_date, buyer_locale
from sellerkit.i18n import gettext as _
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.links import can_build_links, public_link
from sellerkit.localformat import last_day
from sellerkit.outbox import services as outbox
from sellerkit.replies.domain import choose_variant, render
from sellerkit.shops.domain import BUYER_LANGUAGES
from sellerkit.shops.models import Shop
from sellerkit.shops.services import require_owner
from sellerkit.threads import services as threads
from sellerkit.threads.models import Order

log = logging.getLogger(__name__)
CAMPAIGN_NOT_FOUND = _l("This campaign does not exist or is not in your shops.")
PROBLEMS = {
    "required": _l("This field is required."),
    "too_long": _l("This text is too long."),
    "choice": _l("Choose one of the listed options."),
    "days_range": _l("Give a number of days from 1 to 365."),
    "default_language_missing": _l("Write the message at least in the shop's default language."),
    "coupon_placeholder_without_coupon": _l("This message names a coupon, but the campaign has none."),
    "coupon_missing": _l("Choose the coupon to send."),
    "coupon_expired": _l("This coupon has expired or cannot be redeemed any more; choose another one."),
    "pool_empty": _l("This pool has no free codes left; generate more first."),
}
BATCH = 100


def campaigns_of(shop_id):
    return db.session.scalars(select(Campaign).where(Campaign.shop_id == shop_id).order_by(Campaign.id.desc())).all()


def follow_up_counts(shop_id):
    """{campaign id: {status: count}} for the shop's campaign list, in one query."""
    counts = {}
    for campaign_id, status, n in db.session.execute(
            select(FollowUp.campaign_id, FollowUp.status, func.count()).where(FollowUp.shop_id == shop_id)
            .group_by(FollowUp.campaign_id, FollowUp.status)):
        counts.setdefault(campaign_id, {})[status] = n
    return counts


def latest_follow_ups(campaign_id, after=None, limit=25):
    """A page of the campaign's follow-ups, latest changed first, with their buyers and orders, and the id to
    continue after (None on the last page). `after` is the last id of the page before; one that is not the
    campaign's starts from the top."""
    statement = select(FollowUp).where(FollowUp.campaign_id == campaign_id)
    last = db.session.execute(select(FollowUp.updated_at, FollowUp.id).where(
        FollowUp.campaign_id == campaign_id, FollowUp.id == after)).first() if after else None
    if last is not None:
        statement = statement.where(or_(FollowUp.updated_at < last.updated_at,
                                        and_(FollowUp.updated_at == last.updated_at, FollowUp.id < last.id)))
    rows = db.session.scalars(statement.options(joinedload(FollowUp.buyer), joinedload(FollowUp.order))
                              .order_by(FollowUp.updated_at.desc(), FollowUp.id.desc()).limit(limit + 1)).all()
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)


def campaign_of(shop_id, campaign_id):
    campaign = db.session.scalar(select(Campaign).where(Campaign.id == campaign_id, Campaign.shop_id == shop_id))
    if campaign is None:
        raise NotFound(CAMPAIGN_NOT_FOUND)
    return campaign


def _coupon_problem(shop_id, mode, coupon_id, pool, now):
    if mode == "shared":
        coupon = coupons.coupon_of(shop_id, coupon_id) if coupon_id else None
        if coupon is None or coupon.pool:
            return "coupon_id", "coupon_missing"
        if not coupon_rules.is_usable(coupon, now):
            return "coupon_id", "coupon_expired"
    elif mode == "pool":
        if not pool:
            return "coupon_pool", "coupon_missing"
        if coupons.free_pool_codes(shop_id, pool, now) == 0:
            return "coupon_pool", "pool_empty"
    return None


def save_campaign(membership, campaign, fields, bodies, now):
    """Create (campaign None) or change a campaign; owners only. Changing the message changes only follow-ups not
    yet sent, since their text is written when they go out."""
    require_owner(membership)
    shop = membership.shop
    bodies = {lang: (body or "").strip() for lang, body in bodies.items() if lang in BUYER_LANGUAGES}
    name = (fields.get("name") or "").strip()
    problem = domain.campaign_problem(name, fields.get("trigger"), fields.get("days"), fields.get("min_days_between"),
                                      fields.get("coupon_mode"), bodies, default_language=shop.default_language)
    if problem:
        field, code, detail = problem
        if code == "unknown_placeholder":
            raise ServiceError(_l("Unknown placeholder: %(names)s. Use one from the list.", names=detail), field=field)
        raise ServiceError(PROBLEMS[code], field=field)
    mode = fields["coupon_mode"]
    problem = _coupon_problem(shop.id, mode, fields.get("coupon_id"), fields.get("coupon_pool"), now)
    if problem:
        raise ServiceError(PROBLEMS[problem[1]], field=problem[0])
    if campaign is None:
        campaign = Campaign(shop_id=shop.id, is_active=False, created_at=now)
        db.session.add(campaign)
    campaign.name, campaign.trigger, campaign.days = name, fields["trigger"], fields["days"]
    campaign.min_days_between, campaign.coupon_mode = fields["min_days_between"], mode
    campaign.coupon_id = fields.get("coupon_id") if mode == "shared" else None
    campaign.coupon_pool = fields.get("coupon_pool") if mode == "pool" else None
    campaign.updated_at = now
    _set_messages(campaign, {lang: body for lang, body in bodies.items() if body})
    db.session.flush()
    return campaign


def _set_messages(campaign, bodies):
    """Change the messages in place: (campaign, language) is unique, and a delete flushes after an insert."""
    existing = {m.language: m for m in campaign.messages}
    for language, message in existing.items():
        if language not in bodies:
            campaign.messages.remove(message)
        else:
            message.body = bodies[language]
    campaign.messages.extend(CampaignMessage(language=language, body=body)
                             for language, body in sorted(bodies.items()) if language not in existing)


def set_active(membership, campaign, active, now):
    """Switch a campaign on (its coupon checked again, then follow-ups planned) or off (what waits is kept)."""
    require_owner(membership)
    if active and not campaign.is_active:
        problem = _coupon_problem(campaign.shop_id, campaign.coupon_mode, campaign.coupon_id, campaign.coupon_pool, now)
        if problem:
            raise ServiceError(PROBLEMS[problem[1]], field=problem[0])
        campaign.is_active, campaign.activated_at, campaign.updated_at = True, now, now
        db.session.flush()
        plan(campaign, now)
    elif not active and campaign.is_active:
        campaign.is_active, campaign.updated_at = False, now
    db.session.flush()


def candidate_orders(campaign, since, order_ids=None):
    """Orders whose follow-up falls due at `since` or later (all of them, when `since` is None), without one yet."""
    moment = Order.delivered_at if campaign.trigger == "after_delivery" else Order.placed_at
    query = select(Order).where(Order.shop_id == campaign.shop_id, ~exists().where(
        FollowUp.campaign_id == campaign.id, FollowUp.order_id == Order.id))
    if campaign.trigger == "after_delivery":
        query = query.where(Order.delivered_at.is_not(None))
    if since is not None:
        cutoff = since - timedelta(days=campaign.days)
        query = query.where((moment >= cutoff) | (moment.is_(None) & (Order.created_at >= cutoff)))
    if order_ids is not None:
        query = query.where(Order.id.in_(order_ids))
    return db.session.scalars(query.order_by(Order.id)).all()


def _insert_ignoring_duplicates(rows):
    """Insert follow-up rows; one that another planner inserted a moment ago is skipped, not an error."""
    if not rows:
        return
    insert = dialect_insert(db.session, FollowUp)
    db.session.execute(insert.on_conflict_do_nothing(index_elements=["campaign_id", "order_id"]), rows)


def plan(campaign, now, order_ids=None):
    """Create the pending follow-ups of an active campaign: for every order whose due time is not older than
    LOOKBACK before the campaign was switched on. Idempotent: an order gets at most one row per campaign."""
    if not campaign.is_active:
        return 0
    orders = candidate_orders(campaign, campaign.activated_at - domain.LOOKBACK, order_ids)
    rows = []
    for order in orders:
        due = domain.due_at(campaign.trigger, campaign.days, order.placed_at, order.delivered_at, order.created_at)
        rows.append({"shop_id": campaign.shop_id, "campaign_id": campaign.id, "buyer_id": order.buyer_id,
                     "order_id": order.id, "due_at": max(due, now) if due else now, "status": "pending",
                     "created_at": now, "updated_at": now})
    _insert_ignoring_duplicates(rows)
    return len(rows)


def plan_for_orders(shop_id, order_ids, now):
    """Plan every active campaign of the shop for these orders (just delivered, placed or imported)."""
    for campaign in db.session.scalars(select(Campaign).where(Campaign.shop_id == shop_id, Campaign.is_active)):
        plan(campaign, now, order_ids)


def plan_all(now):
    """The scheduler's safety net: orders that arrived by any path (bulk imports too) get their follow-ups."""
    for campaign in db.session.scalars(select(Campaign).where(Campaign.is_active)):
        plan(campaign, now)


def _due(now):
    query = select(FollowUp).where(FollowUp.status == "pending", FollowUp.due_at <= now) \
        .order_by(FollowUp.due_at, FollowUp.id).limit(BATCH)
    return db.session.scalars(skipping_locked(db.session, query, of=FollowUp)).all()


def send_due(now):
    """Decide and send up to BATCH due follow-ups in one transaction, returning how many were decided.

    Each is sent, postponed (vacation, minimum interval) or skipped with its reason. A sent one becomes a
    message in the buyer's conversation and an outbox item, so a crash before the commit sends nothing and
    loses nothing. The partial unique index stops a second scheduler from sending a campaign twice to a buyer.
    """
    due = _due(now)
    campaigns = {c.id: c for c in db.session.scalars(select(Campaign).where(
        Campaign.id.in_({f.campaign_id for f in due})))}
    for campaign_id, campaign in campaigns.items():
        rows = [f for f in due if f.campaign_id == campaign_id]
        known = facts.gather(campaign, [f.order for f in rows], now)
        for follow_up in rows:
            decision = domain.decide(known[follow_up.order_id], campaign.min_days_between, now)
            follow_up.updated_at = now
            if decision.action == "wait":
                follow_up.due_at, follow_up.reason = decision.until, decision.reason
            elif decision.action == "skip":
                follow_up.status, follow_up.reason = "skipped", decision.reason
            else:
                _send(campaign, follow_up, now)
    return len(due)


def _send(campaign, follow_up, now):
    try:
        with db.session.begin_nested():
            coupon = _coupon_for(campaign, now)
            if campaign.coupon_mode != "none" and coupon is None:
                follow_up.status, follow_up.reason = "skipped", "no_coupon"
                return
            shop = db.session.get(Shop, campaign.shop_id)
            buyer, order = follow_up.buyer, follow_up.order
            language, text = message_text(campaign, shop, buyer, order, coupon)
            thread = threads.thread_to_write(shop, buyer, order, campaign.name, now)
            message = threads.add_message(thread, "follow_up", text, now, now, language=language, is_automatic=True)
            outbox.enqueue(shop, message, now, kind=FOLLOW_UP_KIND)
            follow_up.status, follow_up.reason, follow_up.sent_at = "sent", None, now
            follow_up.message_id, follow_up.language = message.id, language
            follow_up.coupon_id = coupon.id if coupon else None
            db.session.flush()
    except IntegrityError:
        # Another scheduler sent this campaign to this buyer a moment ago (another order of theirs).
        db.session.execute(update(FollowUp).where(FollowUp.id == follow_up.id).values(
            status="skipped", reason="already_sent", updated_at=now))


def _coupon_for(campaign, now):
    if campaign.coupon_mode == "shared":
        return campaign.coupon
    if campaign.coupon_mode == "pool":
        return coupons.take_pool_code(campaign.shop_id, campaign.coupon_pool, now)
    return None


def message_text(campaign, shop, buyer, order, coupon):
    """(language, text) of the follow-up for this buyer: their language's message (else the shop's), the
    placeholders filled for them, and the opt-out link always included."""
    language, body = choose_variant(campaign.bodies, buyer.language, shop.default_language)
    link = opt_out_link(shop.id, buyer.id)
    # A coupon valid until midnight is valid through the day before: that is the day the buyer is told.
    expiry = last_day(coupon.valid_until, ZoneInfo(shop.timezone)) if coupon and coupon.valid_until else None
    values = {"buyer_name": buyer.display_name or None, "order_reference": order.platform_order_ref if order else None,
              "coupon_code": coupon.code if coupon else None,
              "coupon_expiry": buyer_date(expiry, language) if expiry else None,
              "opt_out_link": link, "shop_name": shop.name}
    text = render(body, values, domain.PLACEHOLDERS).text
    with force_locale(buyer_locale(language)):
        footer = _("You get this message because you agreed to hear from us. To stop, open %(link)s or reply STOP.",
                   link=link)
    return language, domain.with_opt_out(text, link, "\n\n" + footer)


def opt_out_link(shop_id, buyer_id):
    """The absolute opt-out link, under PUBLIC_URL (checked by can_send())."""
    return public_link("consent.opt_out", shop_id=shop_id, token=opt_out_token(shop_id, buyer_id))


def can_send():
    """Follow-ups carry an opt-out link to this server, so the scheduler needs to know its public address."""
    return can_build_links()
