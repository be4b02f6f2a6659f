"""API endpoints for shops: the caller's shops, one shop, and creating a shop."""
from flask import g, jsonify, request

from sellerkit.api.core import ApiError, bp, json_body
from sellerkit.clock import utcnow
from sellerkit.extensions import db
from sellerkit.i18n import gettext as _
from sellerkit.shops import services
from sellerkit.sla import services as sla

SHOP_FIELDS = ("name", "platform", "default_language", "timezone")


def shop_json(membership):
    shop = membership.shop
    return {
        "id": shop.id,
        "name": shop.name,
        "platform": shop.platform,
        "default_language": shop.default_language,
        "timezone": shop.timezone,
        "role": membership.role,
        "business_hours": [
            {"weekday": h.weekday, "opens_at": h.opens_at.strftime("%H:%M"), "closes_at": h.closes_at.strftime("%H:%M")}
            for h in shop.business_hours
        ],
        "created_at": shop.created_at.isoformat(),
    }


@bp.get("/shops")
def list_shops():
    return jsonify({"shops": [shop_json(m) for m in services.memberships_of(g.api_user)]})


@bp.get("/shops/<int:shop_id>")
def get_shop(shop_id):
    return jsonify(shop_json(services.membership_for(g.api_user, shop_id)))


@bp.post("/shops")
def create_shop():
    data = json_body(allowed=SHOP_FIELDS, required=SHOP_FIELDS)
    not_text = {name: _("This field must be text.") for name in SHOP_FIELDS if not isinstance(data[name], str)}
    if not_text:
        raise ApiError(_("Some fields have the wrong type."), fields=not_text)
    shop = services.create_shop(g.api_user, data["name"], data["platform"], data["default_language"],
                                data["timezone"], utcnow())
    db.session.commit()
    return jsonify(shop_json(services.membership_for(g.api_user, shop.id))), 201


@bp.get("/shops/<int:shop_id>/response-stats")
def response_stats(shop_id):
    """The dashboard's figures for 7, 30 or 90 days: the same numbers as the page and the CSV."""
    membership = services.membership_for(g.api_user, shop_id)
    days = request.args.get("days", type=int) or 30
    if days not in sla.WINDOWS:
        raise ApiError(_("Some fields have the wrong type."), fields={"days": _("Choose one of the listed options.")})
    rule, summary, series = sla.dashboard(membership.shop, days, utcnow())

    def hours(value):
        return round(value.total_seconds() / 3600, 2) if value else None

    return jsonify({
        "days": days, "target_rate": rule.target_rate, "counted": summary.counted, "on_time": summary.on_time,
        "breaches": summary.breaches, "rate": summary.rate, "median_hours": hours(summary.median),
        "p90_hours": hours(summary.p90), "needed_for_target": summary.needed_for_target,
        "daily": [{"date": day.isoformat(), "median_hours": hours(median), "rate": rate}
                  for day, median, rate in series]})
