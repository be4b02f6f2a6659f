"""The outbox builder of a follow-up: a reply to the buyer that also carries RFC 8058 one-click unsubscribe headers."""
from dataclasses import replace

from sqlalchemy import select

from sellerkit.consent.services import opt_out_token
from sellerkit.extensions import db
from sellerkit.links import public_link
from sellerkit.outbox.registry import register_builder
from sellerkit.threads.models import Message, Thread
from sellerkit.threads.outbound import build_reply_delivery

KIND = "follow_up"


def init_app(app):
    register_builder(app, KIND, build_follow_up_delivery)


def build_follow_up_delivery(item, config, now):
    """The follow-up as any reply, plus List-Unsubscribe (the opt-out link, which a mail client POSTs to)."""
    delivery = build_reply_delivery(item, config, now)
    shop_id, buyer_id = db.session.execute(
        select(Thread.shop_id, Thread.buyer_id).join(Message, Message.thread_id == Thread.id)
        .where(Message.id == item.message_id)).one()
    link = public_link("consent.opt_out", shop_id=shop_id, token=opt_out_token(shop_id, buyer_id))
    return replace(delivery, headers=delivery.headers + (
        ("List-Unsubscribe", f"<{link}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")))
