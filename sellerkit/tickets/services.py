"""Ticket actions: escalate a dispute into a draft, edit and file it, record support's answers, details, rating,
cancelling, and the platform's automatic closing. Every change appends a ticket event."""
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from sellerkit.attachments.models import Attachment
from sellerkit.errors import NotFound, ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.shops.models import Membership, Shop
from sellerkit.threads import search as thread_search
from sellerkit.threads import services as threads
from sellerkit.threads.models import Message
from sellerkit.tickets import disputes, domain, pack, profiles, search
from sellerkit.tickets.models import Ticket, TicketEvent, TicketFile

TICKET_NOT_FOUND = _l("This ticket does not exist or is not in your shops.")
PROBLEMS = {
    "required": _l("This field is required."),
    "too_long": _l("This text is too long."),
    "order_required": _l("This platform needs the order: escalate from a conversation about an order."),
    "ended": _l("This ticket is closed; open a new one if the problem is back."),
    "already_filed": _l("This ticket is already filed."),
    "not_filed": _l("File the ticket first."),
    "not_answered": _l("You can rate a ticket once support has answered it."),
    "rating_range": _l("Give a rating from 1 to 5 stars."),
    "unknown_topic": _l("Choose a topic from the list."),
    "unknown_status": _l("Choose one of the listed options."),
}


def all_profiles():
    """The platforms' support profiles: built-in files, replaced or extended by instance/support_profiles/*.toml.
    Read once per process, on first use."""
    cached = current_app.extensions.get("support_profiles")
    if cached is None:
        cached = profiles.load_profiles(Path(current_app.instance_path) / "support_profiles")
        current_app.extensions["support_profiles"] = cached
    return cached


def profile_of(platform):
    return profiles.profile_for(all_profiles(), platform)


def ticket_for(user, ticket_id):
    """A ticket of one of the user's shops, with the membership; NotFound otherwise (also for another shop's)."""
    row = db.session.execute(select(Ticket, Membership).join(Membership, Membership.shop_id == Ticket.shop_id)
                             .where(Ticket.id == ticket_id, Membership.user_id == user.id)).first()
    if row is None:
        raise NotFound(TICKET_NOT_FOUND)
    return row


def tickets_of_thread(thread_id):
    return db.session.scalars(select(Ticket).where(Ticket.thread_id == thread_id).order_by(Ticket.id.desc())).all()


def open_ticket(thread_id, topic_key):
    return db.session.scalar(select(Ticket).where(Ticket.thread_id == thread_id, Ticket.topic_key == topic_key,
                                                  Ticket.lifecycle.in_(domain.OPEN)))


class DuplicateTicket(ServiceError):
    """The problem already has an open ticket; `ticket` is that one, to show instead."""

    def __init__(self, ticket):
        super().__init__(_l("This problem already has an open ticket: %(number)s.", number=ticket.number),
                         code="duplicate_ticket", status=409)
        self.ticket = ticket


def _event(ticket, kind, now, actor=None, body="", before=None, *, source=None, mail_id=None):
    event = TicketEvent(shop_id=ticket.shop_id, ticket_id=ticket.id, kind=kind, from_lifecycle=before,
                        to_lifecycle=ticket.lifecycle if before is not None else None, body=body, source=source,
                        mail_id=mail_id, actor_id=actor.id if actor else None, created_at=now)
    db.session.add(event)
    return event


def _move(ticket, lifecycle, now):
    before = ticket.lifecycle
    ticket.lifecycle, ticket.updated_at = lifecycle, now
    if lifecycle != before:
        ticket.lifecycle_changed_at = now
    return before


def _check(ticket, move, rating=None):
    problem = domain.move_problem(ticket.lifecycle, move, rating)
    if problem:
        raise ServiceError(PROBLEMS[problem], field="rating" if problem == "rating_range" else None, code=problem)


def _index(ticket):
    search.index_ticket(ticket.id, ticket.shop_id, f"{ticket.title}\n{ticket.description}")


def _index_numbers(ticket):
    """Its conversation is found by the ticket's numbers, ours and the platform's."""
    if ticket.thread_id:
        thread_search.index_threads([ticket.thread_id])


