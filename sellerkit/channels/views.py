"""Channel pages: a shop's channels with their status, connecting one, its settings and actions, OAuth sign-in."""
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from sellerkit.channels import domain, forms, services
from sellerkit.channels.kinds import ChannelError, all_kinds, kind_named
from sellerkit.channels.labels import error_message, state_label, step_label
from sellerkit.channels.models import Channel
from sellerkit.clock import utcnow
from sellerkit.extensions import db
from sellerkit.i18n import format_when
from sellerkit.i18n import gettext as _
from sellerkit.links import can_build_links, public_link
from sellerkit.shops import services as shops
from sellerkit.shops.context import load_shop_from_url, show_times_of
from sellerkit.threads.models import Message
from sellerkit.web import form_page, run_form

bp = Blueprint("channels", __name__)
bp.url_value_preprocessor(load_shop_from_url)
OAUTH_SALT = "sellerkit.channel-oauth"
#: How long a seller may take at the platform's consent page.
OAUTH_MAX_AGE = 900


@bp.before_request
@login_required
def require_login():
    return None


@bp.app_template_global("channel_notes")
def channel_notes(thread):
    """What the thread page says of the channel a conversation came through: the platform's reply rule ("Ozon
    accepts a reply until ...") and, where the platform takes no reply from sellerkit, where to answer by hand; as
    (text, link or None) pairs."""
    if thread.channel_id is None:
        return []
    channel = db.session.get(Channel, thread.channel_id)
    kind = kind_named(channel.kind) if channel is not None else None
    if kind is None:
        return []
    notes = []
    manual = kind.manual_reply_url(thread)
    if manual:
        notes.append((_("This conversation cannot be answered from here: answer it on the marketplace's site."),
                      manual))
    last_buyer = db.session.scalar(select(func.max(Message.posted_at))
                                   .where(Message.thread_id == thread.id, Message.direction == "in"))
    notice = kind.reply_notice(thread, last_buyer, utcnow(), format_when)
    if notice:
        notes.append((notice, None))
    return notes


@bp.app_template_filter("channel_state")
def channel_state_filter(channel):
    return state_label(domain.state_of(channel))


@bp.app_template_filter("channel_state_code")
def channel_state_code_filter(channel):
    return domain.state_of(channel)


@bp.app_template_filter("fetched_today")
def fetched_today_filter(channel):
    return domain.fetched_today(channel.fetched_today, channel.fetched_day, utcnow())


@bp.app_template_filter("channel_error")
def channel_error_filter(channel):
    return error_message(channel.last_error_code, kind_named(channel.kind))


@bp.app_template_filter("check_step")
def check_step_filter(step):
    return step_label(step)


def _load(channel_id):
    """The channel and the user's membership of its shop (404 for another's), shown in that shop's menu and time."""
    membership, channel = services.channel_for(current_user, channel_id)
    g.membership, g.shop = membership, membership.shop
    show_times_of(membership.shop)
    return membership, channel


@bp.route("/shops/<int:shop_id>/channels")
def index(shop_id):
    return render_template("channels/index.html", channels=services.channels_of(g.shop), kinds=all_kinds())


@bp.route("/shops/<int:shop_id>/channels/new", methods=["GET", "POST"])
def new(shop_id):
    shops.require_owner(g.membership)
    kind = kind_named(request.args.get("kind", ""))
    if kind is None:
        return render_template("channels/choose.html", kinds=all_kinds())
    preset = kind.presets.get(request.args.get("preset", ""))
    form = forms.channel_form(kind, data=dict(preset[1]) if preset else _defaults(kind))
    checks = None
    now = utcnow()
    if form.is_submitted() and form.test.data:
        done, checks = run_form(form, lambda: services.test_connection(
            g.membership, now, kind=kind.name, values=forms.submitted_values(form, kind)))
        return _tested("channels/new.html", done, form, kind=kind, checks=checks)
    done, channel = run_form(form, lambda: services.create_channel(
        g.membership, now, kind=kind.name, name=form.name.data, values=forms.submitted_values(form, kind)))
    if not done:
        return form_page("channels/new.html", form, kind=kind, checks=checks)
    db.session.commit()
    flash(_("The channel is connected; its first messages arrive within a minute."), "success")
    if kind.oauth:
        return redirect(url_for("channels.authorize", channel_id=channel.id))
    return redirect(url_for("channels.detail", channel_id=channel.id))


def _tested(template, done, form, **context):
    """A connection test ran (200, whatever it found) or its settings were refused (422); nothing is saved."""
    db.session.rollback()
    if done:
        return render_template(template, form=form, **context)
    return form_page(template, form, **context)


