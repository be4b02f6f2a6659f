"""The two network transports for outbox items, e-mail over SMTP and a signed webhook POST; no Flask, no database."""
import email.policy
import hashlib
import hmac
import http.client
import json
import re
import smtplib
import socket
import ssl
import unicodedata
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import urljoin

from sellerkit.outbox import netguard

REDIRECTS = frozenset({301, 302, 303, 307, 308})
RETRYABLE_HTTP = frozenset({408, 429})
# A msg-id as RFC 5322 has it, ASCII only: Python 3.11's Message-ID parser truncates or crashes on anything looser.
MSG_ID = re.compile(r"<[!-;=?A-~]+@[!-;=?A-~]+>")
#: RFC 5322's own line limit: at 78, a header word longer than a line (the signed URL in List-Unsubscribe) would be
#: written as encoded words, which mail clients do not read as a URL.
MAIL_POLICY = email.policy.default.clone(max_line_length=998)


@dataclass(frozen=True)
class Delivery:
    outbox_id: int
    shop_id: int
    subject: str
    body: str
    is_automatic: bool
    message_id_header: str
    in_reply_to: str | None
    to_email: str | None
    from_email: str
    webhook_url: str | None
    webhook_secret: str | None
    payload: dict
    #: Files sent with the reply, as (filename, content type, bytes); e-mail attaches them.
    attachments: tuple = ()
    #: More mail headers as (name, value), such as List-Unsubscribe.
    headers: tuple = ()
    #: Mail of sellerkit's own (a password reset): without a mail server it goes to the log, as setup needs.
    is_system_mail: bool = False
    #: The channel that carries a reply sent through the transport "channel".
    channel_id: int | None = None


class DeliveryError(Exception):
    """Delivery failed; `permanent` says retrying cannot help. `code` is netguard's code for a refused URL."""

    def __init__(self, reason, permanent, code=None):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.code = code


def _one_line(text):
    """Every line break, control character and lone surrogate becomes a space: a header value stays one line."""
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") else ch for ch in text)


def _put(message, name, value):
    """Set a header whose written form is that one header and nothing more. Python 3.11 decodes RFC 2047 words
    on the way in ("=?utf-8?q?=0D=0ABcc:_x?=" turns into a real CR LF and is written out unchecked), and its
    header parser and folder crash on some odd input; so check the written form, and when it is not safe,
    retry once with the encoded words broken up."""
    for candidate in (value, value.replace("=?", "=\N{ZERO WIDTH SPACE}?")):
        try:
            message[name] = candidate
            decoded = str(message[name])
            lines = message.policy.fold_binary(name, message[name]).split(b"\n")
        except Exception:  # noqa: BLE001 - stdlib parser bugs (IndexError, AttributeError, UnicodeError, ...)
            del message[name]
            continue
        continued = all(line[:1] in (b" ", b"\t") for line in lines[1:-1])
        if _one_line(decoded) == decoded and continued and lines[-1] == b"" and b"\r" not in b"".join(lines):
            return
        del message[name]
    raise DeliveryError(f"the {name} header cannot be written safely", permanent=True)


def _mailbox(text, role):
    """One address as an Address; an internationalised domain becomes punycode so no SMTPUTF8 is needed."""
    holder = EmailMessage()
    mailbox = None
    try:
        _put(holder, "To", _one_line(text or ""))
        (mailbox,) = holder["To"].addresses  # ValueError for none or several
        domain = mailbox.domain.encode("idna").decode("ascii")
        mailbox = Address(_one_line(mailbox.display_name), mailbox.username, domain)
    except (DeliveryError, ValueError, UnicodeError):
        mailbox = None
    if mailbox is None or not mailbox.username or not mailbox.domain or not mailbox.addr_spec.isascii():
        raise DeliveryError(f"the {role} address {text!r} is not a usable e-mail address", permanent=True)
    return mailbox


