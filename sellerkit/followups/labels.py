"""Translated names of triggers, coupon modes and the reasons a follow-up waits or is skipped."""
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.i18n import lazy_pgettext

TRIGGER_LABELS = {"after_delivery": _l("Days after delivery"), "after_last_order": _l("Days after the last order")}
COUPON_MODE_LABELS = {"none": _l("No coupon"), "shared": _l("One shared code"),
                      "pool": _l("A single-use code per buyer, from a pool")}
REASON_LABELS = {
    "no_consent": _l("No marketing consent"),
    "consent_withdrawn": _l("Consent withdrawn"),
    "already_sent": _l("Already got this campaign"),
    "not_delivered": _l("Order not delivered"),
    "newer_order": _l("Ordered again since"),
    "open_dispute": _l("Open dispute"),
    "open_ticket": _l("Open support ticket"),
    "complaint": _l("Last message was a complaint"),
    "no_coupon": _l("No coupon code left"),
    "campaign_off": _l("Campaign switched off"),
    "vacation": _l("Waits for the end of your vacation"),
    "recently_contacted": _l("Had a follow-up recently"),
}
STATUS_LABELS = {
    # Translators: state of one follow-up message to a buyer (agrees with the word for "message").
    "pending": lazy_pgettext("follow-up status", "Planned"),
    # Translators: state of one follow-up message to a buyer (agrees with the word for "message").
    "sent": lazy_pgettext("follow-up status", "Sent"),
    # Translators: state of one follow-up message to a buyer: it was not sent, for the reason shown beside it.
    "skipped": lazy_pgettext("follow-up status", "Skipped"),
}
