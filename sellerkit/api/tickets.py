"""API endpoints for support tickets: escalate, list with counts, read, file, support's answers (typed or mailed in),
details, rating and cancelling."""
from flask import g, jsonify, request
from sqlalchemy import select

from sellerkit.api.core import ApiError, bp, json_body
from sellerkit.clock import utcnow
from sellerkit.extensions import db
from sellerkit.i18n import gettext as _
from sellerkit.shops import services as shops
from sellerkit.threads import services as threads
from sellerkit.threads.domain import decode_cursor, encode_cursor
from sellerkit.threads.parsing import text_field
from sellerkit.tickets import domain, mail, queries
from sellerkit.tickets import services as tickets
from sellerkit.tickets.models import TicketEvent
from sellerkit.tickets.vocabulary import LANGUAGES, LIFECYCLES


def _moment(value):
    return value.isoformat() if value else None


def ticket_json(ticket, with_history=False):
    profile = tickets.profile_of(ticket.platform)
    body = {"id": ticket.id, "number": ticket.number, "shop_id": ticket.shop_id, "thread_id": ticket.thread_id,
            "order_id": ticket.order_id, "platform": ticket.platform, "category": ticket.category_key,
            "topic": ticket.topic_key, "topic_name": profile.topic_name(ticket.topic_key, "en"),
            "title": ticket.title, "description": ticket.description, "status": ticket.lifecycle,
            "platform_status": profile.status_name(ticket.lifecycle, "en"), "channel": ticket.channel,
            "platform_ref": ticket.platform_ref, "policy_versions": ticket.policy_versions,
            "files": [{"attachment_id": f.attachment_id, "filename": f.attachment.filename, "included": f.included}
                      for f in ticket.files],
            "rating": ticket.rating, "rating_comment": ticket.rating_comment, "closed_reason": ticket.closed_reason,
            "is_automatic": ticket.is_automatic, "created_at": _moment(ticket.created_at),
            "filed_at": _moment(ticket.filed_at), "updated_at": _moment(ticket.updated_at)}
    if with_history:
        events = db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                    .order_by(TicketEvent.id)).all()
        body["history"] = [{"kind": e.kind, "from": e.from_lifecycle, "to": e.to_lifecycle, "body": e.body,
                            "source": e.source, "at": _moment(e.created_at)} for e in events]
        body["transcript"] = ticket.transcript
    return body


