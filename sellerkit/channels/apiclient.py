"""JSON over HTTPS for the marketplace kinds: verified TLS, a base URL override, and platform errors as ChannelError."""
import functools
import ipaddress
import json
import ssl
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode, urlsplit

from sellerkit.channels.kinds import ChannelError
from sellerkit.outbox import netguard
from sellerkit.outbox.transports import DeliveryError

TIMEOUT = 30
#: An answer larger than this is not a chat page: read no further (a misconfigured base URL, a proxy's error page).
MAX_ANSWER = 32 * 1024 * 1024
LOOPBACK_NAMES = {"localhost"}


def is_loopback(host):
    if (host or "").lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url_problem(url):
    """Why `url` cannot be a platform's base URL (a code), or None: https, or plain http to this machine only."""
    parts = urlsplit(url or "")
    if not parts.hostname or parts.query or parts.fragment or parts.username:
        return "invalid"
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname)):
        return None
    return "scheme"


def file_url_allowed(url, api_base):
    """Whether a file URL from a platform's answer may be fetched: on the API's own host, or on a public address
    (an answer must not make sellerkit read from the private network it runs in)."""
    if base_url_problem(url):
        return False
    if urlsplit(url).hostname == urlsplit(api_base).hostname:
        return True
    try:
        netguard.check_url(url, allow_private=False)
    except netguard.UnsafeDestination:
        return False
    return True


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A platform's API does not redirect; following one would carry the seller's key to wherever it points."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then reports the 3xx as it came, and error_for refuses it


@functools.cache
def opener():
    """Made once: loading the system's CAs costs more than a request. Certificates and host names are checked."""
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=ssl.create_default_context()),
                                       _NoRedirects())


@dataclass
class Answer:
    status: int
    headers: dict
    body: object
    #: The bytes as they came, for a file (request(..., raw=True)).
    raw: bytes = b""


def retry_after_seconds(value, now=None):
    """Seconds from a Retry-After header (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if now is None or when.tzinfo is None:
        return None
    return max(0, int((when - now).total_seconds()))


def error_for(status, headers, body, now=None, default_wait=None):
    """The ChannelError of a refused request: codes auth (401/403), payment_required (402), not_found (404),
    rate_limited (429, with the seconds to wait), unavailable (5xx) and refused (any other)."""
    detail = _detail(body)
    if status in (401, 403):
        return ChannelError("auth", f"HTTP {status} {detail}".strip())
    if status == 402:
        return ChannelError("payment_required", detail)
    if status == 404:
        return ChannelError("not_found", detail)
    if status == 429:
        wait = retry_after_seconds(headers.get("retry-after"), now)
        return ChannelError("rate_limited", detail, retry_after=wait if wait is not None else default_wait)
    if status >= 500:
        return ChannelError("unavailable", f"HTTP {status}")
    return ChannelError("refused", f"HTTP {status} {detail}".strip())


def _detail(body):
    """A short, single-line account of a platform's error answer, for the log and the status detail."""
    if isinstance(body, dict):
        for key in ("error_description", "error", "message", "errors"):
            if body.get(key):
                return " ".join(json.dumps(body[key], ensure_ascii=False).split())[:300] \
                    if not isinstance(body[key], str) else " ".join(body[key].split())[:300]
    return ""


def request(method, url, headers=None, query=None, json_body=None, data=None, *, form=None, raw=False,
            timeout=TIMEOUT):
    """One request; returns an Answer for every HTTP status (the caller decides what an error means) and raises
    ChannelError only when no answer came: `tls` for an untrusted certificate, `network` for the rest. A `raw`
    request (a file) keeps a successful answer's bytes as they are."""
    if base_url_problem(url):
        raise ChannelError("invalid_base_url", url)
    headers = dict(headers or {})
    if query:
        url = f"{url}?{urlencode({k: v for k, v in query.items() if v is not None})}"
    if json_body is not None:
        data = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        headers.setdefault("Content-Type", "application/json")
    elif form is not None:
        data = urlencode(form).encode("ascii")
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    prepared = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with opener().open(prepared, timeout=timeout) as response:
            content = response.read(MAX_ANSWER + 1)
            if raw and len(content) <= MAX_ANSWER:
                return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, None, content)
            return _answer(response.status, response.headers, content)
    except urllib.error.HTTPError as error:
        with error:
            return _answer(error.code, error.headers, error.read(MAX_ANSWER + 1))
    except urllib.error.URLError as error:
        if isinstance(error.reason, ssl.SSLCertVerificationError):
            raise ChannelError("tls", error.reason.verify_message or "") from None
        raise ChannelError("network", str(error.reason)[:300]) from None
    except (TimeoutError, OSError) as error:
        raise ChannelError("network", repr(error)[:300]) from None


def _answer(status, headers, raw):
    if len(raw) > MAX_ANSWER:
        raise ChannelError("bad_answer", "the answer is too large")
    lowered = {name.lower(): value for name, value in (headers or {}).items()}
    body = None
    if raw:
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = None if status < 400 else {"message": raw[:300].decode("utf-8", "replace")}
            if status < 300:
                raise ChannelError("bad_answer", "the answer is not JSON") from None
    return Answer(status, lowered, body)


def multipart(fields, files):
    """(body, content type) of a multipart/form-data request: `fields` name -> text, `files` as
    (field name, filename, content type, bytes)."""
    boundary = f"sellerkit-{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                     + str(value).encode("utf-8") + b"\r\n")
    for name, filename, content_type, content in files:
        # The filename is the buyer's or seller's: quotes and line breaks would end the header early.
        safe = "".join(ch for ch in filename if ch not in '"\\\r\n') or "file"
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{safe}"\r\n'
                     f"Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def delivery_error(error):
    """The outbox's DeliveryError for a ChannelError met while sending: its reason starts with words that
    outbox.domain.FAILURE_PREFIXES turns into a translated explanation for the seller."""
    if error.code == "auth":
        return DeliveryError(f"the platform refused the key: {error.detail}"[:300], permanent=False)
    if error.code == "rate_limited":
        return DeliveryError("the platform asks to wait before sending more", permanent=False)
    if error.code in ("network", "tls", "unavailable", "bad_answer"):
        return DeliveryError(f"cannot reach the platform: {error}"[:300], permanent=False)
    return DeliveryError(f"the platform refused the reply: {error}"[:300], permanent=True)
