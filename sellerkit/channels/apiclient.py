"""One request to a platform's API for every kind: the address vetted, TLS verified, no redirects, bounded answers."""
import functools
import http.client
import json
import socket
import ssl
import uuid
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

from sellerkit.channels.kinds import ChannelError
from sellerkit.outbox import netguard

TIMEOUT = 30
#: More than any chat page or file the platforms send; a larger answer is refused rather than held in memory.
MAX_ANSWER = 40 * 1024 * 1024


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict  # names lower-cased
    #: The JSON the platform answered (None for an empty or a `raw` answer).
    body: object
    #: The bytes as they came.
    raw: bytes = b""

    def json(self):
        """The body as a JSON object; {} when it is not one (an error page, an empty body)."""
        return self.body if isinstance(self.body, dict) else {}



def base_url_problem(url):
    """Why `url` cannot be a platform's address as a seller types it (a code), or None: https, or plain http to
    this machine only. Where it points is vetted again when a request goes there."""
    parts = urlsplit(url or "")
    if not parts.hostname or parts.query or parts.fragment or parts.username:
        return "invalid"
    if parts.scheme == "https" or (parts.scheme == "http" and netguard.is_loopback(parts.hostname)):
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


class _Connection(http.client.HTTPConnection):
    """Connects only to the addresses netguard vetted, never to a fresh DNS answer that could point elsewhere.
    http.client follows no redirect: a platform's API does not redirect, and following one would carry the
    seller's key to wherever it points."""

    def __init__(self, target, timeout):
        super().__init__(target.host, target.port, timeout=timeout)
        self.target = target

    def connect(self):
        last_error = OSError("no address to connect to")
        for address in self.target.addresses:
            try:
                self.sock = socket.create_connection((address, self.port), self.timeout)
                break
            except OSError as error:
                last_error = error
        else:
            raise last_error
        if self.target.scheme == "https":
            # Certificate and SNI are checked for the name in the URL, though the socket went to a vetted address.
            self.sock = _tls_context().wrap_socket(self.sock, server_hostname=self.host)


@functools.cache
def _tls_context():
    """Made once: loading the system's CAs costs more than a request. Certificates and host names are checked."""
    return ssl.create_default_context()


def url_path(*parts):
    """A path built of parts, each percent-encoded (an id from a platform never adds a path segment of its own)."""
    return "".join("/" + quote(str(part), safe="") for part in parts)


def multipart(fields, files):
    """A multipart/form-data body: `fields` as (name, text) pairs, `files` as (name, filename, content type, bytes).
    Returns (body, Content-Type header)."""
    boundary = f"sellerkit-{uuid.uuid4().hex}"
    chunks = []
    for name, value in fields:
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                      + str(value).encode("utf-8") + b"\r\n")
    for name, filename, content_type, content in files:
        # Raw UTF-8 in the quoted filename, as browsers send it (RFC 7578); quotes and line breaks cannot end it.
        safe_name = "".join("_" if ch in '"\\\r\n' else ch for ch in filename) or "file"
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{safe_name}"\r\n'
                      f"Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def _target(url, allow_private):
    """The vetted address of `url`: https, or plain http where private addresses are allowed (self-hosters,
    tests); never a private network unless allowed. ChannelError "base_url" otherwise."""
    try:
        target = netguard.check_url(url, allow_private)
    except netguard.UnsafeDestination as refused:
        raise ChannelError("base_url", str(refused)) from None
    if target.scheme != "https" and not allow_private:
        raise ChannelError("base_url", "the platform's address must start with https://")
    return target


def request(method, url, headers=None, query=None, *, json_body=None, data=None, form=None, content_type=None,
            raw=False, allow_private=False, timeout=TIMEOUT):
    """One request; returns an Answer for every HTTP status (the caller decides what an error means). Raises
    ChannelError when none can be had: "base_url" for an address that may not be used, "tls" for an untrusted
    certificate, "network" when the answer does not arrive, "bad_answer" for one too large or a success that is
    not JSON (unless `raw`, a file, whose bytes are kept as they are)."""
    if query:
        url = f"{url}?{urlencode({k: v for k, v in query.items() if v is not None})}"
    target = _target(url, allow_private)
    headers = {"User-Agent": "sellerkit", "Accept": "application/json", **(headers or {})}
    if json_body is not None:
        data = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        content_type = content_type or "application/json"
    elif form is not None:
        data, content_type = urlencode(form).encode("ascii"), "application/x-www-form-urlencoded"
    if content_type:
        headers["Content-Type"] = content_type
    connection = _Connection(target, timeout)
    try:
        connection.request(method, target.path_and_query, body=data, headers=headers)
        response = connection.getresponse()
        content = response.read(MAX_ANSWER + 1)
        answer_headers = {name.lower(): value for name, value in response.getheaders()}
    except ssl.SSLCertVerificationError as error:
        raise ChannelError("tls", f"the platform's TLS certificate is not trusted: {error.verify_message}") from None
    except TimeoutError:
        raise ChannelError("network", "the platform did not answer in time") from None
    except (OSError, http.client.HTTPException) as error:
        raise ChannelError("network", f"cannot reach the platform: {error!r}"[:300]) from None
    finally:
        connection.close()
    if len(content) > MAX_ANSWER:
        raise ChannelError("bad_answer", "the platform's answer is too large")
    return _answer(response.status, answer_headers, content, raw)


def _answer(status, headers, content, raw):
    if raw and status < 300 or not content:
        return Answer(status, headers, None, content)
    try:
        body = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        if status < 300:
            raise ChannelError("bad_answer", "the answer is not JSON") from None
        body = {"message": content[:300].decode("utf-8", "replace")}
    return Answer(status, headers, body, content)
