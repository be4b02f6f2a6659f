"""Tickets filed by e-mail: the mails to the platform's support address go through the outbox, and support's
answers come back threaded by In-Reply-To (or the ticket number in the subject)."""
import re

from flask import current_app
from sqlalchemy import select

from sellerkit.attachments.models import Attachment
from sellerkit.attachments.services import attachment_contents
from sellerkit.extensions import db
from sellerkit.outbox.delivery import mail_domain
from sellerkit.outbox.models import OutboxItem
from sellerkit.outbox.registry import register_builder
from sellerkit.outbox.transports import Delivery
from sellerkit.shops.models import Shop
from sellerkit.tickets import services
from sellerkit.tickets.models import Ticket, TicketEvent

NUMBER_IN_SUBJECT = re.compile(r"\[SK-(\d{6,})\]")
KIND = "ticket_mail"


def queue_mail(shop, ticket, event, now):
    """Send the filing (or the seller's added details) to the platform's support address through the outbox."""
    event.mail_id = f"<sellerkit.ticket.{ticket.id}.{event.id}@{mail_domain(current_app.config)}>"
    db.session.add(OutboxItem(shop_id=shop.id, kind=KIND, ticket_event_id=event.id, transport="email",
                              status="pending", attempts=0, due_at=now, created_at=now))


def init_app(app):
    register_builder(app, KIND, build_ticket_delivery)


def build_ticket_delivery(item, config, now):
    event, ticket, shop = db.session.execute(
        select(TicketEvent, Ticket, Shop).join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .join(Shop, Shop.id == Ticket.shop_id).where(TicketEvent.id == item.ticket_event_id)).one()
    earlier = db.session.scalar(select(TicketEvent.mail_id).where(
        TicketEvent.ticket_id == ticket.id, TicketEvent.id < event.id, TicketEvent.mail_id.is_not(None))
        .order_by(TicketEvent.id.desc()).limit(1))
    if event.kind == "filed":
        body = f"{ticket.description}\n\n---\n{ticket.transcript}".strip()
        files = db.session.scalars(select(Attachment).where(Attachment.id.in_(
            [f.attachment_id for f in ticket.files if f.included])).order_by(Attachment.id)).all()
    else:
        body, files = event.body, []
    return Delivery(
        outbox_id=item.id, shop_id=shop.id, subject=f"[{ticket.number}] {ticket.title}", body=body,
        is_automatic=False, message_id_header=event.mail_id, in_reply_to=earlier, to_email=shop.support_email,
        from_email=shop.reply_from_email or config["MAIL_FROM"], webhook_url=None, webhook_secret=None, payload={},
        attachments=tuple(attachment_contents(files)))


def ticket_for_mail(shop_id, subject, in_reply_to):
    """The ticket a support mail answers: by the Message-ID it replies to, else by [SK-000123] in its subject."""
    if in_reply_to:
        ticket = db.session.scalar(select(Ticket).join(TicketEvent, TicketEvent.ticket_id == Ticket.id).where(
            Ticket.shop_id == shop_id, TicketEvent.mail_id == in_reply_to.strip()).limit(1))
        if ticket is not None:
            return ticket
    match = NUMBER_IN_SUBJECT.search(subject or "")
    if match:
        return db.session.scalar(select(Ticket).where(Ticket.shop_id == shop_id, Ticket.id == int(match.group(1))))
    return None


def receive_support_mail(shop_id, subject, body, in_reply_to, message_id, status, *, now):
    """Record support's e-mailed answer on its ticket, once per Message-ID: (ticket, event or None if seen)."""
    ticket = ticket_for_mail(shop_id, subject, in_reply_to)
    if ticket is None:
        return None, None
    if message_id and db.session.scalar(select(TicketEvent.id).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.mail_id == message_id.strip())):
        return ticket, None
    return ticket, services.record_support_reply(ticket, body, status, now, source="email",
                                                 mail_id=(message_id or "").strip()[:250] or None)
