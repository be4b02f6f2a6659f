"""Translated names of consent sources and actions."""
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.i18n import lazy_pgettext

SOURCE_LABELS = {
    "order_checkbox": _l("Checkbox on the order"),
    "message": _l("In a message"),
    # Translators: where a marketing consent came from: a file the seller imported (a noun, not the button).
    "import": lazy_pgettext("consent source", "Import"),
    "seller": _l("Recorded by the seller"),
    "api": _l("API"),
    "opt_out_link": _l("Opt-out link"),
    "stop_reply": _l("Replied STOP"),
}
ACTION_LABELS = {"given": _l("Consent given"), "withdrawn": _l("Consent withdrawn")}
