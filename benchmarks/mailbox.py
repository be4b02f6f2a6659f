"""A mailbox's backlog through the channel poll sweep: mails waiting in a real Dovecot, fetched over verified TLS,
parsed, threaded and stored, as a seller's first connection of a busy mailbox does."""
import os
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from sellerkit.channels import polling
from sellerkit.channels.crypto import encrypt_secrets
from sellerkit.channels.models import Channel
from sellerkit.extensions import db
from sellerkit.threads.models import Message

#: Issue 23: "a 5,000-mail backlog fetched within 60 s on SQLite".
TARGET_SECONDS = 60
MAILS = {"S": 100, "M": 5000, "L": 5000}
BODIES = ("Where is my parcel? It has been a week.", "Czy mogę zmienić adres dostawy?", "Где мой заказ?",
          "您好，我的包裹什么时候发货？", "সালাম, অর্ডারটি কবে পাঠানো হবে?", "سلام، سفارش من کی ارسال می‌شود؟")


def measure(app, shop_id, count, now):
    """Seconds from the first poll until `count` mails are stored once each; None figures when Dovecot is
    missing (apt-get install dovecot-imapd)."""
    from tests.imap_server import Dovecot, dovecot_available, make_ca
    from tests.mailchannel import channel_settings, mail

    if not dovecot_available():
        return {"mails": count, "skipped": "Dovecot is not installed (apt-get install dovecot-imapd)"}
    root = tempfile.mkdtemp(prefix="sellerkit-bench-dovecot-")
    os.chmod(root, 0o755)  # Dovecot reads the mailboxes as Debian's mail user
    ca_folder = Path(root) / "ca"
    ca_folder.mkdir()
    ca, certificate, key = make_ca(ca_folder)
    server = Dovecot(root, ca, certificate, key)
    server.start()
    try:
        mails = [mail(subject=f"Order {number}", body=f"{BODIES[number % len(BODIES)]} ({number})",
                      sender=f"Buyer {number % 700} <bench-buyer-{number % 700}@example.net>",
                      message_id=f"<bench-{number}@example.net>") for number in range(count)]
        with server.client() as client:
            for start in range(0, count, 500):
                client.multiappend("INBOX", mails[start:start + 500])
        settings, secrets = channel_settings(server)
        app.config["MAIL_CA_FILE"] = ca
        with app.app_context():
            before = _buyer_messages(shop_id)
            channel = Channel(shop_id=shop_id, kind="email", name="Benchmark mailbox", is_paused=False,
                              settings=settings, secrets=encrypt_secrets(secrets), next_fetch_at=now,
                              consecutive_failures=0, fetched_today=0, is_backfilled=False, created_at=now,
                              updated_at=now)
            db.session.add(channel)
            db.session.commit()
        started = time.perf_counter()
        stored, polls = 0, 0
        while stored < count and time.perf_counter() - started < 10 * TARGET_SECONDS:
            with app.app_context():
                polling.poll_due(now)
                stored = _buyer_messages(shop_id) - before
            polls += 1
        seconds = time.perf_counter() - started
    finally:
        app.config.pop("MAIL_CA_FILE", None)
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    return {"mails": count, "stored": stored, "polls": polls, "seconds": round(seconds, 2),
            "per_second": round(stored / seconds) if seconds else None}


def _buyer_messages(shop_id):
    return db.session.scalar(select(func.count()).select_from(Message)
                             .where(Message.shop_id == shop_id, Message.direction == "in"))


def passes(result):
    """The target holds on SQLite (the embedded default); PostgreSQL's figure is reported without one."""
    figures = result["mailbox_backlog"]
    if "skipped" in figures:
        return None
    complete = figures["stored"] == figures["mails"]
    if result["database"] != "sqlite":
        return None if complete else False
    return complete and figures["seconds"] <= TARGET_SECONDS


def table_row(result, verdict):
    figures = result["mailbox_backlog"]
    label = f"mailbox backlog: {figures['mails']:,} mails from Dovecot"
    if "skipped" in figures:
        return (label, "not run", "-", f"<= {TARGET_SECONDS} s (SQLite)", "-", "-", figures["skipped"], "-")
    target = f"<= {TARGET_SECONDS} s" if result["database"] == "sqlite" else "- (SQLite)"
    return (label, f"{figures['seconds']:.1f} s", f"{figures['per_second']:,}/s", target, verdict(passes(result)),
            "-", f"stored {figures['stored']:,}", "-")
