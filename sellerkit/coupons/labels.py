"""A coupon's discount written for the viewer: "12.5 %" or "€10.00" in their language and digits."""
from flask_babel import get_locale

from sellerkit.i18n import format_money
from sellerkit.localformat import percent_text


def discount_label(coupon):
    if coupon.kind == "fixed":
        return format_money(coupon.value, coupon.currency)
    # The i18n `percent` filter rounds to whole percents; a 12.5 % coupon must not read as 13 %.
    return percent_text(coupon.value / 100, get_locale(), "#,##0.##%")


def init_app(app):
    app.jinja_env.filters.update(discount=discount_label)