def _defaults(kind):
    return {field.name: field.default for field in kind.fields if field.default is not None and not field.secret}


@bp.route("/channels/<int:channel_id>", methods=["GET", "POST"])
def detail(channel_id):
    membership, channel = _load(channel_id)
    kind = kind_named(channel.kind)
    if kind is None:
        return render_template("channels/detail.html", channel=channel, kind=None, form=None, checks=None)
    if request.method == "POST":
        shops.require_owner(membership)
    form = forms.channel_form(kind, editing=True, data={"name": channel.name, **(channel.settings or {})})
    now = utcnow()
    if form.is_submitted() and form.test.data:
        done, checks = run_form(form, lambda: services.test_connection(
            membership, now, kind=kind.name, values=forms.submitted_values(form, kind), channel=channel))
        return _tested("channels/detail.html", done, form, channel=channel, kind=kind, checks=checks)
    done, _result = run_form(form, lambda: services.update_channel(
        membership, channel, now, name=form.name.data, values=forms.submitted_values(form, kind)))
    if not done:
        return form_page("channels/detail.html", form, channel=channel, kind=kind, checks=None)
    db.session.commit()
    flash(_("The channel settings are saved."), "success")
    return redirect(url_for("channels.detail", channel_id=channel.id))


def _action(channel_id, act, message):
    membership, channel = _load(channel_id)
    act(membership, channel, utcnow())
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("channels.detail", channel_id=channel.id))


@bp.route("/channels/<int:channel_id>/pause", methods=["POST"])
def pause(channel_id):
    return _action(channel_id, services.pause, _("The channel is paused: nothing is fetched until you resume it."))


@bp.route("/channels/<int:channel_id>/resume", methods=["POST"])
def resume(channel_id):
    return _action(channel_id, services.resume, _("The channel is fetching again."))


@bp.route("/channels/<int:channel_id>/fetch", methods=["POST"])
def fetch(channel_id):
    return _action(channel_id, services.fetch_now, _("New messages are fetched within a minute."))


@bp.route("/channels/<int:channel_id>/test", methods=["POST"])
def test(channel_id):
    membership, channel = _load(channel_id)
    kind = kind_named(channel.kind)
    if kind is None:
        abort(404)
    checks = services.test_connection(membership, utcnow(), kind=kind.name, values={}, channel=channel)
    form = forms.channel_form(kind, editing=True, data={"name": channel.name, **(channel.settings or {})})
    return render_template("channels/detail.html", form=form, channel=channel, kind=kind, checks=checks)


@bp.route("/channels/<int:channel_id>/delete", methods=["POST"])
def delete(channel_id):
    membership, channel = _load(channel_id)
    shop_id = channel.shop_id
    services.delete_channel(membership, channel)
    db.session.commit()
    flash(_("The channel is removed; its conversations stay in the inbox."), "success")
    return redirect(url_for("channels.index", shop_id=shop_id))


def _redirect_uri():
    if can_build_links():
        return public_link("channels.oauth_callback")
    return url_for("channels.oauth_callback", _external=True)


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=OAUTH_SALT)


@bp.route("/channels/<int:channel_id>/authorize")
def authorize(channel_id):
    """Send the owner to the platform to grant access; the signed state brings them back to this channel only."""
    membership, channel = _load(channel_id)
    shops.require_owner(membership)
    kind = kind_named(channel.kind)
    if kind is None or not kind.oauth:
        abort(404)
    state = _serializer().dumps({"channel": channel.id, "user": current_user.id})
    return redirect(kind.authorize_url(channel.settings or {}, state, _redirect_uri()))


@bp.route("/channels/oauth/callback")
def oauth_callback():
    """The platform sends the owner back with a code: it becomes tokens, stored encrypted with the channel."""
    try:
        state = _serializer().loads(request.args.get("state", ""), max_age=OAUTH_MAX_AGE)
    except BadSignature:
        return render_template("channels/oauth_failed.html"), 400
    if not isinstance(state, dict) or state.get("user") != current_user.id or not isinstance(state.get("channel"), int):
        return render_template("channels/oauth_failed.html"), 400
    membership, channel = _load(state.get("channel"))
    code = request.args.get("code")
    if not code:
        return render_template("channels/oauth_failed.html"), 400
    try:
        services.save_authorization(membership, channel, code, _redirect_uri(), utcnow())
    except ChannelError as error:
        db.session.rollback()
        flash(error_message(error.code), "error")
        return redirect(url_for("channels.detail", channel_id=channel.id))
    db.session.commit()
    flash(_("Access is granted: the channel can fetch and send."), "success")
    return redirect(url_for("channels.detail", channel_id=channel.id))
