"""Conversation pages: the inbox across the user's shops, one thread, and the actions on it."""
import re
import secrets
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from sellerkit import inbox
from sellerkit.attachments import services as attachments
from sellerkit.attachments.domain import is_inline_safe
from sellerkit.clock import utcnow
from sellerkit.collation import alphabetical
from sellerkit.database import write_after_reading
from sellerkit.extensions import db
from sellerkit.i18n import gettext as _
from sellerkit.i18n import locale_display_name
from sellerkit.live import services as live
from sellerkit.policies import services as policies
from sellerkit.policies.rendering import SECTION_TITLES
from sellerkit.shops import services as shops
from sellerkit.shops.context import CURRENT_SHOP_KEY, show_times_of
from sellerkit.shops.domain import BUYER_LANGUAGES, PLATFORMS
from sellerkit.shops.labels import platform_label
from sellerkit.sla import services as sla
from sellerkit.suggestions import composer
from sellerkit.threads import domain, forms, queries
from sellerkit.threads import services as threads
from sellerkit.threads.labels import status_label, view_label
from sellerkit.tickets import services as tickets
from sellerkit.tickets.forms import EscalateForm
from sellerkit.tickets.labels import LIFECYCLE_LABELS
from sellerkit.tickets.views import topic_choices
from sellerkit.web import form_page, run_form

bp = Blueprint("threads", __name__)
#: Labels are typed as a list: the comma of each UI language separates them (Chinese ，、 and Persian ، too).
LABEL_SEPARATORS = re.compile("[,，、،]")


@bp.before_request
@login_required
def require_login():
    return None


def _filters(memberships):
    shop_ids = {m.shop_id for m in memberships}
    shop_id = request.args.get("shop", type=int)
    assignee = request.args.get("assignee")
    return queries.InboxFilters(
        shop_id=shop_id if shop_id in shop_ids else None,
        platform=request.args.get("platform") if request.args.get("platform") in PLATFORMS else None,
        language=request.args.get("language") if request.args.get("language") in BUYER_LANGUAGES else None,
        label=(request.args.get("label") or "").strip()[:40] or None,
        assignee_id=current_user.id if assignee == "me" else None,
        query=(request.args.get("q") or "").strip()[:200],
    )


def _link_shop(memberships, shop_id=None):
    """The shop that "Paste a conversation" and "Connect a channel" lead to from a list across shops: the one
    filtered on, else the one the user works in now, else the first; None without shops."""
    shops_by_id = {m.shop_id: m.shop for m in memberships}
    return shops_by_id.get(shop_id) or shops_by_id.get(session.get(CURRENT_SHOP_KEY)) \
        or (memberships[0].shop if memberships else None)


@bp.route("/inbox")
def inbox_page():
    memberships = shops.memberships_of(current_user)
    if not memberships:
        return redirect(url_for("shops.create"))
    view = request.args.get("view", "needs_reply")
    if view not in domain.VIEWS:
        abort(404)
    filters = _filters(memberships)
    page = queries.list_threads([m.shop_id for m in memberships], view, filters, request.args.get("cursor"))
    shops_by_id = {m.shop_id: m.shop for m in memberships}
    unread = live.unread_ids(current_user, [thread.id for thread in page.threads])
    args = {k: v for k, v in request.args.items() if k != "cursor"}
    if request.headers.get("HX-Request"):  # the live stream said something changed: the rows again, nothing else
        return render_template("threads/_rows.html", page=page, shops_by_id=shops_by_id, unread=unread,
                               now=utcnow(), view=view, filters=filters, args=args,
                               link_shop=_link_shop(memberships, filters.shop_id))
    counted = live.header(current_user, list(shops_by_id)).counts  # the header's, read once for the page
    return render_template(
        "threads/inbox.html", link_shop=_link_shop(memberships, filters.shop_id), view=view,
        views=[(v, view_label(v)) for v in domain.VIEWS], filters=filters,
        page=page, shops_by_id=shops_by_id, unread=unread,
        view_counts={v: sum(n for (counted_view, shop_id), n in counted.items()
                            if counted_view == v and filters.shop_id in (None, shop_id)) for v in live.COUNTED_VIEWS},
        platforms=[(p, platform_label(p)) for p in PLATFORMS if any(s.platform == p for s in shops_by_id.values())],
        languages=[(code, locale_display_name(code)) for code in BUYER_LANGUAGES], now=utcnow(),
        undelivered=inbox.undelivered_replies(list(shops_by_id)), args=args)


