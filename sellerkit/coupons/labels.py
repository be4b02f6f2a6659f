"""A coupon's discount written for the viewer: "12.5 %" or "€10.00" in their language and digits."""
from babel.numbers import format_percent
from flask_babel import get_locale

from sellerkit.i18n import format_money, localize_digits


def discount_label(coupon):
    if coupon.kind == "fixed":
        return format_money(coupon.value, coupon.currency)
    locale = get_locale()
    # The i18n `percent` filter rounds to whole percents; a 12.5 % coupon must not read as 13 %.
    return localize_digits(format_percent(coupon.value / 100, format="#,##0.##%", locale=locale,
                                          numbering_system="default"), locale)


def init_app(app):
    app.jinja_env.filters.update(discount=discount_label)
