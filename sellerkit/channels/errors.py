"""The platform kinds' ChannelError codes: from an HTTP answer, in the seller's words, as the outbox's DeliveryError."""
import json
from email.utils import parsedate_to_datetime

from sellerkit.channels.kinds import ChannelError, Check
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.outbox.transports import DeliveryError

#: Every code a platform kind raises, as the channel's status and its connection test show it.
MESSAGES = {
    "auth": _l("The key was revoked or lacks the chat permission."),
    "payment_required": _l("The platform asks for payment before it answers."),
    "rate_limited": _l("The platform's request limit is reached. Try again later."),
    "not_allowed": _l("Your plan on the platform does not allow this."),
    "not_found": _l("The platform does not know this account. Check its number."),
    "unavailable": _l("The platform is not available at the moment. Try again later."),
    "refused": _l("The platform refused the request."),
    "base_url": _l("The platform's address cannot be used (it must start with https:// and not point to a "
                   "private network)."),
    "network": _l("The platform could not be reached. Check the address and the network."),
    "tls": _l("The platform's certificate is not trusted."),
    "invalid_grant": _l("The sign-in expired or was withdrawn. Sign in with the platform again."),
    "not_connected": _l("Sign in with the platform first."),
}

#: Errors after which what a fetch already brought is kept: it ends early, and the error comes back on the next
#: fetch, which starts from there (so a limit met halfway through a backlog never throws the first half away).
RESUMABLE = frozenset({"rate_limited", "unavailable", "network"})

#: Where a platform's error answer says what went wrong, most telling first.
DETAIL_KEYS = ("error_description", "error", "message", "detail", "title", "errorText", "errors")


def status_text(error):
    """The seller's words for a ChannelError of a platform kind."""
    return str(MESSAGES.get(error.code, MESSAGES["refused"]))


def check_failed(step, error):
    """A failed Check for a ChannelError, in words that say what to fix."""
    return Check(step, False, status_text(error))


def login_checks(*attempts):
    """The connection test of a kind whose sign-in is proven by requests: each of `attempts` is called in turn,
    and the first ChannelError is the failed "login" step."""
    try:
        for attempt in attempts:
            attempt()
    except ChannelError as error:
        return [check_failed("login", error)]
    return [Check("login", True)]


def keeps_partial(error, fetched):
    """Whether a fetch that met `error` returns what it `fetched` so far instead of failing."""
    return bool(fetched) and error.code in RESUMABLE


def fill_resumably(fill, fetched):
    """`fill()` puts messages into `fetched` and says whether more wait. An error it meets after some came that
    keeps_partial allows ends it early instead: what came is kept, and more wait (the next fetch meets the error
    again, or goes on)."""
    try:
        return fill()
    except ChannelError as error:
        if not keeps_partial(error, fetched):
            raise
        return True


def retry_after_seconds(value, now=None):
    """Seconds from a Retry-After header (seconds or an HTTP date), or None."""
    value = (value or "").strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if now is None or when.tzinfo is None:
        return None
    return max(0, int((when - now).total_seconds()))


def error_for(answer, platform="the platform", now=None, default_wait=None, wait_headers=("retry-after",)):
    """The ChannelError of a refused request (an apiclient.Answer): auth (401/403), payment_required (402),
    not_found (404), rate_limited (429, with the seconds the first of `wait_headers` gives, else `default_wait`),
    unavailable (5xx) and refused (any other). `platform` names who answered in the detail."""
    words = _detail(answer.body)
    detail = f"{platform} answered HTTP {answer.status}" + (f": {words}" if words else "")
    status = answer.status
    if status in (401, 403):
        return ChannelError("auth", detail)
    if status == 402:
        return ChannelError("payment_required", detail)
    if status == 404:
        return ChannelError("not_found", detail)
    if status == 429:
        waits = (retry_after_seconds(answer.headers.get(name.lower()), now) for name in wait_headers)
        wait = next((seconds for seconds in waits if seconds), None)
        return ChannelError("rate_limited", detail, retry_after=wait or default_wait)
    if status >= 500:
        return ChannelError("unavailable", detail)
    return ChannelError("refused", detail)


def _detail(body):
    """A short, single-line account of a platform's error answer, for the log and the status detail."""
    if isinstance(body, dict):
        for key in DETAIL_KEYS:
            value = body.get(key)
            if value:
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                return " ".join(text.split())[:300]
    return ""


def delivery_error(error):
    """A ChannelError met while sending a reply, as a DeliveryError whose reason starts the way outbox.domain's
    FAILURE_PREFIXES read it; the platform's own words follow as the detail."""
    if error.code == "auth":
        return DeliveryError(f"the platform refused the key: {error.detail}"[:300], permanent=False)
    if error.code == "payment_required":
        return DeliveryError(f"the platform asks for payment: {error.detail}"[:300], permanent=False)
    if error.code == "rate_limited":
        return DeliveryError(f"the platform asks to wait: {error.detail}"[:300], permanent=False)
    if error.code == "base_url":
        return DeliveryError(f"cannot reach the platform: {error.detail}"[:300], permanent=True)
    if error.code in ("network", "tls", "unavailable", "bad_answer"):
        return DeliveryError(f"cannot reach the platform: {error}"[:300], permanent=False)
    return DeliveryError(f"the platform refused the reply: {error}"[:300], permanent=True)
