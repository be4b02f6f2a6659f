"""Translated names for conversation codes: inbox views, statuses, message kinds and history events."""
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.i18n import lazy_pgettext

VIEW_LABELS = {
    "needs_reply": _l("Needs reply"),
    # Translators: inbox tab listing the conversations whose reply the seller still has to copy to the platform.
    "to_send": _l("To send"),
    # Translators: inbox tab listing the conversations that wait for the buyer's answer.
    "awaiting_buyer": lazy_pgettext("inbox tab", "Awaiting buyer"),
    "disputes": _l("Disputes"),
    # Translators: inbox tab listing conversations only machines wrote in (auto-replies, mailing lists, bounces).
    "automatic": lazy_pgettext("machine mail", "Automatic"),
    # Translators: inbox tab listing the resolved conversations (plural where the language says "resolved ones").
    "resolved": lazy_pgettext("inbox tab", "Resolved"),
    # Translators: inbox tab listing every conversation.
    "all": _l("All"),
}
STATUS_LABELS = {
    # Translators: status of one buyer conversation (agrees with the word for "conversation").
    "open": lazy_pgettext("thread status", "Open"),
    # Translators: status of one buyer conversation: the seller has answered and waits for the buyer.
    "awaiting_buyer": lazy_pgettext("thread status", "Awaiting buyer"),
    # Translators: status of one buyer conversation (agrees with the word for "conversation").
    "resolved": lazy_pgettext("thread status", "Resolved"),
}
KIND_LABELS = {
    # Translators: kind of message in a conversation: one the buyer wrote.
    "buyer": _l("Buyer"),
    # Translators: kind of message in a conversation: the seller's answer (a noun).
    "reply": _l("Reply"),
    "auto_reply": _l("Automatic reply"), "follow_up": _l("Follow-up"), "note": _l("Internal note"),
}
DELIVERY_LABELS = {"pending": _l("Waiting to be sent"), "sending": _l("Sending"),
                   # Translators: delivery state of one reply message (agrees with the word for "message").
                   "sent": lazy_pgettext("message delivery", "Sent"),
                   "failed": _l("Not delivered")}
EVENT_LABELS = {
    "message_received": _l("Buyer message received"), "message_sent": _l("Reply written"),
    "note_added": _l("Note added"), "status_changed": _l("Status changed"), "dispute_marked": _l("Marked as dispute"),
    "dispute_unmarked": _l("No longer a dispute"), "assigned": _l("Assignee changed"),
    "labels_changed": _l("Labels changed"), "language_changed": _l("Buyer's language changed"),
    "no_reply_needed": _l("Marked as needing no reply"), "response_warning": _l("Reply due soon"),
    "response_breached": _l("Reply deadline passed"), "complaint_marked": _l("Marked as complaint"),
    "complaint_unmarked": _l("No longer a complaint"), "dispute_rule": _l("Marked as dispute by a rule"),
    "ticket_created": _l("Escalated to the platform's support"),
    "consent_withdrawn": _l("Buyer opted out of marketing"),
}


def view_label(code):
    return VIEW_LABELS.get(code, code)


def status_label(code):
    return STATUS_LABELS.get(code, code)


def init_app(app):
    app.jinja_env.filters.update(
        thread_status=status_label, message_kind=lambda code: KIND_LABELS.get(code, code),
        delivery_status=lambda code: DELIVERY_LABELS.get(code, code),
        event_kind=lambda code: EVENT_LABELS.get(code, code))
