"""The outbox transport "channel": a reply in a conversation that came through a channel leaves through it."""
import copy

from sqlalchemy import false, select

from sellerkit.channels import crypto
from sellerkit.channels.kinds import kind_named
from sellerkit.channels.models import Channel
from sellerkit.extensions import db
from sellerkit.outbox.registry import register_transport
from sellerkit.outbox.transports import DeliveryError
from sellerkit.threads.models import Thread
from sellerkit.threads.outbound import KIND as REPLY

TRANSPORT = "channel"


def carries(shop, message, kind):
    """Replies (and auto-replies) in a thread whose channel is not paused go through that channel ("channel"), or
    wait to be copied by hand ("manual") where the channel's platform takes no reply from it (Etsy's notification
    mails); None leaves the choice to the shop."""
    if kind != REPLY:
        return None
    found = db.session.execute(
        select(Channel.kind, Thread).join(Thread, Thread.channel_id == Channel.id)
        .where(Thread.id == message.thread_id, Channel.shop_id == shop.id, Channel.is_paused == false())
    ).first()
    if found is None:
        return None
    channel_kind = kind_named(found[0])
    if channel_kind is not None and channel_kind.manual_reply_url(found[1]):
        return "manual"
    return TRANSPORT


def send_through_channel(delivery, config, now):
    """Load the channel, decrypt its secrets and let its kind send; a kind that refreshed a token has it saved."""
    channel = db.session.get(Channel, delivery.channel_id) if delivery.channel_id else None
    if channel is None or channel.shop_id != delivery.shop_id:
        db.session.rollback()
        raise DeliveryError("the conversation's channel was removed", permanent=True)
    kind = kind_named(channel.kind)
    settings = copy.deepcopy(channel.settings or {})
    try:
        secrets = crypto.decrypt_secrets(channel.secrets)
    except crypto.KeyUnavailable:
        db.session.rollback()
        raise DeliveryError("the channel's credentials cannot be read: enter them again", permanent=False) from None
    db.session.rollback()  # nothing stays open while the platform answers
    if kind is None:
        raise DeliveryError(f"the channel kind {channel.kind!r} is not available", permanent=False)
    before = copy.deepcopy(secrets)
    try:
        kind.send(settings, secrets, delivery, now)
    finally:
        if secrets != before:
            stored = db.session.get(Channel, delivery.channel_id, populate_existing=True)
            if stored is not None:
                stored.secrets = crypto.encrypt_secrets(secrets)
                db.session.commit()


def init_app(app):
    register_transport(app, TRANSPORT, send_through_channel, choose=carries)
