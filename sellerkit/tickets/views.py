"""Ticket pages: escalate a dispute, the list with filters and overview, one ticket with its actions."""
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from sellerkit.clock import utcnow
from sellerkit.coupons.domain import day_start
from sellerkit.errors import ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import gettext as _
from sellerkit.shops import services as shops
from sellerkit.shops.context import show_times_of
from sellerkit.shops.labels import platform_label
from sellerkit.threads import services as threads
from sellerkit.tickets import domain, forms, queries, services
from sellerkit.tickets.labels import (
    CLOSED_REASON_LABELS,
    EVENT_LABELS,
    LIFECYCLE_LABELS,
    SOURCE_LABELS,
    profile_language,
)
from sellerkit.tickets.models import TicketEvent

bp = Blueprint("tickets", __name__)
LABELS = {"lifecycles": LIFECYCLE_LABELS, "events": EVENT_LABELS, "sources": SOURCE_LABELS,
          "closed": CLOSED_REASON_LABELS}


@bp.before_request
@login_required
def require_login():
    return None


def topic_choices(profile, query=""):
    """The platform's topics (those matching `query`) in their category's group, alphabetical in the viewer's
    language, with each category's "other requests" last."""
    language = profile_language()
    return [SelectChoice(topic.key, topic.name(language), optgroup=category.name(language))
            for category, topic in profile.search(query, language)]


@bp.route("/threads/<int:thread_id>/escalate", methods=["POST"])
def escalate(thread_id):
    thread, membership = threads.thread_for(current_user, thread_id)
    form = forms.EscalateForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        ticket = services.escalate(membership.shop, thread, utcnow(), current_user, topic_key=form.topic.data or None)
    except services.DuplicateTicket as duplicate:
        db.session.rollback()
        flash(str(duplicate.message), "error")
        return redirect(url_for("tickets.ticket_page", ticket_id=duplicate.ticket.id))
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("threads.thread_page", thread_id=thread_id))
    db.session.commit()
    flash(_("The ticket draft is ready: check it, then file it."), "success")
    return redirect(url_for("tickets.ticket_page", ticket_id=ticket.id))


def _filters(args, memberships):
    zone = ZoneInfo(str(get_timezone()))

    def day(name):
        try:
            return date.fromisoformat(args.get(name, ""))
        except ValueError:
            return None

    start, end = day("from"), day("until")
    lifecycle = args.get("status") if args.get("status") in domain.LIFECYCLES else None
    platforms = {m.shop.platform for m in memberships}
    return queries.Filters(
        lifecycle=lifecycle, topic=(args.get("topic") or "")[:60] or None,
        platform=args.get("platform") if args.get("platform") in platforms else None,
        created_from=day_start(start, zone) if start else None,
        created_until=day_start(end + timedelta(days=1), zone) if end else None,
        query=(args.get("q") or "")[:200])


@bp.route("/tickets")
def listing():
    memberships = shops.memberships_of(current_user)
    shop_ids = [m.shop_id for m in memberships]
    filters = _filters(request.args, memberships)
    after = request.args.get("after", type=int)
    rows, next_after = queries.list_tickets(shop_ids, filters, after)
    profiles = {m.shop.platform: services.profile_of(m.shop.platform) for m in memberships}
    language = profile_language()
    topics = sorted({(p.platform, t.key, t.name(language)) for p in profiles.values()
                     for c in p.categories for t in c.topics}, key=lambda row: row[2].casefold())
    if len(profiles) > 1:
        # Each platform's name is translated once here, not once per topic in the template (hundreds of them).
        names = {platform: str(platform_label(platform)) for platform in profiles}
        topics = [(platform, key, f"{name} ({names[platform]})") for platform, key, name in topics]
    return render_template("tickets/list.html", rows=rows, next_after=next_after, filters=filters,
                           counts=queries.overview(shop_ids, filters), profiles=profiles,
                           # translated once per page: the rows repeat a handful of names fifty times
                           lifecycle_names={code: str(label) for code, label in LIFECYCLE_LABELS.items()},
                           topics=topics, memberships=memberships, args=request.args,
                           language=language, lifecycles=domain.LIFECYCLES)


