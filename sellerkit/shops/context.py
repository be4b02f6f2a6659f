"""The shop a request works in: taken from the URL and checked against the user's memberships."""
from flask import g, has_request_context, request, session
from flask_login import current_user

from sellerkit.database import is_unreachable
from sellerkit.shops import services

CURRENT_SHOP_KEY = "shop_id"


def load_shop_from_url(endpoint, values):
    """A url_value_preprocessor: bind g.shop and g.membership, or answer 404 for a shop not the user's."""
    if not values or "shop_id" not in values or not current_user.is_authenticated:
        return
    g.membership = services.membership_for(current_user, values["shop_id"])
    g.shop = g.membership.shop
    if session.get(CURRENT_SHOP_KEY) != g.shop.id:
        session[CURRENT_SHOP_KEY] = g.shop.id


def switcher_context():
    """The user's shops for the switcher in the header; one query per page."""
    if is_unreachable() or not current_user.is_authenticated:
        return {}
    memberships = services.memberships_of(current_user)
    shop = g.get("shop")
    if shop is None and request.view_args and "shop_id" in request.view_args:
        # Every page of a shop (replies, campaigns, coupons...) shows the shop's menu, from the memberships at hand.
        found = next((m for m in memberships if m.shop_id == request.view_args["shop_id"]), None)
        if found is not None:
            shop, g.membership = found.shop, g.get("membership") or found
    return {"my_memberships": memberships, "current_shop": shop}


def show_times_of(shop):
    """Show this page's dates in `shop`'s timezone: the page is about one of its conversations or tickets, though its
    address names no shop. Call it before anything is formatted."""
    g.page_shop = shop


def page_timezone():
    """Flask-Babel's timezone selector: one zone for all of a page. The user's own choice; else the zone of the
    shop the page belongs to (its address, or the conversation or ticket shown); else of the shop the user works
    in now (pages across shops, such as the inbox); else UTC."""
    if not has_request_context() or is_unreachable() or not current_user or not current_user.is_authenticated:
        return "UTC"
    if current_user.timezone:
        return current_user.timezone
    shop = g.get("shop") or g.get("page_shop") or _my_shop((request.view_args or {}).get("shop_id")) \
        or _my_shop(session.get(CURRENT_SHOP_KEY))
    return shop.timezone if shop is not None else "UTC"


def _my_shop(shop_id):
    """One of the user's shops by id, from the memberships the header loads anyway; None for another's or none."""
    if shop_id is None:
        return None
    return next((m.shop for m in services.memberships_of(current_user) if m.shop_id == shop_id), None)
