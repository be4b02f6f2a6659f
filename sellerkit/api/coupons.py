"""API endpoints for coupons: list, create and generate codes; list and record redemptions."""
from zoneinfo import ZoneInfo

from flask import g, jsonify, request

from sellerkit.api.core import ApiError, bp, json_body
from sellerkit.clock import utcnow
from sellerkit.coupons import domain, services
from sellerkit.extensions import db
from sellerkit.i18n import gettext as _
from sellerkit.shops import services as shops

COUPON_FIELDS = ("code", "kind", "value", "currency", "valid_from", "valid_until", "usage_limit", "min_order", "pool")
GENERATE_FIELDS = ("prefix", "count", "kind", "value", "currency", "valid_from", "valid_until", "min_order")
REDEMPTION_FIELDS = ("code", "order_reference", "amount", "currency", "redeemed_at")


def _when(value):
    return value.isoformat() if value else None


def _money(value):
    return None if value is None else str(value)


def coupon_json(coupon):
    return {"id": coupon.id, "shop_id": coupon.shop_id, "code": coupon.code, "kind": coupon.kind,
            "value": _money(coupon.value), "currency": coupon.currency, "valid_from": _when(coupon.valid_from),
            "valid_until": _when(coupon.valid_until), "usage_limit": coupon.usage_limit,
            "min_order": _money(coupon.min_order), "pool": coupon.pool, "redeemed_count": coupon.redeemed_count,
            "assigned_at": _when(coupon.assigned_at), "created_at": _when(coupon.created_at)}


def redemption_json(redemption, code):
    return {"id": redemption.id, "coupon_id": redemption.coupon_id, "code": code,
            "order_reference": redemption.order_ref, "buyer_id": redemption.buyer_id,
            "amount": _money(redemption.amount), "currency": redemption.currency,
            "redeemed_at": _when(redemption.redeemed_at), "source": redemption.source,
            "created_at": _when(redemption.created_at)}


def _wrong(name, message=None):
    return ApiError(_("Some fields have the wrong type."), fields={name: message or _("This value is not valid.")})


def _text(data, name):
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise _wrong(name, _("This field must be text."))
    return value


def _amount(data, name):
    """A Decimal from "12.50" or 12.5; JSON numbers pass through their text, so 0.1 stays 0.1."""
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _wrong(name)
    parsed = domain.parse_decimal(str(value))
    if parsed is None:
        raise _wrong(name, services.PROBLEMS["not_a_number"])
    return parsed


def _whole(data, name):
    value = data.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise _wrong(name, services.PROBLEMS["whole_number"])
    return value


def _moment(data, name, zone, end_of_day=False):
    text = _text(data, name)
    if not text:
        return None
    moment = domain.parse_moment(text, zone, end_of_day)
    if moment is None:
        raise _wrong(name, services.PROBLEMS["date"])
    return moment


def _cursor():
    text = request.args.get("cursor")
    after = services.cursor_id(text)
    if text and after is None:
        raise _wrong("cursor")
    return after


@bp.get("/shops/<int:shop_id>/coupons")
def list_coupons(shop_id):
    shops.membership_for(g.api_user, shop_id)
    coupons, next_after = services.coupons_page(shop_id, request.args.get("pool") or None,
                                                (request.args.get("q") or "")[:64], _cursor())
    return jsonify({"coupons": [coupon_json(c) for c in coupons],
                    "next_cursor": str(next_after) if next_after else None})


@bp.post("/shops/<int:shop_id>/coupons")
def create_coupon(shop_id):
    membership = shops.membership_for(g.api_user, shop_id)
    shops.require_owner(membership)
    data = json_body(allowed=COUPON_FIELDS, required=("code", "kind", "value"))
    zone = ZoneInfo(membership.shop.timezone)
    coupon = services.create_coupon(
        membership, _text(data, "code"), _text(data, "kind"), _amount(data, "value"), _text(data, "currency"),
        _moment(data, "valid_from", zone), valid_until=_moment(data, "valid_until", zone, end_of_day=True),
        usage_limit=_whole(data, "usage_limit"), min_order=_amount(data, "min_order"), now=utcnow(),
        pool=_text(data, "pool"))
    db.session.commit()
    return jsonify(coupon_json(coupon)), 201


@bp.post("/shops/<int:shop_id>/coupons/generate")
def generate_coupons(shop_id):
    membership = shops.membership_for(g.api_user, shop_id)
    shops.require_owner(membership)
    data = json_body(allowed=GENERATE_FIELDS, required=("prefix", "count", "kind", "value"))
    zone = ZoneInfo(membership.shop.timezone)
    codes = services.generate_pool(
        membership, _text(data, "prefix"), _whole(data, "count"), _text(data, "kind"), _amount(data, "value"),
        _text(data, "currency"), valid_from=_moment(data, "valid_from", zone),
        valid_until=_moment(data, "valid_until", zone, end_of_day=True),
        min_order=_amount(data, "min_order"), now=utcnow())
    db.session.commit()
    return jsonify({"pool": domain.normalize_code(data["prefix"]), "count": len(codes), "codes": codes}), 201


@bp.get("/shops/<int:shop_id>/redemptions")
def list_redemptions(shop_id):
    shops.membership_for(g.api_user, shop_id)
    rows, next_after = services.redemptions_page(shop_id, _cursor())
    return jsonify({"redemptions": [redemption_json(r, code) for r, code in rows],
                    "next_cursor": str(next_after) if next_after else None})


@bp.post("/shops/<int:shop_id>/redemptions")
def record_redemption(shop_id):
    """201 for a new redemption, 200 when this order's redemption of the code was recorded before."""
    shop = shops.membership_for(g.api_user, shop_id).shop
    data = json_body(allowed=REDEMPTION_FIELDS, required=("code", "order_reference", "amount"))
    now = utcnow()
    redemption, is_new = services.record_redemption(
        shop, _text(data, "code"), _text(data, "order_reference"), _amount(data, "amount"), _text(data, "currency"),
        _moment(data, "redeemed_at", ZoneInfo(shop.timezone)) or now, source="api", now=now)
    db.session.commit()
    return jsonify(redemption_json(redemption, domain.normalize_code(data["code"]))), 201 if is_new else 200
