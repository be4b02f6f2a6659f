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
    "not_received": _l("Order not received"), "damaged": _l("Item damaged or faulty"),
    "not_as_described": _l("Not as described"), "wrong_item": _l("Wrong item sent"),
    "cancel": _l("Order cancellation"), "refund": _l("Refund request"), "case": _l("Case or complaint to the platform"),
    "chargeback": _l("Payment dispute with the bank"),
}
CLOSED_REASON_LABELS = {"rated": _l("Rated"), "cancelled": _l("Cancelled"),
                        "auto_closed": _l("Closed automatically by the platform's rule"),
                        "support": _l("Closed by support")}


def profile_language():
    """The profile language for the viewer's UI language (profiles name Simplified Chinese "zh")."""
    return get_locale().language