def language_choices():
    return [SelectChoice(code, locale_display_name(code)) for code in BUYER_LANGUAGES]


def _settings_form(thread, membership):
    """The thread's settings as form values; a submission that sends only some fields keeps the others."""
    current = {"status": thread.status, "is_dispute": "yes" if thread.is_dispute else "no",
               "assignee_id": str(thread.assignee_id) if thread.assignee_id else "",
               "labels": ", ".join(alphabetical(label.label for label in thread.labels)),
               "language": thread.language or membership.shop.default_language}
    form = forms.ThreadSettingsForm(data=current)
    form.status.choices = [SelectChoice(s, status_label(s)) for s in domain.STATUSES]
    form.assignee_id.choices = [SelectChoice("", _("Nobody"))] + [
        SelectChoice(str(m.user_id), m.user.name) for m in shops.members_of(membership)]
    form.language.choices = language_choices()
    return form


def _render_thread(thread, membership, reply_form=None, note_form=None, pasted_form=None, status=200):
    show_times_of(membership.shop)
    messages, outbox = queries.thread_messages(thread)
    events = queries.thread_events(thread)
    _answered, suggested = composer.suggested(membership, thread, current_user, utcnow(), messages)
    if reply_form is None:
        reply_form = forms.ReplyForm(formdata=None)
        # Without JavaScript a suggestion is a link back here that starts the reply with it.
        chosen = next((item for item in suggested if str(item.id) == request.args.get("use")), None)
        if chosen is not None:
            reply_form.body.data, reply_form.saved_reply_ids.data = chosen.text, str(chosen.id)
    reply_form.suggested_reply_ids.data = ",".join(str(item.id) for item in suggested)
    g.shown_message_id = max((message.id for message in messages), default=None)
    return render_template(
        "threads/thread.html", thread=thread, shop=membership.shop, membership=membership, messages=messages,
        clock=thread.open_clock, now=utcnow(),
        policy_titles=SECTION_TITLES,
        order_policies=policies.versions_for_order(thread.shop_id, thread.order.placed_at) if thread.order else {},
        outbox=outbox, events=events, settings_form=_settings_form(thread, membership),
        reply_form=reply_form, suggested_replies=suggested,
        note_form=note_form or forms.NoteForm(formdata=None, prefix="note"),
        pasted_form=pasted_form or forms.PastedMessageForm(formdata=None, prefix="pasted"),
        **_ticket_context(thread, membership.shop, events)), status


def _ticket_context(thread, shop, events):
    """The conversation's support tickets, and the escalate form with the platform's topics."""
    form = EscalateForm(formdata=None)
    if thread.is_dispute:  # only a dispute shows the escalate form and its long list of topics
        form.topic.choices = [SelectChoice("", _("Suggested from the buyer's words"))] + \
            topic_choices(tickets.profile_of(shop.platform))
    # Escalating records an event on the thread, so a thread without one has no tickets to look up.
    escalated = any(event.kind == "ticket_created" for event in events)
    return {"thread_tickets": tickets.tickets_of_thread(thread.id) if escalated else [], "escalate_form": form,
            "ticket_lifecycles": LIFECYCLE_LABELS}


@bp.route("/threads/<int:thread_id>")
def thread_page(thread_id):
    thread, membership = threads.thread_for(current_user, thread_id)
    g.live_thread_id = thread_id  # the header reads how far the member had read it
    page, status = _render_thread(thread, membership)
    _mark_seen(thread_id, g.get("shown_message_id"))
    return page, status


