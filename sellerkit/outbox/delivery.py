"""The delivery sweep: claim due items, commit the claim, build each with its kind's builder, send it through its
transport, record the outcome."""
import logging
from email.utils import parseaddr

from sellerkit.attachments.services import open_attachment
from sellerkit.extensions import db
from sellerkit.outbox import services
from sellerkit.outbox.models import OutboxItem
from sellerkit.outbox.registry import builder_for
from sellerkit.outbox.transports import DeliveryError, send_email, send_webhook, smtp_settings

log = logging.getLogger(__name__)


def mail_domain(config):
    """The domain of the sender address, for our Message-IDs ("Shop <a@b.com>" gives b.com)."""
    address = parseaddr(config.get("MAIL_FROM") or "")[1]
    return address.rpartition("@")[2] or "localhost"


def file_contents(files):
    for stored in files:
        with open_attachment(stored) as handle:
            yield stored.filename, stored.content_type, handle.read()


def send_mail(delivery, config):
    """Send one mail through the configured server; sellerkit's own mail goes to the log when there is none."""
    if not config.get("MAIL_SERVER"):
        if delivery.is_system_mail:
            log.warning("No mail server configured; mail to %s:\n%s\n%s", delivery.to_email, delivery.subject,
                        delivery.body)
            return
        raise DeliveryError("no mail server is configured (SELLERKIT_MAIL_SERVER)", permanent=False)
    send_email(delivery, smtp_settings(config))


def _send(item, delivery, config, now):
    if item.transport == "email":
        send_mail(delivery, config)
    elif item.transport == "webhook":
        if not delivery.webhook_url or not delivery.webhook_secret:
            raise DeliveryError("the shop has no webhook address or secret", permanent=True)
        send_webhook(delivery, int(now.timestamp()), allow_private=config.get("WEBHOOK_ALLOW_PRIVATE", False))
    else:
        raise DeliveryError(f"transport {item.transport!r} is delivered by hand", permanent=True)


def deliver_due(now, config, limit=100, on_sent=None):
    """One sweep. Returns (sent, failed). Sending happens only after the claim is committed, so a process
    that dies mid-sweep leaves its items claimed until the timeout gives them back, never lost.

    `on_sent(item, now)` runs in the transaction that marks an item sent (the flows that follow a delivery live
    outside the outbox, in sellerkit.inbox)."""
    services.release_stale_claims(now)
    ids, token = services.claim_due(now, limit)
    db.session.commit()
    sent = failed = 0
    for item_id in ids:
        item = db.session.get(OutboxItem, item_id)
        try:
            delivery = builder_for(item.kind)(item, config, now)
            if delivery is None:
                services.drop(item_id, token)
            else:
                _send(item, delivery, config, now)
        except DeliveryError as error:
            db.session.rollback()  # what the builder wrote (a reset token) goes with the failed attempt
            services.record_failure(item_id, token, error.reason, error.permanent, now)
            failed += 1
        else:
            if delivery is not None:
                if services.confirm_sent(item_id, token, now) and on_sent is not None:
                    on_sent(item, now)
                sent += 1
        db.session.commit()
    return sent, failed
