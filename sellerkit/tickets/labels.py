"""Translated names of ticket lifecycles, history events and closing reasons."""
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
CLOSED_REASON_LABELS = {"rated": _l("Rated"), "cancelled": _l("Cancelled"),
                        "auto_closed": _l("Closed automatically by the platform's rule"),
                        "support": _l("Closed by support")}


def profile_language():
    """The profile language for the viewer's UI language (profiles name Simplified Chinese "zh")."""
    return get_locale().language
