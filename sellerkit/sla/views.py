"""The response dashboard: rate, times and breaches over 7, 30 or 90 days, as charts and as CSV."""
import csv
import io

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from sellerkit.clock import utcnow
from sellerkit.shops import services as shops
from sellerkit.shops.labels import platform_label
from sellerkit.sla import services
from sellerkit.sla.stats import chart

bp = Blueprint("response", __name__)


@bp.before_request
@login_required
def require_login():
    return None


def _days():
    days = request.args.get("days", type=int)
    return days if days in services.WINDOWS else 30


@bp.route("/shops/<int:shop_id>/response")
def dashboard(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    days = _days()
    rule, summary, series = services.dashboard(membership.shop, days, utcnow())
    return render_template("sla/dashboard.html", scope=membership.shop.name, days=days, windows=services.WINDOWS,
                           page_args={"shop_id": shop_id}, export_args={"shop_id": shop_id, "days": days},
                           endpoint="response.dashboard", rule=rule, summary=summary, series=series,
                           chart=chart(series, rule.allowed, rule.target_rate))


@bp.route("/response")
def by_platform():
    """One platform's figures across all the user's shops on it (each platform judges by its own rule)."""
    memberships = shops.memberships_of(current_user)
    platforms = sorted({m.shop.platform for m in memberships})
    platform = request.args.get("platform")
    if platform not in platforms:
        platform = platforms[0] if platforms else "other"
    days = _days()
    rule, summary, series = services.platform_dashboard([m.shop for m in memberships], platform, days, utcnow())
    return render_template("sla/dashboard.html", scope=platform_label(platform), days=days,
                           windows=services.WINDOWS, page_args={"platform": platform}, export_args=None,
                           endpoint="response.by_platform", platforms=platforms, platform=platform, rule=rule,
                           summary=summary, series=series, chart=chart(series, rule.allowed, rule.target_rate))


@bp.route("/shops/<int:shop_id>/response/export.csv")
def export(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    days = _days()
    _rule, summary, series = services.dashboard(membership.shop, days, utcnow())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "median_response_hours", "on_time_rate"])
    for day, median, rate in series:
        writer.writerow([day.isoformat(), f"{median.total_seconds() / 3600:.2f}" if median is not None else "",
                         f"{rate:.4f}" if rate is not None else ""])
    writer.writerow([])
    writer.writerow(["total_counted", "on_time", "breaches", "rate", "median_hours", "p90_hours", "needed_for_target"])
    writer.writerow([summary.counted, summary.on_time, summary.breaches,
                     f"{summary.rate:.4f}" if summary.rate is not None else "",
                     f"{summary.median.total_seconds() / 3600:.2f}" if summary.median is not None else "",
                     f"{summary.p90.total_seconds() / 3600:.2f}" if summary.p90 is not None else "",
                     summary.needed_for_target])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="response-shop-{shop_id}-{days}d.csv"'})
