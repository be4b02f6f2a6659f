"""Campaign pages: the list, a new campaign, and one campaign's figures, chart, preview, follow-ups and settings."""
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from sellerkit.clock import utcnow
from sellerkit.consent.forms import ConsentImportForm
from sellerkit.coupons import services as coupons
from sellerkit.database import database_id
from sellerkit.extensions import db
from sellerkit.followups import forms, services, stats
from sellerkit.followups.labels import (
    COUPON_MODE_LABELS,
    REASON_LABELS,
    STATUS_LABELS,
    TRIGGER_LABELS,
)
from sellerkit.forms import form_languages, with_language_texts
from sellerkit.i18n import gettext as _
from sellerkit.shops import services as shops
from sellerkit.web import run_form

bp = Blueprint("followups", __name__)
LABELS = {"triggers": TRIGGER_LABELS, "coupon_modes": COUPON_MODE_LABELS, "reasons": REASON_LABELS,
          "statuses": STATUS_LABELS}


@bp.before_request
@login_required
def require_login():
    return None


def _form(shop, campaign=None, now=None):
    data = {}
    if campaign is not None:
        data = {"name": campaign.name, "trigger": campaign.trigger, "days": campaign.days,
                "min_days_between": campaign.min_days_between, "coupon_mode": campaign.coupon_mode,
                "coupon_id": campaign.coupon_id, "coupon_pool": campaign.coupon_pool,
                **{f"body_{m.language}": m.body for m in campaign.messages}}
    languages = form_languages(shop.default_language, campaign.bodies if campaign else ())
    form = with_language_texts(forms.CampaignForm, languages, "body", services.domain.MAX_BODY, data=data)
    now = now or utcnow()
    form.coupon_id.choices = [SelectChoice(0, "—")] + [SelectChoice(c.id, c.code)
                                                      for c in coupons.shared_coupons(shop.id, now)]
    form.coupon_pool.choices = [SelectChoice("", "—")] + [
        SelectChoice(pool, _("%(pool)s (%(free)s free of %(total)s)", pool=pool, free=free, total=total))
        for pool, total, free in coupons.pools_of(shop.id, now)]
    return form


def _bodies(form):
    return {language: field.data for language, field in form.language_fields}


@bp.route("/shops/<int:shop_id>/campaigns")
def index(shop_id):
    membership, now = shops.membership_for(current_user, shop_id), utcnow()
    campaigns = services.campaigns_of(shop_id)
    return render_template("followups/index.html", shop=membership.shop, membership=membership,
                           campaigns=campaigns, counts=services.follow_up_counts(shop_id),
                           # "planned" counts only the buyers the rules would really send to
                           not_going_out={c.id: len(stats.not_going_out(c, now)) for c in campaigns},
                           labels=LABELS, import_form=ConsentImportForm(),
                           can_send=services.can_send())


@bp.route("/shops/<int:shop_id>/campaigns/new", methods=["GET", "POST"])
def new(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    shops.require_owner(membership)
    form = _form(membership.shop)
    done, campaign = run_form(form, lambda: services.save_campaign(membership, None, form.fields(), _bodies(form),
                                                                   utcnow()))
    if done:
        db.session.commit()
        flash(_("The campaign is saved. Check the preview, then switch it on."), "success")
        return redirect(url_for("followups.campaign", shop_id=shop_id, campaign_id=campaign.id))
    db.session.rollback()
    return render_template("followups/edit.html", shop=membership.shop, form=form, campaign=None), \
        422 if form.is_submitted() else 200


def _campaign_page(membership, campaign, form, status=200):
    now, shop = utcnow(), membership.shop
    after = database_id(request.args.get("after"))
    rows, next_after = services.latest_follow_ups(campaign.id, after)
    figures = stats.figures(campaign, now, ZoneInfo(shop.timezone))
    return render_template(
        "followups/campaign.html", shop=shop, membership=membership, campaign=campaign, form=form, labels=LABELS,
        figures=figures, bars=stats.chart_bars(figures.days), ticks=stats.chart_ticks(figures.days), rows=rows,
        after=after, next_after=next_after,
        preview=None if campaign.is_active else stats.preview(campaign, now), can_send=services.can_send()), status


@bp.route("/shops/<int:shop_id>/campaigns/<int:campaign_id>", methods=["GET", "POST"])
def campaign(shop_id, campaign_id):
    membership = shops.membership_for(current_user, shop_id)
    campaign = services.campaign_of(shop_id, campaign_id)
    form = _form(membership.shop, campaign)
    if form.is_submitted():
        shops.require_owner(membership)
    done, _saved = run_form(form, lambda: services.save_campaign(membership, campaign, form.fields(), _bodies(form),
                                                                 utcnow()))
    if done:
        db.session.commit()
        flash(_("The campaign is saved. Follow-ups already sent keep their text."), "success")
        return redirect(url_for("followups.campaign", shop_id=shop_id, campaign_id=campaign_id))
    if form.is_submitted():
        db.session.rollback()
        return _campaign_page(membership, services.campaign_of(shop_id, campaign_id), form, 422)
    return _campaign_page(membership, campaign, form)


@bp.route("/shops/<int:shop_id>/campaigns/<int:campaign_id>/on", methods=["POST"])
def switch_on(shop_id, campaign_id):
    return _switch(shop_id, campaign_id, True)


@bp.route("/shops/<int:shop_id>/campaigns/<int:campaign_id>/off", methods=["POST"])
def switch_off(shop_id, campaign_id):
    return _switch(shop_id, campaign_id, False)


def _switch(shop_id, campaign_id, active):
    membership = shops.membership_for(current_user, shop_id)
    shops.require_owner(membership)
    campaign = services.campaign_of(shop_id, campaign_id)
    try:
        services.set_active(membership, campaign, active, utcnow())
    except services.ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("followups.campaign", shop_id=shop_id, campaign_id=campaign_id))
    db.session.commit()
    if active and not services.can_send():
        current_app.logger.warning("Campaign %s is on, but PUBLIC_URL is not set: follow-ups wait.", campaign_id)
    flash(_("The campaign is on: follow-ups are planned and go out when due.") if active
          else _("The campaign is off: nothing more is sent."), "success")
    return redirect(url_for("followups.campaign", shop_id=shop_id, campaign_id=campaign_id))
