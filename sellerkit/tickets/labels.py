"""Translated names of ticket lifecycles, history events, closing reasons and dispute problems."""
from flask_babel import get_locale

from sellerkit.i18n import lazy_gettext as _l

LIFECYCLE_LABELS = {
    "draft": _l("Draft"), "new": _l("New"), "in_review": _l("In review"),
    "awaiting_details": _l("Awaiting your details"), "answered": _l("Answered"), "resolved": _l("Resolved"),
    "closed": _l("Closed"), "cancelled": _l("Cancelled"),
}
EVENT_LABELS = {
    "created": _l("Draft created"), "filed": _l("Filed"), "support_reply": _l("Support replied"),
    "details_added": _l("Details added"), "rated": _l("Rated"), "cancelled": _l("Cancelled"),
    "auto_closed": _l("Closed automatically by the platform's rule"),
}
SOURCE_LABELS = {"typed": _l("typed in"), "email": _l("by e-mail"), "api": _l("through the API")}
#: The problems dispute rules name, as the Dispute rules page shows them.
PROBLEM_LABELS = {
    "order_not_received": _l("Order not received"), "item_damaged": _l("Item damaged or faulty"),
    "wrong_item": _l("Wrong or missing item"), "not_as_described": _l("Not as described"),
    "chargeback": _l("Chargeback"), "case_opened": _l("Case or complaint"), "refund_request": _l("Refund request"),
}
CLOSED_REASON_LABELS = {"rated": _l("Rated"), "cancelled": _l("Cancelled"),
                        "auto_closed": _l("Closed automatically by the platform's rule"),
                        "support": _l("Closed by support")}


def profile_language():
    """The profile language for the viewer's UI language (profiles name Simplified Chinese "zh")."""
    return get_locale().language