def escalate(shop, thread, now, actor=None, topic_key=None, automatic=False):
    """A draft ticket for the shop's platform from a dispute: the pack of facts, transcript, policies and files.

    The topic is the one given, else the one the buyer's words suggest, else the first category's "other"
    topic. A problem (thread and topic) with an open ticket raises DuplicateTicket with that ticket.
    """
    profile = profile_of(shop.platform)
    buyer_messages = db.session.execute(select(Message.body, Message.language).where(
        Message.thread_id == thread.id, Message.direction == "in").order_by(Message.id)).all()
    suggested = disputes.suggested_topic(shop, profile, buyer_messages)
    topic_key = topic_key or suggested
    found = profile.topic(topic_key) if topic_key else None
    if found is None:
        if topic_key and not automatic and topic_key != suggested:
            raise ServiceError(PROBLEMS["unknown_topic"], field="topic", code="unknown_topic")
        category = profile.categories[0]
        found = (category, category.topics[-1])
    category, topic = found
    existing = open_ticket(thread.id, topic.key)
    if existing is not None:
        raise DuplicateTicket(existing)
    written = pack.write(shop, thread, profile, category, topic, now)
    ticket = Ticket(shop_id=shop.id, thread_id=thread.id, order_id=thread.order_id, buyer_id=thread.buyer_id,
                    platform=shop.platform, category_key=category.key, topic_key=topic.key, title=written.title,
                    description=written.description, transcript=written.transcript,
                    policy_versions=written.policy_versions, lifecycle="draft", lifecycle_changed_at=now,
                    is_automatic=automatic, created_by_id=actor.id if actor else None, created_at=now, updated_at=now)
    ticket.files = [TicketFile(attachment_id=a.id, included=True) for a in written.attachments]
    try:
        with db.session.begin_nested():
            db.session.add(ticket)
            db.session.flush()
    except IntegrityError:
        raise DuplicateTicket(open_ticket(thread.id, topic.key)) from None  # a colleague escalated it a moment ago
    _event(ticket, "created", now, actor, before="draft")
    threads.record_event(thread, actor, "ticket_created", now, ticket_id=ticket.id)
    _index(ticket)
    _index_numbers(ticket)
    return ticket


def update_draft(ticket, title, description, topic_key, included_ids, now):
    """The seller's corrections to a draft: text, topic, and which conversation files go to support."""
    if ticket.lifecycle != "draft":
        raise ServiceError(PROBLEMS["already_filed"], code="already_filed")
    found = profile_of(ticket.platform).topic(topic_key)
    if found is None:
        raise ServiceError(PROBLEMS["unknown_topic"], field="topic", code="unknown_topic")
    for field, value, limit in (("title", title, domain.MAX_TITLE), ("description", description, domain.MAX_TEXT)):
        if len((value or "").strip()) > limit:
            raise ServiceError(PROBLEMS["too_long"], field=field)
    if found[1].key != ticket.topic_key:
        existing = open_ticket(ticket.thread_id, found[1].key) if ticket.thread_id else None
        if existing is not None:
            raise DuplicateTicket(existing)
    ticket.category_key, ticket.topic_key = found[0].key, found[1].key
    ticket.title, ticket.description = (title or "").strip(), (description or "").strip()
    for file in ticket.files:
        file.included = file.attachment_id in set(included_ids)
    ticket.updated_at = now
    _index(ticket)
    db.session.flush()


def file_sizes(ticket):
    sizes = dict(db.session.execute(select(Attachment.id, Attachment.size).where(
        Attachment.id.in_([f.attachment_id for f in ticket.files]))).all())
    return [domain.FileInfo(f.attachment_id, sizes.get(f.attachment_id, 0), f.included) for f in ticket.files]


