"""The vacation page: past, current and planned vacations, the planner's warning, planning and ending early."""
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required

from sellerkit.autoreply import domain, forms, services
from sellerkit.clock import utcnow
from sellerkit.extensions import db
from sellerkit.forms import form_languages, with_language_texts
from sellerkit.i18n import gettext as _
from sellerkit.shops import services as shops
from sellerkit.web import form_page, run_form

bp = Blueprint("vacations", __name__)


@bp.before_request
@login_required
def require_login():
    return None


def _away_form(shop, formdata=None):
    bodies = services.away_bodies(shop.id)
    return with_language_texts(forms.AwayForm, form_languages(shop.default_language), "away", forms.MAX_MESSAGE,
                               formdata=formdata, data={"enabled": shop.away_replies_enabled,
                                                        **{f"away_{lang}": body for lang, body in bodies.items()}})


def _vacation_form(shop):
    return with_language_texts(forms.VacationForm, form_languages(shop.default_language), "body", forms.MAX_MESSAGE)


def _page(membership, form, away, status):
    shop, now, zone = membership.shop, utcnow(), ZoneInfo(membership.shop.timezone)
    vacations = services.vacations_of(shop.id)
    body, _status = form_page("autoreply/vacations.html", form, shop=shop, membership=membership, now=now,
                              vacations=vacations, planner=services.planner(shop, now),
                              # entered as days of the shop, so shown as those days whatever the page's zone
                              days={v.id: domain.vacation_days(v.starts_at, v.ends_at, zone) for v in vacations},
                              is_active=domain.is_active, away=away)
    return body, status


@bp.route("/shops/<int:shop_id>/vacations", methods=["GET", "POST"])
def index(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    shop, now = membership.shop, utcnow()
    form = _vacation_form(shop)
    if form.is_submitted():
        shops.require_owner(membership)
    done, _vacation = run_form(form, lambda: services.plan_vacation(
        membership, form.starts_on.data, form.ends_on.data,
        {language: field.data for language, field in form.language_fields}, now))
    if done:
        db.session.commit()
        flash(_("The vacation is planned. Buyers who write while you are away get your message once."), "success")
        return redirect(url_for("vacations.index", shop_id=shop_id))
    return _page(membership, form, _away_form(shop), 422 if form.is_submitted() else 200)


@bp.route("/shops/<int:shop_id>/away", methods=["POST"])
def away(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    shops.require_owner(membership)
    form = _away_form(membership.shop, formdata=request.form)
    done, _result = run_form(form, lambda: services.save_away(
        membership, form.enabled.data, {language: field.data for language, field in form.language_fields}))
    if done:
        db.session.commit()
        flash(_("Away replies are saved."), "success")
        return redirect(url_for("vacations.index", shop_id=shop_id))
    return _page(membership, _vacation_form(membership.shop), form, 422)


@bp.route("/shops/<int:shop_id>/vacations/<int:vacation_id>/end", methods=["POST"])
def end(shop_id, vacation_id):
    membership = shops.membership_for(current_user, shop_id)
    services.end_early(membership, vacation_id, utcnow())
    db.session.commit()
    flash(_("Welcome back! The vacation has ended."), "success")
    return redirect(url_for("vacations.index", shop_id=shop_id))
