"""What a marketplace's ChannelError means, in the seller's words and as the outbox's DeliveryError."""
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.outbox.transports import DeliveryError

#: ChannelError codes of the marketplace kinds, as the channel's status shows them.
STATUS_TEXTS = {
    "auth": _l("The key was revoked or lacks the chat permission."),
    "payment_required": _l("The platform asks for payment before it answers."),
    "rate_limited": _l("The platform asked to wait before the next request."),
    "not_allowed": _l("Your plan on the platform does not allow this."),
    "server": _l("The platform had an error. It will be tried again."),
    "rejected": _l("The platform refused the request."),
    "base_url": _l("The platform's address cannot be used (it must start with https:// and not point to a "
                   "private network)."),
    "network": _l("The platform cannot be reached."),
    "tls": _l("The platform's certificate is not trusted."),
}


def status_text(error):
    """The seller's words for a ChannelError of a marketplace kind."""
    return str(STATUS_TEXTS.get(error.code, STATUS_TEXTS["rejected"]))


def delivery_error(error):
    """A ChannelError met while sending a reply, as a DeliveryError whose reason starts the way outbox.domain's
    FAILURE_PREFIXES read it; the platform's own words follow as the detail."""
    if error.code == "auth":
        return DeliveryError(f"the platform key was refused: {error.detail}", permanent=False)
    if error.code == "payment_required":
        return DeliveryError(f"the platform asks for payment: {error.detail}", permanent=False)
    if error.code == "rate_limited":
        return DeliveryError(f"the platform asks to wait: {error.detail}", permanent=False)
    if error.code == "base_url":
        return DeliveryError(f"cannot reach the platform: {error.detail}", permanent=True)
    if error.code in ("network", "tls", "server"):
        return DeliveryError(f"cannot reach the platform: {error.detail}", permanent=False)
    return DeliveryError(f"the platform refused the reply: {error.detail}", permanent=True)
