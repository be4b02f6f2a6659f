"""One raw mail read with the `email` package into a Fetched: the buyer's words, files, threading hints."""
import hashlib
import re
from datetime import UTC
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from sellerkit.channels.email.bounces import read_bounce
from sellerkit.channels.email.htmltext import html_to_text
from sellerkit.channels.email.marketplaces import recognise, relay_words
from sellerkit.channels.email.quotes import split_quoted
from sellerkit.channels.email.tokens import OWN_MESSAGE_ID, is_for
from sellerkit.channels.kinds import Fetched
from sellerkit.threads.domain import KEPT_HEADERS, MAX_BODY, MAX_SUBJECT, Inbound

MSG_ID = re.compile(r"<[^<>\s]{1,250}>")
#: Headers that say a machine wrote the mail; a marketplace's notification of a buyer's words drops them.
MACHINE_HEADERS = ("auto-submitted", "precedence", "list-id", "x-autoreply", "x-auto-response-suppress", "from",
                   "return-path", "reply-to")
#: The name of the file that keeps a mail's whole text when the message shows less of it.
ORIGINAL_TEXT = "original-message.txt"


def external_id(message_id):
    """The stored id of a mail, from its Message-ID: the same mail fetched twice (or by two channels) is one."""
    return "email:" + hashlib.sha256(message_id.strip().lower().encode("utf-8", "replace")).hexdigest()[:40]


class _Headers:
    """A mail's headers as read once, unfolded. Only the ones with encoded words or 8-bit text go through the
    policy's header parser (slow, and most mails have dozens of headers nobody here reads)."""

    def __init__(self, message):
        self.message = message
        self.raw = {}
        for name, value in message.raw_items():
            self.raw.setdefault(name.lower(), []).append(" ".join(str(value).split()))

    def all(self, name):
        return self.raw.get(name.lower(), [])

    def text(self, name):
        """The first such header's decoded text (RFC 2047 words in any charset), or "" when absent."""
        values = self.all(name)
        if not values:
            return ""
        if "=?" not in values[0] and values[0].isascii():
            return values[0]
        try:
            return " ".join(str(self.message.get(name)).split())
        except (ValueError, LookupError, IndexError, TypeError, AttributeError):
            return values[0].encode("utf-8", "replace").decode("utf-8")  # beyond repair: as it came

    def addresses(self, *names):
        """Every address in these headers, lower-cased."""
        values = [value for name in names for value in self.all(name)]
        return [address.lower() for _name, address in getaddresses(values) if "@" in address]

    def sender(self):
        """(display name, address) of the mail's author."""
        name, address = (getaddresses(self.all("From")[:1]) or [("", "")])[0]
        if "=?" in name or not self.text("From").isascii():
            try:
                mailboxes = self.message["From"].addresses
            except (ValueError, LookupError, IndexError, TypeError, AttributeError):
                mailboxes = ()
            if mailboxes:
                name = mailboxes[0].display_name
        return name, address.lower()


def _text_of(part):
    """A text part's content in Python text, whatever its declared charset (an unknown one is read as UTF-8)."""
    try:
        return part.get_content()
    except (LookupError, UnicodeError, ValueError, AssertionError):
        return (part.get_payload(decode=True) or b"").decode("utf-8", "replace")


def _body(message, content_type):
    """The mail's full text: its plain part, else its HTML part turned into text."""
    if message.is_multipart():
        part = message.get_body(preferencelist=("plain", "html"))
        content_type = part.get_content_type() if part is not None else None
    else:
        # Most mail is one text part: no search of parts, whose header the email package parses again each time.
        part = message if content_type in ("text/plain", "text/html") else None
    if part is None:
        return ""
    text = _text_of(part)
    if content_type == "text/html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "")


def _files(message):
    """(filename, content type, bytes) of each attachment (RFC 2231 names decoded); reports are not files."""
    files = []
    for part in message.iter_attachments():
        if part.get_content_maintype() in ("message", "multipart"):
            continue
        content = part.get_payload(decode=True)
        if content is None:
            continue
        try:
            filename = part.get_filename() or ""
        except (ValueError, LookupError, TypeError):
            filename = ""
        files.append((filename or "attachment", part.get_content_type(), content))
    return files


