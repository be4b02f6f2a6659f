"""Notice mails: queued for each owner of the shop as outbox items of kind "notification", written at delivery in
the owner's language."""
from flask_babel import force_locale
from sqlalchemy import select

from sellerkit.accounts.models import User
from sellerkit.extensions import db
from sellerkit.i18n import gettext as _
from sellerkit.links import public_link
from sellerkit.notices.models import NoticeMail
from sellerkit.outbox.delivery import mail_domain
from sellerkit.outbox.models import OutboxItem
from sellerkit.outbox.registry import register_builder
from sellerkit.outbox.transports import Delivery
from sellerkit.shops.models import Membership, Shop
from sellerkit.threads.models import Thread
from sellerkit.tickets.models import Ticket

KIND = "notification"


def init_app(app):
    register_builder(app, KIND, build_notice_delivery)


def queue_deadline_warning(thread_id, now):
    """Tell the shop's owners that a buyer's reply deadline is close."""
    _queue_for_owners(db.session.scalar(select(Thread.shop_id).where(Thread.id == thread_id)), "reply_deadline",
                      thread_id, now)


def queue_ticket_draft(ticket, now):
    """Tell the shop's owners that a dispute rule drafted a ticket for them to file."""
    _queue_for_owners(ticket.shop_id, "ticket_draft", ticket.id, now)


def _queue_for_owners(shop_id, topic, about_id, now):
    """One mail per owner of the shop, in the caller's transaction; the scheduler's delivery sweep sends them."""
    owners = db.session.scalars(select(Membership.user_id).where(Membership.shop_id == shop_id,
                                                                 Membership.role == "owner")).all()
    for user_id in owners:
        notice = NoticeMail(shop_id=shop_id, user_id=user_id, topic=topic, about_id=about_id, created_at=now)
        db.session.add(notice)
        db.session.flush()
        db.session.add(OutboxItem(shop_id=shop_id, kind=KIND, subject_id=notice.id, transport="email",
                                  status="pending", attempts=0, due_at=now, created_at=now))


def _words(notice, shop):
    """(subject, body) of the mail, in the current language; None when what it was about is gone."""
    if notice.topic == "reply_deadline":
        thread = db.session.get(Thread, notice.about_id)
        if thread is None:
            return None
        link = public_link("threads.thread_page", thread_id=thread.id)
        return (_("A buyer is waiting for your reply (%(shop)s)", shop=shop.name),
                _("The reply deadline for “%(subject)s” is close. Answer here:\n\n%(link)s",
                  subject=thread.subject or shop.name, link=link))
    ticket = db.session.get(Ticket, notice.about_id)
    if ticket is None:
        return None
    link = public_link("tickets.ticket_page", ticket_id=ticket.id)
    return (_("A ticket draft is ready to file: %(number)s", number=ticket.number),
            _("A dispute was escalated by your rule. Check the draft and file it:\n\n%(link)s", link=link))


def build_notice_delivery(item, config, now):
    """The notice mail in its owner's language, or None when the owner, the shop or its subject is gone."""
    row = db.session.execute(select(NoticeMail, User, Shop).join(User, User.id == NoticeMail.user_id)
                             .join(Shop, Shop.id == NoticeMail.shop_id)
                             .where(NoticeMail.id == item.subject_id)).first()
    if row is None:
        return None
    notice, user, shop = row
    with force_locale(user.locale or "en"):
        words = _words(notice, shop)
    if words is None:
        return None
    subject, body = words
    return Delivery(
        outbox_id=item.id, shop_id=shop.id, subject=subject, body=body, is_automatic=False,
        message_id_header=f"<sellerkit.notice.{item.id}@{mail_domain(config)}>", in_reply_to=None,
        to_email=user.email, from_email=config["MAIL_FROM"], webhook_url=None, webhook_secret=None, payload={},
        is_system_mail=True)
