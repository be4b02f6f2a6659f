"""The outbox builder of a reply to a buyer: the message, its thread, the buyer and the shop, read in one go."""
from sqlalchemy import select
from sqlalchemy.orm import aliased

from sellerkit.attachments.models import Attachment
from sellerkit.attachments.services import attachment_contents
from sellerkit.extensions import db
from sellerkit.outbox.delivery import mail_domain
from sellerkit.outbox.transports import Delivery
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Buyer, Message, Thread

KIND = "reply"


def build_reply_delivery(item, config, now):
    """Everything a transport needs to send the reply of `item`, by e-mail, webhook or the thread's channel."""
    # The buyer's newest message, which the reply answers, comes in the same statement.
    last_inbound = aliased(Message)
    newest_inbound_id = select(Message.id).where(Message.thread_id == Thread.id, Message.direction == "in") \
        .order_by(Message.posted_at.desc(), Message.id.desc()).limit(1).correlate(Thread).scalar_subquery()
    message, thread, buyer, shop, last_inbound = db.session.execute(
        select(Message, Thread, Buyer, Shop, last_inbound).join(Thread, Thread.id == Message.thread_id)
        .join(Buyer, Buyer.id == Thread.buyer_id).join(Shop, Shop.id == Message.shop_id)
        .outerjoin(last_inbound, last_inbound.id == newest_inbound_id)
        .where(Message.id == item.message_id)
    ).one()
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
        attachments=tuple(attachment_contents(files)) if item.transport in ("email", "channel") else (),
        channel_id=thread.channel_id,
    )