@bp.get("/shops/<int:shop_id>/support-topics")
def support_topics(shop_id):
    """The shop's platform support profile: its categories and topics (searchable with `q`, alphabetical in the
    requested language), statuses, limits and rules."""
    shop = shops.membership_for(g.api_user, shop_id).shop
    profile = tickets.profile_of(shop.platform)
    language = request.args.get("language") if request.args.get("language") in LANGUAGES else "en"
    return jsonify({
        "platform": profile.platform, "name": profile.name, "contact": profile.contact,
        "limits": {"max_files": profile.limits.max_files, "max_file_bytes": profile.limits.max_file_bytes,
                   "max_total_bytes": profile.limits.max_total_bytes},
        "same_topic_interval_minutes": int(profile.same_topic_interval.total_seconds() // 60),
        "auto_close_after_days": profile.auto_close_after.days if profile.auto_close_after else None,
        "rating": profile.rating, "required_fields": list(profile.required_fields),
        "statuses": {lifecycle: profile.status_name(lifecycle, language) for lifecycle in LIFECYCLES},
        "topics": [{"category": c.key, "category_name": c.name(language), "topic": t.key, "name": t.name(language)}
                   for c, t in profile.search(request.args.get("q") or "", language)]})


@bp.get("/shops/<int:shop_id>/tickets")
def list_tickets(shop_id):
    shops.membership_for(g.api_user, shop_id)
    status = request.args.get("status")
    if status and status not in domain.LIFECYCLES:
        raise ApiError(_("Some fields have the wrong type."), fields={"status": _("Choose one of the listed options.")})
    cursor = request.args.get("cursor")
    after = None
    if cursor:
        values = decode_cursor(cursor, ("int",))
        if values is None:
            raise ApiError(_("Some fields have the wrong type."), fields={"cursor": _("This value is not valid.")})
        after = values[0]
    filters = queries.Filters(lifecycle=status, topic=request.args.get("topic") or None,
                              query=(request.args.get("q") or "")[:200])
    rows, next_after = queries.list_tickets([shop_id], filters, after)
    return jsonify({"tickets": [dict(ticket_json(t), has_files=has_files) for t, has_files in rows],
                    "counts": queries.overview([shop_id], filters),
                    "next_cursor": encode_cursor([next_after]) if next_after else None})


@bp.post("/threads/<int:thread_id>/escalate")
def escalate(thread_id):
    thread, membership = threads.thread_for(g.api_user, thread_id)
    data = json_body(allowed=("topic",))
    try:
        ticket = tickets.escalate(membership.shop, thread, utcnow(), g.api_user, topic_key=text_field(data, "topic"))
    except tickets.DuplicateTicket as duplicate:
        db.session.rollback()
        body = {"error": {"code": duplicate.code, "message": str(duplicate.message)},
                "ticket": ticket_json(duplicate.ticket)}
        return jsonify(body), 409
    db.session.commit()
    return jsonify(ticket_json(ticket, with_history=True)), 201


@bp.get("/tickets/<int:ticket_id>")
def get_ticket(ticket_id):
    ticket, _membership = tickets.ticket_for(g.api_user, ticket_id)
    return jsonify(ticket_json(ticket, with_history=True))


def _act(ticket_id, allowed, action, required=()):
    ticket, _membership = tickets.ticket_for(g.api_user, ticket_id)
    data = json_body(allowed=allowed, required=required)
    action(ticket, data, utcnow())
    db.session.commit()
    return jsonify(ticket_json(ticket, with_history=True))


@bp.post("/tickets/<int:ticket_id>/file")
def file_ticket(ticket_id):
    return _act(ticket_id, ("platform_ref",), lambda t, d, now: tickets.file(
        t, g.api_user, now, text_field(d, "platform_ref")))


@bp.post("/tickets/<int:ticket_id>/support-replies")
def support_reply(ticket_id):
    return _act(ticket_id, ("body", "status"), lambda t, d, now: tickets.record_support_reply(
        t, text_field(d, "body"), text_field(d, "status"), now, g.api_user, source="api"))


@bp.post("/tickets/<int:ticket_id>/details")
def add_details(ticket_id):
    return _act(ticket_id, ("body",), lambda t, d, now: tickets.add_details(t, text_field(d, "body"), g.api_user, now),
                required=("body",))


@bp.post("/tickets/<int:ticket_id>/rating")
def rate(ticket_id):
    def action(ticket, data, now):
        rating = data.get("rating")
        if type(rating) is not int:
            raise ApiError(_("Some fields have the wrong type."),
                           fields={"rating": _("Give a rating from 1 to 5 stars.")})
        tickets.rate(ticket, rating, text_field(data, "comment"), g.api_user, now)
    return _act(ticket_id, ("rating", "comment"), action, required=("rating",))


@bp.post("/tickets/<int:ticket_id>/cancel")
def cancel(ticket_id):
    return _act(ticket_id, (), lambda t, d, now: tickets.cancel(t, g.api_user, now))


@bp.post("/shops/<int:shop_id>/support-mail")
def support_mail(shop_id):
    """A mail from the platform's support, forwarded by the shop's mail bridge: threaded onto its ticket."""
    shops.membership_for(g.api_user, shop_id)
    data = json_body(allowed=("subject", "body", "in_reply_to", "message_id", "status"), required=("body",))
    ticket, event = mail.receive_support_mail(shop_id, text_field(data, "subject"), text_field(data, "body"),
                                              text_field(data, "in_reply_to"), text_field(data, "message_id"),
                                              text_field(data, "status"), now=utcnow())
    if ticket is None:
        raise ApiError(_("No ticket of this shop matches this mail (In-Reply-To or [SK-…] in the subject)."),
                       status=404, code="not_found")
    db.session.commit()
    return jsonify(ticket_json(ticket, with_history=True)), 201 if event else 200
