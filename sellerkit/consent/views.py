"""The buyer page (consent and its history, orders, follow-ups), recording consent, imports, and the opt-out link."""
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user, login_required
from sqlalchemy import select

from sellerkit.clock import utcnow
from sellerkit.consent import forms, services
from sellerkit.consent.labels import ACTION_LABELS, SOURCE_LABELS
from sellerkit.coupons.domain import day_start
from sellerkit.errors import NUL_REFUSED, ServiceError
from sellerkit.extensions import csrf, db
from sellerkit.followups.labels import REASON_LABELS, STATUS_LABELS
from sellerkit.followups.models import Campaign, FollowUp
from sellerkit.i18n import buyer_locale
from sellerkit.i18n import gettext as _
from sellerkit.shops import services as shops
from sellerkit.shops.models import Shop
from sellerkit.textguard import has_nul
from sellerkit.threads.models import Order, Thread
from sellerkit.web import run_form

bp = Blueprint("consent", __name__)


def _buyer_page(membership, buyer, form, import_form=None, status=200):
    orders = db.session.scalars(select(Order).where(Order.buyer_id == buyer.id).order_by(Order.id.desc())
                                .limit(50)).all()
    threads = db.session.scalars(select(Thread).where(Thread.buyer_id == buyer.id)
                                 .order_by(Thread.last_message_at.desc()).limit(50)).all()
    follow_ups = db.session.execute(select(FollowUp, Campaign.name).join(Campaign, Campaign.id == FollowUp.campaign_id)
                                    .where(FollowUp.buyer_id == buyer.id).order_by(FollowUp.id.desc()).limit(50)).all()
    return render_template("consent/buyer.html", shop=membership.shop, membership=membership, buyer=buyer,
                           state=services.state_of(buyer), events=services.history(buyer.id), orders=orders,
                           threads=threads, follow_ups=follow_ups, form=form, source_labels=SOURCE_LABELS,
                           action_labels=ACTION_LABELS, reason_labels=REASON_LABELS,
                           status_labels=STATUS_LABELS), status


@bp.route("/shops/<int:shop_id>/buyers/<int:buyer_id>")
@login_required
def buyer(shop_id, buyer_id):
    membership = shops.membership_for(current_user, shop_id)
    return _buyer_page(membership, services.buyer_of(shop_id, buyer_id), forms.ConsentForm())


def _moment(day, shop, now):
    """The moment a consent given on `day` is recorded at: now for today or no date, else that day's start."""
    if day is None or day >= now.astimezone(ZoneInfo(shop.timezone)).date():
        return now
    return day_start(day, ZoneInfo(shop.timezone))


@bp.route("/shops/<int:shop_id>/buyers/<int:buyer_id>/consent", methods=["POST"])
@login_required
def record(shop_id, buyer_id):
    membership = shops.membership_for(current_user, shop_id)
    buyer, now = services.buyer_of(shop_id, buyer_id), utcnow()
    form = forms.ConsentForm()
    done, event = run_form(form, lambda: services.record(
        buyer, form.action.data, form.source.data, form.text.data,
        _moment(form.occurred_on.data, membership.shop, now), now, actor=current_user))
    if not done:
        db.session.rollback()
        return _buyer_page(membership, buyer, form, status=422)
    db.session.commit()
    flash(_("The consent is recorded.") if event else _("Nothing changed: the consent was already withdrawn."),
          "success")
    return redirect(url_for("consent.buyer", shop_id=shop_id, buyer_id=buyer_id))


@bp.route("/shops/<int:shop_id>/consents/import", methods=["POST"])
@login_required
def import_consents(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    shops.require_owner(membership)
    form = forms.ConsentImportForm()
    upload = request.files.get("file")
    report = None
    if form.validate_on_submit():
        try:
            data = upload.read().decode("utf-8-sig") if upload else ""
            if has_nul(data):
                raise ServiceError(NUL_REFUSED, field="file")
            report = services.import_csv(membership.shop, data, utcnow(), current_user)
        except UnicodeDecodeError:
            form.file.errors = [_("The file must be UTF-8 text.")]
        except ServiceError as error:
            form.apply_error(error)
    if report is None:
        db.session.rollback()
        flash(" ".join(str(e) for e in form.file.errors + form.form_errors) or _("Choose a file."), "error")
        return redirect(url_for("followups.index", shop_id=shop_id))
    db.session.commit()
    flash(_("Consents imported: %(recorded)s new, %(unchanged)s already known, %(rejected)s refused.",
            recorded=report.recorded, unchanged=report.unchanged, rejected=len(report.rejected)),
          "success" if not report.rejected else "error")
    for line, reason in report.rejected[:20]:
        flash(_("Line %(line)s: %(reason)s", line=line, reason=reason), "error")
    return redirect(url_for("followups.index", shop_id=shop_id))


@bp.route("/opt-out/<int:shop_id>/<token>", methods=["GET", "POST"])
@csrf.exempt  # the buyer has no session here; the signed token is the proof (and RFC 8058 one-click POSTs)
def opt_out(shop_id, token):
    """A follow-up's opt-out link. Opening it (GET or HEAD, as mail scanners and link previews do) only shows a
    button; its POST, or a mail client's one-click POST (List-Unsubscribe-Post), withdraws the buyer's consent."""
    shop = db.session.get(Shop, shop_id)
    try:
        if request.method == "POST":
            buyer = services.opt_out(shop_id, token, utcnow())
        else:
            buyer = services.buyer_for_token(shop_id, token)
    except ServiceError as error:
        db.session.rollback()
        return render_template("consent/opt_out.html", shop=None, error=error.message, locale=None), 400
    db.session.commit()
    locale = buyer_locale(buyer.language or shop.default_language)
    with force_locale(locale):
        return render_template("consent/opt_out.html", shop=shop, error=None, locale=locale, token=token,
                               is_done=request.method == "POST")
