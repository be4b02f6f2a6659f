"""The delivery sweep: claim due items, commit the claim, send each through its transport, record the outcome."""
from email.utils import parseaddr

from sqlalchemy import select

from sellerkit.attachments.models import Attachment
from sellerkit.attachments.services import open_attachment
from sellerkit.extensions import db
from sellerkit.outbox import services
from sellerkit.outbox.models import OutboxItem
from sellerkit.outbox.transports import (
    Delivery,
    DeliveryError,
    send_email,
    send_webhook,
)
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Buyer, Message, Thread


def mail_domain(config):
    """The domain of the sender address, for our Message-IDs ("Shop <a@b.com>" gives b.com)."""
    address = parseaddr(config.get("MAIL_FROM") or "")[1]
    return address.rpartition("@")[2] or "localhost"


def build_delivery(item, config):
    """Everything a transport needs about one outbox item, read in one go."""
    if item.ticket_event_id is not None:
        from sellerkit.tickets.mail import (
            build_ticket_delivery,  # a mail to support, not to a buyer
        )

        return build_ticket_delivery(item, config)
    message, thread, buyer, shop = db.session.execute(
        select(Message, Thread, Buyer, Shop).join(Thread, Thread.id == Message.thread_id)
        .join(Buyer, Buyer.id == Thread.buyer_id).join(Shop, Shop.id == Message.shop_id)
        .where(Message.id == item.message_id)
    ).one()
    last_inbound = db.session.scalar(
        select(Message).where(Message.thread_id == thread.id, Message.direction == "in")
        .order_by(Message.posted_at.desc(), Message.id.desc()).limit(1))
    files = db.session.scalars(select(Attachment).where(Attachment.message_id == message.id)
                               .order_by(Attachment.id)).all()
    payload = {
        "message": {"id": message.id, "kind": message.kind, "body": message.body, "language": message.language,
                    "is_automatic": message.is_automatic, "posted_at": message.posted_at.isoformat(),
                    # The integration fetches files with its API token, so the signed body stays small.
                    "attachments": [{"id": f.id, "filename": f.filename, "content_type": f.content_type,
                                     "size": f.size, "sha256": f.sha256, "url": f"/api/v1/attachments/{f.id}"}
                                    for f in files]},
        "thread": {"id": thread.id, "external_id": thread.external_id, "subject": thread.subject},
        "buyer": {"id": buyer.platform_buyer_id, "name": buyer.display_name, "email": buyer.email},
        "in_reply_to_external_id": last_inbound.external_id if last_inbound else None,
    }
    return Delivery(
        outbox_id=item.id, shop_id=shop.id, subject=thread.subject or shop.name, body=message.body,
        is_automatic=message.is_automatic,
        message_id_header=f"<sellerkit.{message.id}.{shop.id}@{mail_domain(config)}>",
        in_reply_to=(last_inbound.headers or {}).get("message-id") if last_inbound else None,
        to_email=buyer.email, from_email=shop.reply_from_email or config["MAIL_FROM"],
        webhook_url=shop.webhook_url, webhook_secret=shop.webhook_secret, payload=payload,
        attachments=tuple(file_contents(files)) if item.transport == "email" else (),
    )


def file_contents(files):
    for stored in files:
        with open_attachment(stored) as handle:
            yield stored.filename, stored.content_type, handle.read()


def _send(item, delivery, config, now):
    if item.transport == "email":
        if not config.get("MAIL_SERVER"):
            raise DeliveryError("no mail server is configured (SELLERKIT_MAIL_SERVER)", permanent=False)
        send_email(delivery, {"server": config["MAIL_SERVER"], "port": config["MAIL_PORT"],
                              "username": config.get("MAIL_USERNAME"), "password": config.get("MAIL_PASSWORD"),
                              "use_starttls": config.get("MAIL_USE_STARTTLS")})
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
            _send(item, build_delivery(item, config), config, now)
        except DeliveryError as error:
            services.record_failure(item_id, token, error.reason, error.permanent, now)
            failed += 1
        else:
            if services.confirm_sent(item_id, token, now) and on_sent is not None:
                on_sent(item, now)
            sent += 1
        db.session.commit()
    return sent, failed