def build_email(delivery) -> EmailMessage:
    """The plain-text UTF-8 message for a delivery. Raises DeliveryError(permanent) for unusable addresses."""
    message = EmailMessage(policy=MAIL_POLICY)
    for name, role, text in (("From", "sender", delivery.from_email), ("To", "recipient", delivery.to_email)):
        mailbox = _mailbox(text, role)
        _put(message, name, str(mailbox))
        if [written.addr_spec for written in message[name].addresses] != [mailbox.addr_spec]:
            raise DeliveryError(f"the {role} address cannot be written safely", permanent=True)
    subject = _one_line(delivery.subject or "").strip()
    if delivery.in_reply_to and not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    _put(message, "Subject", subject)
    own_id = MSG_ID.search(delivery.message_id_header or "")
    if not own_id:
        raise DeliveryError(f"invalid Message-ID {delivery.message_id_header!r}", permanent=True)
    _put(message, "Message-ID", own_id.group())
    # The parent's id comes from someone else's mail: thread only when it is a well-formed id.
    parent = MSG_ID.search(delivery.in_reply_to or "")
    if parent:
        _put(message, "In-Reply-To", parent.group())
        _put(message, "References", parent.group())
    _put(message, "Date", formatdate(usegmt=True))
    if delivery.is_automatic:
        # RFC 3834, and Exchange's own header: other robots must not answer our auto-replies (no mail loops).
        _put(message, "Auto-Submitted", "auto-replied")
        _put(message, "X-Auto-Response-Suppress", "All")
    for name, value in delivery.headers:
        _put(message, name, value)
    body = (delivery.body or "").encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be sent
    # Quoted-printable keeps non-ASCII text 7-bit clean, so servers without 8BITMIME take it too.
    message.set_content(body, charset="utf-8", cte=None if body.isascii() else "quoted-printable")
    for filename, content_type, content in delivery.attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=_one_line(filename))
    return message


def _smtp_error(error):
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (0, b""))
    elif isinstance(error, smtplib.SMTPResponseException):
        code, text = error.smtp_code, error.smtp_error
    elif isinstance(error, ssl.SSLCertVerificationError):
        return DeliveryError(f"the mail server's TLS certificate is not trusted: {error.verify_message}"[:300],
                             permanent=False)
    elif isinstance(error, smtplib.SMTPNotSupportedError):
        return DeliveryError(f"the mail server does not support what is needed: {error}", permanent=True)
    else:  # timeout, connection refused or reset, DNS or TLS failure, server hung up: all may pass
        return DeliveryError(f"cannot talk to the mail server: {error!r}"[:300], permanent=False)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return DeliveryError(f"the mail server answered {code} {text}"[:300], permanent=500 <= code < 600)


def tls_context(ca_file=None):
    """Certificate and host name checked against the system's CAs (and `ca_file`'s, for a private CA)."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


def smtp_settings(config):
    """The mail server settings of the app's configuration, as send_email takes them."""
    return {"server": config.get("MAIL_SERVER"), "port": config.get("MAIL_PORT"),
            "username": config.get("MAIL_USERNAME"), "password": config.get("MAIL_PASSWORD"),
            "use_starttls": config.get("MAIL_USE_STARTTLS"), "use_ssl": config.get("MAIL_USE_SSL"),
            "ca_file": config.get("MAIL_CA_FILE")}


def channel_smtp_settings(settings, secrets, ca_file=None):
    """A channel's own mail server (sellerkit.channels.email settings and secrets), as send_email takes it: no login
    when both SMTP user name and password are empty."""
    security = settings.get("smtp_security")
    return {"server": settings.get("smtp_host"), "port": settings.get("smtp_port"),
            "username": settings.get("smtp_username") or None, "password": secrets.get("smtp_password") or None,
            "use_starttls": security == "starttls", "use_ssl": security == "tls", "ca_file": ca_file}