@bp.route("/threads/<int:thread_id>/messages")
def thread_messages(thread_id):
    """The conversation's messages, which an open page loads again when the live stream says it changed."""
    thread, membership = threads.thread_for(current_user, thread_id)
    show_times_of(membership.shop)
    messages, outbox = queries.thread_messages(thread)
    page = render_template("threads/_messages.html", thread=thread, messages=messages, outbox=outbox)
    _mark_seen(thread_id, max((message.id for message in messages), default=None))
    return page


def _mark_seen(thread_id, last_message_id):
    """The member has now seen the conversation up to the newest message the page showed: its own transaction,
    after the page's reading one, so that the page's reads never wait for the write lock."""
    if last_message_id is None:
        return
    shown = g.get("live_header")
    if shown is not None and (shown[1].read_up_to or 0) >= last_message_id:
        return  # seen already: nothing to write
    user = current_user.id  # the commit expires the loaded user: reading it again would cost a query
    db.session.commit()
    write_after_reading()
    live.mark_read(user, thread_id, last_message_id, utcnow())
    db.session.commit()


@bp.route("/threads/<int:thread_id>/saved-replies")
def saved_replies(thread_id):
    """The composer's saved replies filled in for this conversation, as list items the page loads when the
    seller opens the picker or starts writing: most visits of a conversation never insert one."""
    thread, membership = threads.thread_for(current_user, thread_id)
    return render_template("threads/_picker.html",
                           saved_replies=composer.picker(membership, thread, current_user, utcnow()),
                           shop_id=thread.shop_id)


@bp.route("/threads/<int:thread_id>/reply", methods=["POST"])
def reply(thread_id):
    thread, membership = threads.thread_for(current_user, thread_id)
    form = forms.ReplyForm()
    files = [(f.filename or "", f.stream) for f in request.files.getlist("attachments") if f.filename]
    used, shown = ([part for part in (field.data or "").split(",") if part.strip()]
                   for field in (form.saved_reply_ids, form.suggested_reply_ids))
    done, _message = run_form(form, lambda: inbox.send_reply(membership.shop, thread, current_user, form.body.data,
                                                              utcnow(), files=files, saved_reply_ids=used,
                                                              suggested_reply_ids=shown))
    if not done:
        db.session.rollback()
        return _render_thread(thread, membership, reply_form=form, status=422)
    # Read before the commit, which expires every loaded object: after it the shop would be read again, in a
    # transaction of its own (on SQLite one that takes the write lock, since this is a POST).
    sent_by_hand = membership.shop.reply_transport == "manual"
    db.session.commit()
    flash(_("Your reply is saved. Copy it to the platform, then mark it as sent.") if sent_by_hand
          else _("Your reply is saved and on its way."), "success")
    return redirect(url_for("threads.thread_page", thread_id=thread_id, _anchor="composer"))


@bp.route("/threads/<int:thread_id>/note", methods=["POST"])
def note(thread_id):
    thread, membership = threads.thread_for(current_user, thread_id)
    form = forms.NoteForm(prefix="note")
    done, _message = run_form(form, lambda: threads.add_note(thread, current_user, form.body.data, utcnow()))
    if not done:
        return _render_thread(thread, membership, note_form=form, status=422)
    db.session.commit()
    return redirect(url_for("threads.thread_page", thread_id=thread_id))


@bp.route("/threads/<int:thread_id>/pasted", methods=["POST"])
def pasted(thread_id):
    """A buyer message copied by hand from a platform without an API: it enters like any other."""
    thread, membership = threads.thread_for(current_user, thread_id)
    form = forms.PastedMessageForm(prefix="pasted")
    shop = membership.shop

    def receive():
        written = form.received_at.data
        received_at = written.replace(tzinfo=ZoneInfo(shop.timezone)) if written else utcnow()
        return inbox.receive_buyer_message(shop, domain.Inbound(
            external_id=None, body=form.body.data, received_at=received_at, thread_id=thread.id), utcnow())

    done, _received = run_form(form, receive)
    if not done:
        return _render_thread(thread, membership, pasted_form=form, status=422)
    db.session.commit()
    flash(_("The buyer's message is added to the conversation."), "success")
    return redirect(url_for("threads.thread_page", thread_id=thread_id))


