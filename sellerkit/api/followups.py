"""API endpoints for consent (a buyer and their consent history, recording consent) and follow-up campaigns."""
from zoneinfo import ZoneInfo

from flask import g, jsonify

from sellerkit.api.core import ApiError, bp, json_body
from sellerkit.clock import utcnow
from sellerkit.consent import services as consent
from sellerkit.extensions import db
from sellerkit.followups import services as followups
from sellerkit.followups import stats
from sellerkit.i18n import gettext as _
from sellerkit.shops import services as shops
from sellerkit.threads.parsing import moment_field, text_field


def _moment(value):
    return value.isoformat() if value else None


def buyer_json(buyer):
    state = consent.state_of(buyer)
    return {"id": buyer.id, "platform_buyer_id": buyer.platform_buyer_id, "name": buyer.display_name,
            "language": buyer.language, "email": buyer.email,
            "consent": {"given": state.is_given, "given_at": _moment(state.given_at), "source": state.source,
                        "withdrawn_at": _moment(state.withdrawn_at)},
            "consent_history": [{"id": e.id, "action": e.action, "source": e.source, "text": e.text,
                                 "occurred_at": _moment(e.occurred_at), "recorded_at": _moment(e.created_at)}
                                for e in consent.history(buyer.id)]}


@bp.get("/shops/<int:shop_id>/buyers/<int:buyer_id>")
def get_buyer(shop_id, buyer_id):
    shops.membership_for(g.api_user, shop_id)
    return jsonify(buyer_json(consent.buyer_of(shop_id, buyer_id)))


@bp.post("/shops/<int:shop_id>/buyers/<int:buyer_id>/consent")
def record_consent(shop_id, buyer_id):
    """A consent given (with the wording agreed to) or withdrawn elsewhere: the order checkbox, a message, a CRM."""
    shops.membership_for(g.api_user, shop_id)
    buyer = consent.buyer_of(shop_id, buyer_id)
    data = json_body(allowed=("action", "source", "text", "occurred_at"), required=("action",))
    now = utcnow()
    action, source = text_field(data, "action"), text_field(data, "source") or "api"
    if action not in ("given", "withdrawn"):
        raise ApiError(_("Some fields have the wrong type."), fields={"action": _("Choose one of the listed options.")})
    if source not in consent.domain.RECORDABLE_SOURCES:
        raise ApiError(_("Some fields have the wrong type."), fields={"source": _("Choose one of the listed options.")})
    occurred_at = moment_field(data, "occurred_at") or now
    event = consent.record(buyer, action, source, text_field(data, "text"), occurred_at, now, actor=g.api_user)
    db.session.commit()
    return jsonify(buyer_json(buyer)), 201 if event else 200


def campaign_json(campaign, now, zone):
    figures = stats.figures(campaign, now, zone)
    return {"id": campaign.id, "name": campaign.name, "trigger": campaign.trigger, "days": campaign.days,
            "min_days_between": campaign.min_days_between, "coupon_mode": campaign.coupon_mode,
            "coupon_id": campaign.coupon_id, "coupon_pool": campaign.coupon_pool, "is_active": campaign.is_active,
            "activated_at": _moment(campaign.activated_at), "messages": campaign.bodies,
            "figures": {"sent": figures.sent, "pending": figures.pending, "skipped": figures.skipped,
                        "opted_out": figures.opted_out, "redeemed": figures.redeemed,
                        "revenue": [{"currency": c or None, "amount": str(a)} for c, a in figures.revenue]}}


@bp.get("/shops/<int:shop_id>/campaigns")
def list_campaigns(shop_id):
    shop = shops.membership_for(g.api_user, shop_id).shop
    now, zone = utcnow(), ZoneInfo(shop.timezone)
    return jsonify({"campaigns": [campaign_json(c, now, zone) for c in followups.campaigns_of(shop_id)]})


@bp.get("/shops/<int:shop_id>/campaigns/<int:campaign_id>")
def get_campaign(shop_id, campaign_id):
    """The campaign with its figures, and while it is off, the preview of what switching it on would do."""
    shop = shops.membership_for(g.api_user, shop_id).shop
    campaign, now = followups.campaign_of(shop_id, campaign_id), utcnow()
    body = campaign_json(campaign, now, ZoneInfo(shop.timezone))
    if not campaign.is_active:
        preview = stats.preview(campaign, now)
        body["preview"] = {"reach_now": preview.reach_now, "later": preview.later, "waiting": dict(preview.waiting),
                           "skipped": dict(preview.skipped)}
    return jsonify(body)
