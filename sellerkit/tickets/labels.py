"""Translated names of ticket lifecycles, history events, closing reasons and dispute problems."""
from flask_babel import get_locale

from sellerkit.i18n import lazy_gettext as _l
from sellerkit.i18n import lazy_pgettext

LIFECYCLE_LABELS = {
    # Translators: status of a support ticket, not yet sent to the platform (agrees with the word for "ticket").
    "draft": lazy_pgettext("ticket status", "Draft"),
    # Translators: status of a support ticket (agrees with the word for "ticket").
    "new": lazy_pgettext("ticket status", "New"),
    "in_review": _l("In review"),
    "awaiting_details": _l("Awaiting your details"), "answered": _l("Answered"),
    # Translators: status of a support ticket (agrees with the word for "ticket").
    "resolved": lazy_pgettext("ticket status", "Resolved"),
    # Translators: status of a support ticket (agrees with the word for "ticket").
    "closed": lazy_pgettext("ticket status", "Closed"),
    # Translators: status of a support ticket (agrees with the word for "ticket").
    "cancelled": lazy_pgettext("ticket status", "Cancelled"),
}
EVENT_LABELS = {
    "created": _l("Draft created"),
    # Translators: an event in a ticket's history: the ticket was sent to the platform's support; also the label of
    # the moment it was sent.
    "filed": _l("Filed"),
    "support_reply": _l("Support replied"), "details_added": _l("Details added"),
    # Translators: an event in a ticket's history: the seller rated support's answer.
    "rated": lazy_pgettext("ticket event", "Rated"),
    # Translators: an event in a ticket's history: the seller cancelled the ticket.
    "cancelled": lazy_pgettext("ticket event", "Cancelled"),
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
CLOSED_REASON_LABELS = {
    # Translators: how a ticket ended, after "Ended": the seller rated support's answer, which closes it.
    "rated": lazy_pgettext("ticket closed reason", "Rated"),
    # Translators: how a ticket ended, after "Ended": the seller cancelled it.
    "cancelled": lazy_pgettext("ticket closed reason", "Cancelled"),
    "auto_closed": _l("Closed automatically by the platform's rule"),
    "support": _l("Closed by support"),
}


def profile_language():
    """The profile language for the viewer's UI language (profiles name Simplified Chinese "zh")."""
    return get_locale().language
