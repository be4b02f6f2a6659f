"""The password-reset mail: queued by the form as an outbox item, built and sent by the scheduler."""
from flask_babel import force_locale
from sqlalchemy import select

from sellerkit.accounts import domain
from sellerkit.accounts.models import PasswordResetRequest, PasswordResetToken, User
from sellerkit.extensions import db
from sellerkit.i18n import gettext as _
from sellerkit.links import public_link
from sellerkit.outbox.delivery import mail_domain
from sellerkit.outbox.models import OutboxItem
from sellerkit.outbox.registry import register_builder
from sellerkit.outbox.transports import Delivery

KIND = "password_reset"


def init_app(app):
    register_builder(app, KIND, build_reset_delivery)


def queue_reset_mail(request, now):
    """Every request is queued alike, known e-mail or not, so the form's answer and its time tell nothing."""
    db.session.add(OutboxItem(kind=KIND, subject_id=request.id, transport="email", status="pending", attempts=0,
                              due_at=now, created_at=now))


def build_reset_delivery(item, config, now):
    """The mail with a fresh reset link, or None for an e-mail no account uses. The token is made here, at
    delivery, so no usable token ever waits in the outbox."""
    request = db.session.get(PasswordResetRequest, item.subject_id)
    user = request and db.session.scalar(select(User).where(User.email == request.email))
    if user is None:
        return None
    token, token_hash = domain.new_token()
    ttl = config["PASSWORD_RESET_TTL"]
    db.session.add(PasswordResetToken(user_id=user.id, token_hash=token_hash, created_at=now, expires_at=now + ttl))
    link = public_link("accounts.reset_password", token=token)
    with force_locale(user.locale or request.locale or "en"):
        subject = _("Reset your sellerkit password")
        body = _("Open this link to choose a new password (it works once, for %(minutes)s minutes):\n\n"
                 "%(link)s\n\nIf you did not ask for it, ignore this message.",
                 minutes=int(ttl.total_seconds() // 60), link=link)
    return Delivery(
        outbox_id=item.id, shop_id=None, subject=subject, body=body, is_automatic=False,
        message_id_header=f"<sellerkit.reset.{item.id}@{mail_domain(config)}>", in_reply_to=None,
        to_email=user.email, from_email=config["MAIL_FROM"], webhook_url=None, webhook_secret=None, payload={},
        is_system_mail=True)