@bp.route("/shops/<int:shop_id>/threads/new", methods=["GET", "POST"])
def new_thread(shop_id):
    """Start a conversation by hand, for a platform that has no API: the message enters like any other."""
    shop = shops.membership_for(current_user, shop_id).shop
    form = forms.NewThreadForm()
    form.language.choices = language_choices()
    if not form.is_submitted():
        form.language.data = shop.default_language
    done, received = run_form(form, lambda: inbox.receive_buyer_message(shop, domain.Inbound(
        external_id=None, body=form.body.data, received_at=utcnow(), buyer_external_id=form.buyer_id.data or None,
        buyer_name=form.buyer_name.data, buyer_language=form.language.data, subject=form.subject.data or "",
        order_reference=form.order_reference.data or None,
        # Without a buyer id the conversation is its own: a fresh thread id keeps it apart from others.
        thread_external_id=None if form.buyer_id.data else f"manual-{secrets.token_hex(8)}"), utcnow()))
    if not done:
        return form_page("threads/new.html", form, shop=shop)
    db.session.commit()
    return redirect(url_for("threads.thread_page", thread_id=received.thread.id))


@bp.route("/threads/<int:thread_id>/settings", methods=["POST"])
def update(thread_id):
    """Status, dispute, assignee, labels and language; only the fields sent are changed (the quick buttons send one)."""
    thread, membership = threads.thread_for(current_user, thread_id)
    form = _settings_form(thread, membership)
    sent = set(request.form)
    if not form.validate():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("threads.thread_page", thread_id=thread_id))
    assignee = form.assignee_id.data
    threads.update_thread(
        thread, current_user, utcnow(),
        status=form.status.data if "status" in sent else None,
        is_dispute=form.is_dispute.data == "yes" if "is_dispute" in sent else None,
        labels=[part for part in LABEL_SEPARATORS.split(form.labels.data) if part.strip()]
        if "labels" in sent else None,
        assignee_id=int(assignee) if assignee else None, set_assignee="assignee_id" in sent,
        language=form.language.data if "language" in sent else None)
    db.session.commit()
    flash(_("The conversation is updated."), "success")
    return redirect(url_for("threads.thread_page", thread_id=thread_id))


@bp.route("/threads/<int:thread_id>/no-reply-needed", methods=["POST"])
def no_reply_needed(thread_id):
    """A thanks or spam: the thread stops waiting and its clock leaves the response statistics."""
    thread, _membership = threads.thread_for(current_user, thread_id)
    sla.mark_no_reply_needed(thread, current_user, utcnow())
    db.session.commit()
    flash(_("Marked as needing no reply."), "success")
    return redirect(url_for("threads.thread_page", thread_id=thread_id))


@bp.route("/threads/<int:thread_id>/messages/<int:message_id>/complaint", methods=["POST"])
def mark_complaint(thread_id, message_id):
    return _set_complaint(thread_id, message_id, True, _("Marked as a complaint: no follow-ups go to this buyer."))


@bp.route("/threads/<int:thread_id>/messages/<int:message_id>/not-complaint", methods=["POST"])
def unmark_complaint(thread_id, message_id):
    return _set_complaint(thread_id, message_id, False, _("No longer marked as a complaint."))


def _set_complaint(thread_id, message_id, is_complaint, done):
    thread, _membership = threads.thread_for(current_user, thread_id)
    threads.set_complaint(thread, current_user, message_id, is_complaint, utcnow())
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("threads.thread_page", thread_id=thread_id) + f"#message-{message_id}")


@bp.route("/notifications")
def notifications():
    memberships = shops.memberships_of(current_user)
    return render_template("threads/notifications.html", link_shop=_link_shop(memberships),
                           notifications=live.notifications_for(current_user, [m.shop_id for m in memberships]))


@bp.route("/attachments/<int:attachment_id>")
def attachment(attachment_id):
    """Members download attachments; raster images may show inline, everything else is a download."""
    found = attachments.attachment_for(current_user, attachment_id)
    inline = is_inline_safe(found.content_type) and request.args.get("download") is None
    response = send_file(attachments.open_attachment(found), mimetype=found.content_type, as_attachment=not inline,
                         download_name=found.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
