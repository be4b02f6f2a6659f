"""Account pages: sign up, log in and out, forgotten passwords."""
from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from sellerkit.accounts import forms, services
from sellerkit.accounts.domain import LoginLimits
from sellerkit.accounts.login import log_in, log_out
from sellerkit.clock import utcnow
from sellerkit.extensions import db
from sellerkit.i18n import LOCALES, locale_display_name
from sellerkit.i18n import gettext as _
from sellerkit.web import client_ip, form_page, run_form, safe_next_url

bp = Blueprint("accounts", __name__)


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("shops.index"))
    form = forms.SignUpForm()
    config = current_app.config
    now = utcnow()
    done, user = run_form(form, lambda: services.sign_up(
        form.email.data, form.password.data, form.display_name.data, session.get("locale"), now,
        config["MIN_PASSWORD_LENGTH"]))
    if not done:
        return form_page("accounts/signup.html", form)
    log_in(user, now, config["PERMANENT_SESSION_LIFETIME"])
    db.session.commit()
    flash(_("Welcome to sellerkit! Create your first shop to start."), "success")
    return redirect(url_for("shops.create"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("shops.index"))
    form = forms.LoginForm()
    if not form.validate_on_submit():
        return form_page("accounts/login.html", form)
    config = current_app.config
    now = utcnow()
    try:
        user = services.authenticate(form.email.data, form.password.data, client_ip(), now, LoginLimits(
            config["LOGIN_MAX_FAILURES"], config["LOGIN_MAX_ADDRESS_FAILURES"], config["LOGIN_MAX_ACCOUNT_FAILURES"],
            config["LOGIN_WINDOW"]))
    except services.LoginThrottled as error:
        form.form_errors.append(error.message)
        body, _status = form_page("accounts/login.html", form)
        return body, 429, {"Retry-After": str(int(error.retry_after.total_seconds()))}
    if user is None:
        db.session.commit()  # the failure must count even though the login did not happen
        form.form_errors.append(_("The e-mail or password is not correct."))
        return form_page("accounts/login.html", form)
    log_in(user, now, config["PERMANENT_SESSION_LIFETIME"])
    db.session.commit()
    return redirect(safe_next_url(request.args.get("next"), url_for("shops.index")))


@bp.route("/logout", methods=["POST"])
def logout():
    log_out()
    db.session.commit()
    flash(_("You have logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = forms.ForgotPasswordForm()
    if not form.validate_on_submit():
        return form_page("accounts/forgot.html", form)
    config = current_app.config
    try:
        services.request_password_reset(
            form.email.data, client_ip(), str(get_locale()), utcnow(),
            max_per_email=config["PASSWORD_RESET_MAX_PER_EMAIL"],
            max_per_address=config["PASSWORD_RESET_MAX_PER_ADDRESS"], window=config["PASSWORD_RESET_WINDOW"])
    except services.ResetThrottled as error:
        form.form_errors.append(error.message)
        body, _status = form_page("accounts/forgot.html", form)
        return body, 429, {"Retry-After": str(int(error.retry_after.total_seconds()))}
    db.session.commit()
    # The same answer whether or not the e-mail is known, so the form cannot be used to probe for accounts.
    flash(_("If an account uses this e-mail, a reset link is on its way."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    form = forms.ResetPasswordForm()
    done, _user = run_form(form, lambda: services.reset_password(
        token, form.password.data, utcnow(), current_app.config["MIN_PASSWORD_LENGTH"]))
    if not done:
        return form_page("accounts/reset.html", form)
    log_out()
    db.session.commit()
    flash(_("Your password is changed. Log in with the new one."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/language", methods=["POST"])
def choose_language():
    """The language menu in the footer: remembered for this browser, and in the profile when logged in."""
    form = forms.LanguageForm()
    form.locale.choices = [SelectChoice(code, locale_display_name(code, code)) for code in LOCALES]
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            services.set_locale(current_user, form.locale.data)
            db.session.commit()
    return redirect(safe_next_url(form.next.data, url_for("shops.index")))
