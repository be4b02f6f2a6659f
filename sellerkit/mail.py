"""Notification mail of sellerkit's own to its users, sent at once through the one mail path (outbox.delivery)."""
import secrets

from flask import current_app

from sellerkit.outbox.delivery import mail_domain, send_mail
from sellerkit.outbox.transports import Delivery


def send_system_mail(to, subject, body):
    """Send a plain-text message (to the log without a mail server); raises DeliveryError when sending fails."""
    config = current_app.config
    send_mail(Delivery(
        outbox_id=0, shop_id=None, subject=subject, body=body, is_automatic=False,
        message_id_header=f"<sellerkit.notice.{secrets.token_hex(8)}@{mail_domain(config)}>", in_reply_to=None,
        to_email=to, from_email=config["MAIL_FROM"], webhook_url=None, webhook_secret=None, payload={},
        is_system_mail=True), config)
