"""Health and readiness for probes, metrics for Prometheus, and the System page for the instance's administrators."""
from flask import Blueprint, abort, jsonify, render_template
from flask_login import current_user, login_required

from sellerkit.clock import utcnow
from sellerkit.system import metrics, services

bp = Blueprint("system", __name__)


@bp.get("/healthz")
def healthz():
    """The process answers; nothing else is checked (the database may be away)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Ready to serve: database reachable, migrations at head, a live scheduler, no channel failing for long.
    503 otherwise; no login, and nothing in the answer that an outsider could use (no addresses, no errors)."""
    checks = services.readiness(utcnow())
    ready = all(check.ok for check in checks)
    body = {"status": "ready" if ready else "not ready",
            "checks": {check.name: {"ok": check.ok, "detail": check.detail} for check in checks}}
    return jsonify(body), 200 if ready else 503


@bp.get("/metrics")
def prometheus_metrics():
    if not metrics.may_scrape():
        abort(403)
    body, content_type = metrics.exposition()
    return body, 200, {"Content-Type": content_type}


@bp.get("/system")
@login_required
def system_page():
    """Readiness and backups, for the instance's administrators; to anyone else the page does not exist."""
    if not services.is_admin(current_user):
        abort(404)
    now = utcnow()
    return render_template("system/index.html", checks=services.readiness(now), backups=services.latest_backups(),
                           backlog=services.backlog(now))


@bp.app_context_processor
def admin_context():
    # A function, so only the pages that show the link (the settings tabs) pay for the look-up.
    return {"is_instance_admin": lambda: services.is_admin(current_user)}
