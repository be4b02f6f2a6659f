"""The user's own settings: profile and language, password, and API tokens."""
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from sellerkit.accounts import forms, services
from sellerkit.accounts.login import current_session_token
from sellerkit.clock import utcnow
from sellerkit.extensions import db
from sellerkit.i18n import LOCALES, locale_display_name
from sellerkit.i18n import gettext as _
from sellerkit.shops.domain import sorted_timezones
from sellerkit.web import form_page, run_form

bp = Blueprint("settings", __name__, url_prefix="/settings")


@bp.before_request
@login_required
def require_login():
    return None


@bp.route("/", methods=["GET", "POST"])
def profile():
    form = forms.ProfileForm(obj=current_user)
    form.locale.choices = [SelectChoice("", _("Automatic (from the browser)"))] + [
        SelectChoice(code, locale_display_name(code, code)) for code in LOCALES]
    form.timezone.choices = [SelectChoice("", _("Automatic (the shop's timezone)"))] + [
        SelectChoice(tz) for tz in sorted_timezones()]
    done, _result = run_form(form, lambda: services.update_profile(
        current_user, form.display_name.data, form.locale.data, form.timezone.data))
    if not done:
        return form_page("accounts/profile.html", form)
    db.session.commit()
    flash(_("Your settings are saved."), "success")
    return redirect(url_for("settings.profile"))


@bp.route("/password", methods=["GET", "POST"])
def password():
    form = forms.ChangePasswordForm()
    done, _result = run_form(form, lambda: services.change_password(
        current_user, form.current_password.data, form.new_password.data, utcnow(),
        current_app.config["MIN_PASSWORD_LENGTH"], current_session_token()))
    if not done:
        return form_page("accounts/password.html", form)
    db.session.commit()
    flash(_("Your password is changed. Other browsers were logged out."), "success")
    return redirect(url_for("settings.profile"))


@bp.route("/tokens", methods=["GET", "POST"])
def tokens():
    form = forms.ApiTokenForm()
    done, created = run_form(form, lambda: services.create_api_token(current_user, form.name.data, utcnow()))
    if done:
        db.session.commit()
        # Shown on this response only: the token is never stored in a readable form.
        return render_template("accounts/tokens.html", form=forms.ApiTokenForm(formdata=None), new_token=created[1],
                               tokens=services.list_api_tokens(current_user))
    return form_page("accounts/tokens.html", form, new_token=None, tokens=services.list_api_tokens(current_user))


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id):
    services.revoke_api_token(current_user, token_id, utcnow())
    db.session.commit()
    flash(_("The token is revoked; programs using it can no longer connect."), "success")
    return redirect(url_for("settings.tokens"))