def send_email(delivery, smtp: dict, timeout=30):
    """Send one message, the only way sellerkit sends mail. smtp: server, port, username, password, use_starttls,
    use_ssl (SMTPS), ca_file; TLS always verifies the server's certificate. Raises DeliveryError."""
    if not delivery.to_email:
        raise DeliveryError("the buyer has no e-mail address", permanent=True)
    if not smtp.get("server"):
        raise DeliveryError("no mail server is configured", permanent=True)
    message = build_email(delivery)
    sender = message["From"].addresses[0].addr_spec
    recipient = message["To"].addresses[0].addr_spec
    context = tls_context(smtp.get("ca_file")) if smtp.get("use_ssl") or smtp.get("use_starttls") else None
    try:
        # The server's name is given to the constructor: smtplib checks the certificate against that name only.
        if smtp.get("use_ssl"):
            client = smtplib.SMTP_SSL(smtp["server"], int(smtp.get("port") or 0), timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(smtp["server"], int(smtp.get("port") or 0), timeout=timeout)
    except (smtplib.SMTPException, OSError) as error:
        raise _smtp_error(error) from error
    try:
        if smtp.get("use_starttls") and not smtp.get("use_ssl"):
            client.starttls(context=context)
        if smtp.get("username"):
            client.login(smtp["username"], smtp.get("password") or "")
        # Explicit envelope: the recipient is the one address we checked, never one read back from headers.
        client.send_message(message, from_addr=sender, to_addrs=[recipient])
    except (smtplib.SMTPException, OSError) as error:
        client.close()  # no QUIT: on a hung server it would wait out a second timeout
        raise _smtp_error(error) from error
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        pass  # the server has taken the message: a failing QUIT must not turn into a retry (a duplicate)
    finally:
        client.close()


def sign_webhook(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Sellerkit-Signature value; the timestamp is signed too, so a receiver can refuse old replays."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the addresses netguard vetted, never to a fresh DNS answer (which could rebind elsewhere)."""

    def __init__(self, target, timeout):
        super().__init__(target.host, target.port, timeout=timeout)
        self.addresses = target.addresses

    def connect(self):
        last_error = OSError("no address to connect to")
        for address in self.addresses:
            try:
                self.sock = socket.create_connection((address, self.port), self.timeout)
                return
            except OSError as error:
                last_error = error
        raise last_error


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = 443  # so the Host header leaves out ":443"

    def connect(self):
        super().connect()
        # Certificate and SNI are for the name in the URL, though the socket goes to a vetted address.
        self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)


def _post_once(target, body, headers, timeout):
    """One POST; returns (status, Location header or None)."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    try:
        connection.request("POST", target.path_and_query, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)  # drain a little so the server sees a clean close; the content is not used
        return response.status, response.getheader("Location")
    finally:
        connection.close()


def send_webhook(delivery, now_timestamp: int, allow_private: bool, timeout=10, max_redirects=3):
    """POST the signed event to the shop's webhook URL. Returns on 2xx, raises DeliveryError otherwise."""
    if not delivery.webhook_url:
        raise DeliveryError("the shop has no webhook URL", permanent=True)
    event = {"event": "message.outbound", "outbox_id": delivery.outbox_id, "shop_id": delivery.shop_id,
             "data": delivery.payload}
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": "sellerkit-webhook/1",
               "X-Sellerkit-Timestamp": str(now_timestamp), "X-Sellerkit-Delivery": str(delivery.outbox_id)}
    if delivery.webhook_secret:
        headers["X-Sellerkit-Signature"] = sign_webhook(delivery.webhook_secret, now_timestamp, body)
    url, previous_scheme = delivery.webhook_url, None
    for hop in range(max_redirects + 1):
        try:
            # Every hop is vetted, the first one and each redirect target alike, before any connection.
            target = netguard.check_url(url, allow_private)
        except netguard.UnsafeDestination as refused:
            where = "redirect target" if hop else "webhook URL"
            raise DeliveryError(f"refused {where}: {refused}", permanent=True, code=refused.code) from None
        if previous_scheme == "https" and target.scheme == "http":
            raise DeliveryError("refused redirect from https to plain http", permanent=True, code="scheme")
        try:
            status, location = _post_once(target, body, headers, timeout)
        except TimeoutError:
            raise DeliveryError("the webhook did not answer in time", permanent=False) from None
        except ssl.SSLCertVerificationError as error:
            raise DeliveryError(f"the webhook's TLS certificate: {error.verify_message}", permanent=False) from None
        except (OSError, http.client.HTTPException) as error:
            raise DeliveryError(f"cannot reach the webhook: {error!r}"[:300], permanent=False) from None
        if 200 <= status < 300:
            return
        if status in REDIRECTS and location:
            # Every redirect re-POSTs the same signed body, 301/302/303 included: browsers would switch to a GET
            # without a body, but a webhook GET delivers nothing, and a receiver that moved (http to https, a
            # trailing slash) wants the event. X-Sellerkit-Delivery lets it drop a duplicate.
            url, previous_scheme = urljoin(url, location.strip()), target.scheme
            continue
        if status >= 500 or status in RETRYABLE_HTTP:
            raise DeliveryError(f"the webhook answered HTTP {status}", permanent=False)
        raise DeliveryError(f"the webhook answered HTTP {status}", permanent=True)
    raise DeliveryError(f"the webhook redirected more than {max_redirects} times", permanent=True)