def _received_at(headers, internal_date, now):
    """When the buyer sent it: the Date header, else the server's arrival time; never later than now."""
    try:
        when = parsedate_to_datetime(headers.text("Date")) if headers.all("Date") else None
    except (ValueError, TypeError, IndexError):
        when = None
    if when is None or when.tzinfo is None:
        when = internal_date if internal_date is not None and internal_date.tzinfo is not None else now
    return min(when.astimezone(UTC), now)


def _kept_headers(read, message_id):
    headers = {name: read.text(name) for name in KEPT_HEADERS if read.all(name)}
    headers["message-id"] = message_id
    return headers


def _who_and_where(marketplace, headers, sender, sender_name):
    """(Inbound fields of the buyer, order and conversation, headers to keep) by the marketplace's rules."""
    fields = dict(buyer_name=sender_name, buyer_email=sender or None, buyer_external_id=None, order_reference=None,
                  thread_external_id=None)
    if marketplace is None:
        return fields, headers
    fields.update(order_reference=marketplace.order, thread_external_id=marketplace.thread_key)
    if marketplace.platform == "amazon":
        # The relay address is the buyer (and where replies go); the name is the one Amazon gives.
        fields["buyer_name"] = marketplace.buyer_name or sender_name
        return fields, headers
    # A notification carries a buyer's words: it is no machine's mail, and it cannot be answered by mail.
    fields.update(buyer_name=marketplace.buyer_name, buyer_email=None,
                  buyer_external_id=marketplace.buyer_id)
    return fields, {name: value for name, value in headers.items() if name not in MACHINE_HEADERS}


def parse_mail(raw, channel_address, now, internal_date=None):
    """A Fetched for a raw mail sent to the channel's address; None for a mail that is not for it (a newsletter in a
    personal mailbox), and for our own mails read back."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    read = _Headers(message)
    recipients = read.addresses("To", "Cc", "Delivered-To", "X-Original-To")
    sender_name, sender = read.sender()
    found = MSG_ID.search(read.text("Message-ID"))
    message_id = found.group() if found else f"<{hashlib.sha256(raw).hexdigest()}@sellerkit.invalid>"
    if not is_for(recipients, channel_address) or sender == channel_address.lower() \
            or OWN_MESSAGE_ID.fullmatch(message_id):
        return None
    subject = read.text("Subject")
    content_type = message.get_content_type()
    full_text = _body(message, content_type).strip()
    marketplace = recognise(sender, sender_name, subject, full_text)
    words, quoted = split_quoted(relay_words(full_text) if marketplace and marketplace.platform == "amazon"
                                 else full_text)
    files = _files(message) if message.is_multipart() else []
    body = words[:MAX_BODY] or subject or ", ".join(name for name, _type, _content in files) or "-"
    if quoted or len(words) > MAX_BODY:
        # The message shows the new words; the whole text, quoted history too, stays with it as a file.
        files.insert(0, (ORIGINAL_TEXT, "text/plain", full_text.encode("utf-8")))
    headers = _kept_headers(read, message_id)
    bounce = read_bounce(message) if content_type == "multipart/report" else None
    if bounce is not None:
        files = []
        headers.setdefault("auto-submitted", "auto-replied")  # a report is machine mail, whoever sent it
    fields, headers = _who_and_where(marketplace, headers, sender, sender_name)
    inbound = Inbound(external_id=external_id(message_id), body=body, subject=subject[:MAX_SUBJECT],
                      received_at=_received_at(read, internal_date, now), headers=headers, **fields)
    references = MSG_ID.findall(read.text("References")) + MSG_ID.findall(read.text("In-Reply-To"))
    hints = {"message_id": message_id, "references": references, "recipients": recipients, "subject": subject,
             "marketplace": marketplace, "bounce": bounce}
    return Fetched(inbound, tuple(files), hints)
