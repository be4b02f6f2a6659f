"""One request to a marketplace API: the address vetted (netguard), TLS verified, no redirects, bounded answers."""
import http.client
import json
import socket
import ssl
import uuid
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from sellerkit.channels.kinds import ChannelError
from sellerkit.outbox import netguard

#: More than any chat page or file the platforms send; a larger answer is refused rather than held in memory.
MAX_ANSWER = 40 * 1024 * 1024


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict  # names lower-cased
    body: bytes

    def json(self):
        """The body as a JSON object; {} when it is not one (an error page, an empty body)."""
        try:
            data = json.loads(self.body or b"null")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def header_seconds(self, *names):
        """The first of these headers that holds a number of seconds, as a float; None when none does."""
        for name in names:
            try:
                return max(0.0, float(self.headers.get(name.lower(), "")))
            except ValueError:
                continue
        return None


class _Connection(http.client.HTTPConnection):
    """Connects only to the addresses netguard vetted, never to a fresh DNS answer that could point elsewhere."""

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
            self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)


def url_path(*parts):
    """A path built of parts, each percent-encoded (an id from a platform never adds a path segment of its own)."""
    return "".join("/" + quote(str(part), safe="") for part in parts)


def multipart(fields, files):
    """A multipart/form-data body: `fields` as (name, text), `files` as (name, filename, content type, bytes).
    Returns (body, Content-Type header)."""
    boundary = uuid.uuid4().hex
    chunks = []
    for name, value in fields:
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                      + str(value).encode("utf-8") + b"\r\n")
    for name, filename, content_type, content in files:
        # Raw UTF-8 in the quoted filename, as browsers send it (RFC 7578); quotes and line breaks cannot end it.
        safe_name = "".join("_" if ch in '"\\\r\n' else ch for ch in filename)
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{safe_name}"\r\n'
                      f"Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def call(base_url, method, path, allow_private, headers, query=None, *, json_body=None, body=None, content_type=None,
         timeout=30):
    """Send one request to `base_url` + `path`; returns an Answer whatever its status. Raises ChannelError for an
    address that may not be used ("base_url"), a certificate that is not trusted ("tls") and anything that keeps
    the answer from arriving ("network")."""
    url = (base_url or "").rstrip("/") + path + (f"?{urlencode(query)}" if query else "")
    try:
        target = netguard.check_url(url, allow_private)
    except netguard.UnsafeDestination as refused:
        raise ChannelError("base_url", str(refused)) from None
    if target.scheme != "https" and not allow_private:
        raise ChannelError("base_url", "the platform's address must start with https://")
    headers = {"User-Agent": "sellerkit", "Accept": "application/json", **headers}
    if json_body is not None:
        body, content_type = json.dumps(json_body, ensure_ascii=False).encode("utf-8"), "application/json"
    if content_type:
        headers["Content-Type"] = content_type
    connection = _Connection(target, timeout)
    try:
        connection.request(method, target.path_and_query, body=body, headers=headers)
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
        raise ChannelError("network", "the platform's answer is too large")
    return Answer(response.status, answer_headers, content)
