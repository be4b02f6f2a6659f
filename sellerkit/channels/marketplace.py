"""What the marketplace kinds share: platform disputes on their threads, the connection test's words, base URLs."""
from datetime import datetime

from sellerkit.channels import apiclient
from sellerkit.channels.kinds import ChannelError, ChannelKind, Check
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.tickets import disputes

#: A fetched message whose hints say this is set is on a thread the platform holds a dispute on.
DISPUTE_HINT = "platform_dispute"

CHECK_MESSAGES = {
    "auth": _l("The platform refused the key: it was revoked or lacks the chat permission."),
    "payment_required": _l("The platform asks for payment before it answers this account."),
    "rate_limited": _l("The platform's request limit is reached. Try again later."),
    "network": _l("The platform could not be reached. Check the address and the network."),
    "tls": _l("The platform's certificate is not trusted."),
    "unavailable": _l("The platform is not available at the moment. Try again later."),
    "not_found": _l("The platform does not know this account. Check its number."),
    "invalid_base_url": _l("The address must start with https:// (plain http only for this computer)."),
    "invalid_grant": _l("The sign-in expired or was withdrawn. Sign in with the platform again."),
    "not_connected": _l("Sign in with the platform first."),
}
DEFAULT_CHECK_MESSAGE = _l("The platform refused the request.")


#: Errors after which what a fetch already brought is kept: it ends early, and the error comes back on the next
#: fetch, which starts from there (so a limit met halfway through a backlog never throws the first half away).
RESUMABLE = frozenset({"rate_limited", "unavailable", "network"})


def keeps_partial(error, fetched):
    """Whether a fetch that met `error` returns what it `fetched` so far instead of failing."""
    return bool(fetched) and error.code in RESUMABLE


def check_failed(step, error):
    """A failed Check for a ChannelError, in words that say what to fix."""
    return Check(step, False, CHECK_MESSAGES.get(error.code, DEFAULT_CHECK_MESSAGE))


def checked_base_url(value):
    """A pydantic validator's part: a base URL override, trailing slash removed; ValueError when unusable."""
    if value in (None, ""):
        return None
    value = str(value).strip().rstrip("/")
    if apiclient.base_url_problem(value):
        raise ValueError(str(CHECK_MESSAGES["invalid_base_url"]))
    return value


def parse_time(value):
    """An ISO 8601 time of a platform's answer as an aware datetime; ChannelError when it is not one."""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ChannelError("bad_answer", f"not a time: {value!r}"[:200]) from None
    if parsed.tzinfo is None:
        raise ChannelError("bad_answer", f"a time without its offset: {value!r}"[:200])
    return parsed


class MarketplaceKind(ChannelKind):
    """A kind of a marketplace's chat API: messages whose hints carry DISPUTE_HINT mark their thread a dispute,
    the known threads before the batch is stored and the new ones right after."""

    has_base_url = True

    def link(self, shop, channel, fetched, now):
        disputes.mark_platform_disputes(shop, _disputed(fetched), now)
        return fetched

    def after_store(self, shop, channel, fetched, results, now):
        disputes.mark_platform_disputes(shop, _disputed(fetched), now)


def _disputed(fetched):
    return [item.inbound.thread_external_id for item in fetched
            if item.hints.get(DISPUTE_HINT) and item.inbound.thread_external_id]
