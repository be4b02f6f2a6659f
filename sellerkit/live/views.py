"""The live stream of a member's shops, the notifications badge, and marking notifications read."""
from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from sellerkit.clock import utcnow
from sellerkit.database import is_database_id, is_unreachable
from sellerkit.extensions import db
from sellerkit.i18n import gettext as _
from sellerkit.live import events
from sellerkit.live import services as live
from sellerkit.live.stream import stream
from sellerkit.shops import services as shops

bp = Blueprint("live", __name__)


@bp.before_request
@login_required
def require_login():
    return None


def _shop_ids():
    return [m.shop_id for m in shops.memberships_of(current_user)]


def _resume_after():
    """Where the stream starts: the browser's Last-Event-ID on a reconnect, else the id the page was rendered at
    (`after`), else now."""
    for value in (request.headers.get("Last-Event-ID"), request.args.get("after")):
        if value and value.isdigit() and (int(value) == 0 or is_database_id(int(value))):
            return int(value)
    return events.latest_id(db.session.connection(), _shop_ids())


@bp.route("/events")
def stream_events():
    """Server-sent events of the member's shops' changes; the page asks for the parts that changed."""
    shop_ids, after = _shop_ids(), _resume_after()
    db.session.close()  # the stream reads on connections of its own: no transaction stays open while it runs
    body = stream(current_app.extensions, db.engine, shop_ids, after,
                  current_app.config["LIVE_STREAM_SECONDS"],
                  idle_seconds=current_app.config["LIVE_READER_IDLE_SECONDS"])
    response = Response(body, mimetype="text/event-stream")
    response.headers["X-Accel-Buffering"] = "no"  # nginx passes each event on at once
    return response


@bp.route("/notifications/badge")
def badge():
    """The header's unread count, which the page refreshes when the stream says something changed."""
    return render_template("live/_badge.html", unread=live.unread_notifications(current_user, _shop_ids()))


@bp.route("/notifications/read", methods=["POST"])
def mark_read():
    live.mark_notifications_read(current_user, _shop_ids(), utcnow())
    db.session.commit()
    flash(_("Every notification is marked as read."), "success")
    return redirect(url_for("threads.notifications"))


def header_context():
    """What every page's header may show, read only when the template asks, in one statement: the stream's address
    (after the newest event of the member's shops, so that nothing committed after this page was read is missed),
    the unread notifications, and the conversations needing a reply per shop."""
    if is_unreachable() or not current_user.is_authenticated:
        return {}

    def figures():
        return live.header(current_user, _shop_ids())

    return {"live_url": lambda: url_for("live.stream_events", after=figures().latest_event_id),
            "unread_notifications": lambda: figures().unread_notifications,
            "needs_reply_by_shop": lambda: {shop_id: n for (view, shop_id), n in figures().counts.items()
                                            if view == "needs_reply"}}


def init_app(app):
    app.register_blueprint(bp)
    app.context_processor(header_context)
