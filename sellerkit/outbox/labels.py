"""The words for why a delivery failed, by outbox.domain.failure_kind, in the seller's language."""
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.outbox.domain import failure_kind

FAILURE_LABELS = {
    "mail_server_missing": _l("No mail server is set up for sellerkit, so e-mail replies cannot leave."),
    "buyer_without_email": _l("The buyer has no e-mail address."),
    "bad_buyer_address": _l("The buyer's e-mail address cannot be used."),
    "bad_sender_address": _l("The shop's sender address cannot be used. Check it in the shop settings."),
    "mail_server_unreachable": _l("The mail server did not answer."),
    "mail_server_unsupported": _l("The mail server does not support what sending needs."),
    "mail_server_refused": _l("The mail server refused the message."),
    "webhook_missing": _l("The shop has no webhook address. Add it in the shop settings."),
    "webhook_address_refused": _l("The webhook address is not allowed (it points to a private network, or is "
                                  "not http or https)."),
    "webhook_unreachable": _l("Your integration's webhook did not answer."),
    "webhook_refused": _l("Your integration's webhook refused the reply."),
    "ozon_plan": _l("Your Ozon plan cannot answer buyers through the API (it takes Premium Plus or Premium Pro); "
                    "replies stay by hand."),
    "platform_chat_closed": _l("The platform no longer takes replies in this conversation."),
    "platform_no_chat": _l("This conversation did not come from the platform's chat, so the reply cannot go there."),
    "platform_too_long": _l("The reply is longer than the platform accepts. Shorten it and send it again."),
    "platform_files_refused": _l("The platform does not accept one of the files (its type or its size)."),
    "wildberries_files_refused": _l("The platform does not take these files (Wildberries: JPEG, PNG and PDF, at most "
                                    "5 MB each and 30 MB together)."),
    "platform_auth": _l("The platform refused the key: it was revoked or lacks the chat permission."),
    "platform_payment": _l("The platform asks for payment before it answers."),
    "platform_rate_limited": _l("The platform asked to wait; the reply will be sent again later."),
    "platform_unreachable": _l("The platform cannot be reached."),
    "platform_refused": _l("The platform refused the reply."),
    "bounced": _l("The buyer's mail server sent the reply back: the address may be wrong, or the mailbox full."),
    "answer_on_platform": _l("This conversation cannot be answered by e-mail: answer it on the marketplace's "
                             "site."),
    "other": _l("The reply could not be delivered."),
}


def failure_label(reason):
    return FAILURE_LABELS[failure_kind(reason)]


def init_app(app):
    app.jinja_env.filters["delivery_failure"] = failure_label
