"""What the e-mail channel's tests share: sample mails, settings, and storing a batch as the layer will."""
import io
from pathlib import Path

from sellerkit import inbox
from sellerkit.channels.email.kind import EmailKind
from sellerkit.extensions import db
from sellerkit.shops.models import Shop

MAILS = Path(__file__).parent / "mails"
ADDRESS = "shop@example.com"


def sample(name, **values):
    """A sample mail of tests/mails as bytes, its {placeholders} filled in."""
    raw = (MAILS / name).read_bytes()
    for key, value in values.items():
        raw = raw.replace(b"{" + key.encode() + b"}", value.encode())
    return raw


def mail(subject="Question", body="Where is my order?", sender="Anna Buyer <anna.buyer@example.net>",
         message_id="<q1@example.net>", to=ADDRESS, headers=()):
    """A plain UTF-8 mail to the shop, written here for cases the samples do not cover."""
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", f"Message-ID: {message_id}",
             "Date: Mon, 23 Nov 2026 09:00:00 +0000", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
             "Content-Transfer-Encoding: 8bit", *(f"{name}: {value}" for name, value in headers), "", body, ""]
    return "\r\n".join(lines).encode("utf-8")


def channel_settings(dovecot, smtp_port=None, security="tls", **changes):
    """(settings, secrets) of a channel on the test Dovecot (and the aiosmtpd at `smtp_port`)."""
    settings = {"address": ADDRESS, "imap_host": "127.0.0.1",
                "imap_port": dovecot.tls_port if security == "tls" else dovecot.port, "imap_security": security,
                "username": dovecot.user, "folder": "INBOX", "smtp_host": "127.0.0.1", "smtp_port": smtp_port or 25,
                "smtp_security": "none", "smtp_username": ""}
    settings.update(changes)
    return settings, {"password": dovecot.password, "smtp_password": ""}


def store(shop_id, fetched, now, history=False):
    """Link and receive fetched mails in one transaction, as the channel layer does; returns the ItemResults."""
    shop = db.session.get(Shop, shop_id)
    linked = EmailKind().link(shop, {"address": ADDRESS}, fetched, now)
    files = [[(name, io.BytesIO(content)) for name, _type, content in item.files] for item in linked]
    results = inbox.receive_buyer_messages(shop, [item.inbound for item in linked], now, files=files,
                                           history=history)
    db.session.commit()
    return results
