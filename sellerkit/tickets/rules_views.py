"""The dispute rules page: phrases per language, the breach rule, automatic escalation and the support address."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from sellerkit.clock import utcnow
from sellerkit.errors import ServiceError
from sellerkit.extensions import db
from sellerkit.forms import OFFERED_LANGUAGES
from sellerkit.i18n import gettext as _
from sellerkit.i18n import locale_display_name
from sellerkit.shops import services as shops
from sellerkit.tickets import disputes, domain, forms
from sellerkit.tickets.labels import PROBLEM_LABELS

bp = Blueprint("dispute_rules", __name__)
#: Phrases per page: a language has up to a few hundred, and a phone shows them one under another.
PAGE_SIZE = 25


@bp.before_request
@login_required
def require_login():
    return None


def _keyword_form(**kwargs):
    form = forms.KeywordForm(**kwargs)
    form.language.choices = [SelectChoice(code, locale_display_name(code)) for code in OFFERED_LANGUAGES]
    return form


def _page(membership, keyword_form=None, settings_form=None, status=200, language=None):
    shop = membership.shop
    listed = disputes.listed_rules(shop.id)
    languages = list(dict.fromkeys(rule.language for rule in listed))
    language = language if language in languages else languages[0]
    after = (request.args.get("after") or "")[:80]
    rules, next_after = domain.rules_page([rule for rule in listed if rule.language == language], after, PAGE_SIZE)
    breach = disputes.effective_rules(shop).breach
    settings = settings_form or forms.EscalationSettingsForm(data={
        "breach_rule": breach, "escalate_on_breach": shop.escalate_on_breach,
        "escalate_after_days": shop.escalate_after_days, "support_email": shop.support_email})
    return render_template("tickets/rules.html", shop=shop, membership=membership, languages=languages,
                           language=language, rules=rules, after=after, next_after=next_after,
                           problem_labels=PROBLEM_LABELS, keyword_form=keyword_form or _keyword_form(language=language),
                           settings_form=settings), status


@bp.route("/shops/<int:shop_id>/dispute-rules")
def index(shop_id):
    return _page(shops.membership_for(current_user, shop_id), language=request.args.get("language"))


@bp.route("/shops/<int:shop_id>/dispute-rules/keywords", methods=["POST"])
def add_keyword(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    shops.require_owner(membership)
    form = _keyword_form()
    if form.validate_on_submit():
        try:
            disputes.add_keyword(membership.shop, form.language.data, form.keyword.data, utcnow(),
                                 problem=form.problem.data)
        except ServiceError as error:
            db.session.rollback()
            form.apply_error(error)
        else:
            db.session.commit()
            flash(_("The phrase is added."), "success")
            return redirect(url_for("dispute_rules.index", shop_id=shop_id, language=form.language.data))
    return _page(membership, keyword_form=form, status=422, language=form.language.data)


@bp.route("/shops/<int:shop_id>/dispute-rules/<language>/<path:keyword>/<any(on, off):state>", methods=["POST"])
def switch_keyword(shop_id, language, keyword, state):
    membership = shops.membership_for(current_user, shop_id)
    shops.require_owner(membership)
    disputes.set_rule_enabled(membership.shop, "keyword", language, keyword, state == "on", utcnow())
    db.session.commit()
    flash(_("The rule is switched on.") if state == "on" else _("The rule is switched off."), "success")
    return redirect(url_for("dispute_rules.index", shop_id=shop_id, language=language,
                            after=(request.args.get("after") or "")[:80] or None))


@bp.route("/shops/<int:shop_id>/dispute-rules/settings", methods=["POST"])
def settings(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    shops.require_owner(membership)
    form = forms.EscalationSettingsForm()
    if not form.validate_on_submit():
        return _page(membership, settings_form=form, status=422)
    shop, now = membership.shop, utcnow()
    disputes.set_rule_enabled(shop, "breach", "", "", form.breach_rule.data, now)
    shop.escalate_on_breach = form.escalate_on_breach.data
    shop.escalate_after_days = form.escalate_after_days.data
    shop.support_email = (form.support_email.data or "").strip().lower() or None
    db.session.commit()
    flash(_("The dispute settings are saved."), "success")
    return redirect(url_for("dispute_rules.index", shop_id=shop_id))