def _ticket_page(ticket, membership, status=200, **forms_given):
    show_times_of(membership.shop)
    profile = services.profile_of(ticket.platform)
    events = db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                .order_by(TicketEvent.id)).all()
    draft = forms_given.get("draft") or forms.DraftForm(data={
        "topic": ticket.topic_key, "title": ticket.title, "description": ticket.description,
        "files": [f.attachment_id for f in ticket.files if f.included]})
    find = (request.args.get("find") or "").strip()[:100]
    choices = topic_choices(profile, find) if find else []
    if find and not choices:
        flash(_("No topic matches this search."), "error")
    if not choices:
        choices = topic_choices(profile)
    elif not any(choice.value == ticket.topic_key for choice in choices):
        # The draft's own topic stays choosable while the list is narrowed down.
        choices = [c for c in topic_choices(profile) if c.value == ticket.topic_key] + choices
    draft.topic.choices = choices
    draft.files.choices = [SelectChoice(f.attachment_id, f.attachment.filename) for f in ticket.files]
    now = utcnow()
    return render_template(
        "tickets/ticket.html", ticket=ticket, shop=membership.shop, membership=membership, profile=profile, find=find,
        events=events, labels=LABELS, language=profile_language(), draft_form=draft,
        file_form=forms_given.get("file") or forms.FileForm(),
        reply_form=forms_given.get("reply") or forms.SupportReplyForm(),
        details_form=forms_given.get("details") or forms.DetailsForm(),
        rate_form=forms_given.get("rate") or forms.RateForm(),
        blocking=services.filing_check(ticket, now) if ticket.lifecycle == "draft" else [],
        sizes={f.attachment_id: f.size for f in services.file_sizes(ticket)},
        open=ticket.lifecycle in domain.OPEN), status


@bp.route("/tickets/<int:ticket_id>")
def ticket_page(ticket_id):
    ticket, membership = services.ticket_for(current_user, ticket_id)
    return _ticket_page(ticket, membership)


def _act(ticket_id, form_name, form_class, action, done_message):
    """Run one ticket action from its form; a refusal shows the page again with the message, changing nothing."""
    ticket, membership = services.ticket_for(current_user, ticket_id)
    form = form_class()
    if form.validate_on_submit():
        try:
            action(ticket, form, utcnow())
        except ServiceError as error:
            db.session.rollback()
            if error.field is None:
                flash(str(error.message), "error")  # about the ticket, not a field: the form may not be shown now
            else:
                form.apply_error(error)
        else:
            db.session.commit()
            flash(done_message, "success")
            return redirect(url_for("tickets.ticket_page", ticket_id=ticket_id))
    ticket, membership = services.ticket_for(current_user, ticket_id)
    return _ticket_page(ticket, membership, 422, **{form_name: form})


@bp.route("/tickets/<int:ticket_id>/draft", methods=["POST"])
def edit_draft(ticket_id):
    def action(ticket, form, now):
        services.update_draft(ticket, form.title.data, form.description.data, form.topic.data, form.files.data or [],
                              now)
    return _act(ticket_id, "draft", forms.DraftForm, action, _("The draft is saved."))


@bp.route("/tickets/<int:ticket_id>/file", methods=["POST"])
def file(ticket_id):
    def action(ticket, form, now):
        services.file(ticket, current_user, now, form.platform_ref.data)
    return _act(ticket_id, "file", forms.FileForm, action, _("The ticket is filed."))


@bp.route("/tickets/<int:ticket_id>/platform-ref", methods=["POST"])
def platform_ref(ticket_id):
    def action(ticket, form, now):
        services.record_platform_ref(ticket, form.platform_ref.data, now)
    return _act(ticket_id, "file", forms.FileForm, action, _("The platform's ticket number is saved."))


@bp.route("/tickets/<int:ticket_id>/support-reply", methods=["POST"])
def support_reply(ticket_id):
    def action(ticket, form, now):
        services.record_support_reply(ticket, form.body.data, form.status.data, now, current_user)
    return _act(ticket_id, "reply", forms.SupportReplyForm, action, _("Support's answer is recorded."))


@bp.route("/tickets/<int:ticket_id>/details", methods=["POST"])
def details(ticket_id):
    def action(ticket, form, now):
        services.add_details(ticket, form.body.data, current_user, now)
    return _act(ticket_id, "details", forms.DetailsForm, action, _("Your details are added."))


@bp.route("/tickets/<int:ticket_id>/rate", methods=["POST"])
def rate(ticket_id):
    def action(ticket, form, now):
        services.rate(ticket, form.rating.data, form.comment.data, current_user, now)
    return _act(ticket_id, "rate", forms.RateForm, action, _("Thank you: the ticket is complete."))


@bp.route("/tickets/<int:ticket_id>/cancel", methods=["POST"])
def cancel(ticket_id):
    ticket, _membership = services.ticket_for(current_user, ticket_id)
    try:
        services.cancel(ticket, current_user, utcnow())
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The ticket is cancelled."), "success")
    return redirect(url_for("tickets.ticket_page", ticket_id=ticket_id))
