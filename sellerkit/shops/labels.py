"""Translated names for shop values that are stored as codes: platforms, roles, weekdays."""
from babel.dates import get_day_names
from flask_babel import get_locale

from sellerkit.i18n import lazy_gettext as _l

PLATFORM_LABELS = {
    "etsy": _l("Etsy"),
    "ozon": _l("Ozon"),
    "digikala": _l("Digikala"),
    "wildberries": _l("Wildberries"),
    "amazon": _l("Amazon"),
    "ebay": _l("eBay"),
    "other": _l("Own shop or other"),
}
ROLE_LABELS = {"owner": _l("Owner"), "agent": _l("Agent")}
TRANSPORT_LABELS = {
    "manual": _l("By hand: I copy each reply to the platform"),
    "email": _l("By e-mail to the buyer"),
    "webhook": _l("Through my integration (webhook)"),
}


def platform_label(code):
    return PLATFORM_LABELS.get(code, code)


def transport_label(code):
    return TRANSPORT_LABELS.get(code, code)


def role_label(code):
    return ROLE_LABELS.get(code, code)


def weekday_names():
    """Monday first, in the viewer's language (Babel's CLDR data, so no catalog entry is needed)."""
    names = get_day_names("wide", locale=get_locale())
    return [names[day] for day in range(7)]


def init_app(app):
    app.jinja_env.filters.update(platform=platform_label, role=role_label)