def filing_check(ticket, now):
    """What stops the draft from being filed now, as translated messages (empty when it can be filed)."""
    profile = profile_of(ticket.platform)
    messages = []
    problem = domain.filing_problem(ticket.title, ticket.description, ticket.order_id is not None,
                                    profile.required_fields)
    if problem:
        messages.append((problem[0], PROBLEMS[problem[1]]))
    for code, detail, limit in domain.file_problems(file_sizes(ticket), profile.limits):
        messages.append(("files", {
            "too_many": _l("%(platform)s takes at most %(max)s files; you chose %(count)s. Drop some.",
                           platform=profile.name, max=limit, count=detail),
            "too_large": _l("Some files are larger than %(platform)s accepts (%(max)s MB each). Drop them.",
                            platform=profile.name, max=limit // (1024 * 1024)),
            "total_too_large": _l("All files together may be at most %(max)s MB. Drop some.",
                                  max=limit // (1024 * 1024)),
        }[code]))
    allowed_at = domain.next_allowed_at(_last_filed_on_topic(ticket), profile.same_topic_interval)
    if allowed_at and allowed_at > now:
        minutes = max(1, int((allowed_at - now).total_seconds() // 60) + 1)
        messages.append(("topic", _l("%(platform)s allows one new ticket on this topic every %(interval)s minutes; "
                                     "try again in %(minutes)s minutes.", platform=profile.name, minutes=minutes,
                                     interval=int(profile.same_topic_interval.total_seconds() // 60))))
    return messages


def _last_filed_on_topic(ticket):
    return db.session.scalar(select(func.max(Ticket.filed_at)).where(
        Ticket.shop_id == ticket.shop_id, Ticket.topic_key == ticket.topic_key, Ticket.id != ticket.id))


def file(ticket, actor, now, platform_ref=None):
    """File the draft: by e-mail to the support address through the outbox when the shop has one, else the seller
    files it on the platform and may record the platform's number. Refused while anything blocks filing."""
    _check(ticket, "file")
    blocking = filing_check(ticket, now)
    if blocking:
        field, message = blocking[0]
        raise ServiceError(message, field=field, code="cannot_file")
    shop = db.session.get(Shop, ticket.shop_id)
    before = _move(ticket, "new", now)
    ticket.filed_at = now
    ticket.platform_ref = (platform_ref or "").strip()[:100] or None
    ticket.channel = "email" if shop.support_email else "manual"
    _index_numbers(ticket)
    event = _event(ticket, "filed", now, actor, before=before)
    if ticket.channel == "email":
        db.session.flush()
        from sellerkit.tickets import mail

        mail.queue_mail(shop, ticket, event, now)
    return ticket


def record_platform_ref(ticket, platform_ref, now):
    ticket.platform_ref = (platform_ref or "").strip()[:100] or None
    ticket.updated_at = now
    _index_numbers(ticket)


def record_support_reply(ticket, body, status, now, actor=None, source="typed", *, mail_id=None):
    """An answer from the platform's support (typed in, e-mailed in, or through the API) and the status it set."""
    body = (body or "").strip()
    if not body and not status:
        raise ServiceError(PROBLEMS["required"], field="body")
    if status and status not in domain.SUPPORT_STATUSES:
        raise ServiceError(PROBLEMS["unknown_status"], field="status")
    if len(body) > domain.MAX_TEXT:
        raise ServiceError(PROBLEMS["too_long"], field="body")
    _check(ticket, "support_reply")
    before = _move(ticket, domain.after_move(ticket.lifecycle, "support_reply", status), now)
    if ticket.lifecycle == "closed":
        ticket.closed_reason = "support"
    return _event(ticket, "support_reply", now, actor, body=body, before=before, source=source, mail_id=mail_id)


def add_details(ticket, body, actor, now):
    """The seller's answer to support's questions: back "in review" when support was waiting for it."""
    body = (body or "").strip()
    if not body:
        raise ServiceError(PROBLEMS["required"], field="body")
    if len(body) > domain.MAX_TEXT:
        raise ServiceError(PROBLEMS["too_long"], field="body")
    _check(ticket, "add_details")
    before = _move(ticket, domain.after_move(ticket.lifecycle, "add_details"), now)
    event = _event(ticket, "details_added", now, actor, body=body, before=before)
    if ticket.channel == "email":
        db.session.flush()
        from sellerkit.tickets import mail

        mail.queue_mail(db.session.get(Shop, ticket.shop_id), ticket, event, now)
    return event


def rate(ticket, rating, comment, actor, now):
    """Rate support's answer 1 to 5 with an optional comment; this completes the ticket."""
    comment = (comment or "").strip()
    if len(comment) > domain.MAX_COMMENT:
        raise ServiceError(PROBLEMS["too_long"], field="comment")
    _check(ticket, "rate", rating)
    ticket.rating, ticket.rating_comment, ticket.closed_reason = rating, comment or None, "rated"
    before = _move(ticket, "closed", now)
    return _event(ticket, "rated", now, actor, body=comment, before=before)


def cancel(ticket, actor, now):
    _check(ticket, "cancel")
    ticket.closed_reason = "cancelled"
    before = _move(ticket, "cancelled", now)
    return _event(ticket, "cancelled", now, actor, before=before)


def close_by_platform_rules(now):
    """The scheduler's sweep: close tickets the platform closes by itself, recording the rule that did it."""
    closed = 0
    afters = [p.auto_close_after for p in all_profiles().values() if p.auto_close_after]
    if not afters:
        return 0
    rows = db.session.scalars(select(Ticket).where(
        Ticket.lifecycle.in_(("new", "in_review", "awaiting_details", "answered", "resolved")),
        Ticket.lifecycle_changed_at <= now - min(afters)).order_by(Ticket.id)).all()
    for ticket in rows:
        profile = profile_of(ticket.platform)
        if domain.auto_close_due(ticket.lifecycle, ticket.lifecycle_changed_at, profile.auto_close_from,
                                 profile.auto_close_after, now):
            ticket.closed_reason = "auto_closed"
            before = _move(ticket, "closed", now)
            _event(ticket, "auto_closed", now, before=before)
            closed += 1
    return closed
