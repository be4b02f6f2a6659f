"""Shop pages: the list and switcher, creating a shop, its settings and hours, and its members."""
from datetime import date

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from sellerkit.clock import utcnow
from sellerkit.errors import ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import gettext as _
from sellerkit.i18n import locale_display_name
from sellerkit.shops import domain, forms, services
from sellerkit.shops.context import load_shop_from_url
from sellerkit.shops.labels import (
    platform_label,
    role_label,
    transport_label,
    weekday_names,
)
from sellerkit.web import form_page, run_form

bp = Blueprint("shops", __name__)
bp.url_value_preprocessor(load_shop_from_url)


@bp.before_request
def require_login():
    if request.endpoint == "shops.index" and not current_user.is_authenticated:
        return None  # the home page sends newcomers to sign-up rather than to an error
    return login_required(lambda: None)()


def _fill_choices(form):
    form.platform.choices = [SelectChoice(p, platform_label(p)) for p in domain.PLATFORMS]
    form.default_language.choices = [SelectChoice(code, locale_display_name(code))
                                   for code in domain.BUYER_LANGUAGES]
    form.timezone.choices = [SelectChoice(tz) for tz in domain.sorted_timezones()]
    if hasattr(form, "reply_transport"):
        form.reply_transport.choices = [SelectChoice(t, transport_label(t)) for t in domain.REPLY_TRANSPORTS]
        for field in (form.response_business_hours_only, form.response_auto_reply_counts):
            field.choices = [SelectChoice("", _("As the platform does")), SelectChoice("yes", _("Yes")),
                             SelectChoice("no", _("No"))]


def _choice_of(value):
    return "" if value is None else ("yes" if value else "no")


def _bool_of(choice):
    return None if not choice else choice == "yes"


def _holidays(form):
    """The dates typed one per line; a line that is not a date stops the save with a message next to the field."""
    days = []
    for line in (form.holidays.data or "").split():
        try:
            days.append(date.fromisoformat(line.strip()))
        except ValueError:
            raise ServiceError(_("Write each holiday as a date, such as 2026-12-31."), field="holidays") from None
    return tuple(days)


@bp.route("/")
def index():
    """Home: the inbox of every shop, or the invitation to create the first shop."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login" if services.any_user_exists() else "accounts.signup"))
    if not services.memberships_of(current_user):
        return redirect(url_for("shops.create"))
    return redirect(url_for("threads.inbox_page"))


@bp.route("/shops")
def listing():
    return render_template("shops/list.html", memberships=services.memberships_of(current_user))


@bp.route("/shops/new", methods=["GET", "POST"])
def create():
    form = forms.ShopForm()
    _fill_choices(form)
    if not form.is_submitted():
        form.default_language.data = get_locale().language if get_locale().language in domain.BUYER_LANGUAGES \
            else "en"
        form.timezone.data = current_user.timezone or "UTC"
        # A new shop starts in the creating browser's timezone: app.js chooses it in the list (without
        # JavaScript the list keeps this default).
        form.timezone.render_kw = {"data-browser-timezone": ""}
    done, shop = run_form(form, lambda: services.create_shop(
        current_user, form.name.data, form.platform.data, form.default_language.data, form.timezone.data, utcnow()))
    if not done:
        return form_page("shops/create.html", form)
    db.session.commit()
    flash(_("Your shop %(name)s is ready.", name=shop.name), "success")
    return redirect(url_for("shops.overview", shop_id=shop.id))


@bp.route("/shops/<int:shop_id>")
def overview(shop_id):
    return render_template("shops/overview.html", hours=services.opening_hours(g.shop),
                           members=services.members_of(g.membership), weekdays=weekday_names())


@bp.route("/shops/<int:shop_id>/settings", methods=["GET", "POST"])
def settings(shop_id):
    services.require_owner(g.membership)
    form = forms.ShopSettingsForm(obj=g.shop)
    _fill_choices(form)
    if not form.is_submitted():
        reply = services.reply_settings(g.shop)
        form.max_file_mb.data, form.max_message_mb.data = reply.max_file_mb, reply.max_message_mb
        response = services.response_settings(g.shop)
        form.response_business_hours_only.data = _choice_of(response.business_hours_only)
        form.response_auto_reply_counts.data = _choice_of(response.auto_reply_counts)
        form.holidays.data = "\n".join(day.isoformat() for day in response.holidays)
        by_day = {h.weekday: h for h in services.opening_hours(g.shop)}
        for weekday, entry in enumerate(form.hours.entries):
            hours = by_day.get(weekday)
            entry.form.is_open.data = hours is not None
            entry.form.opens_at.data = hours.opens_at if hours else None
            entry.form.closes_at.data = hours.closes_at if hours else None
    done, _result = run_form(form, lambda: services.update_shop_settings(
        g.membership, form.name.data, form.platform.data, form.default_language.data, form.timezone.data,
        [domain.OpeningHours(day, entry.form.opens_at.data, entry.form.closes_at.data)
         for day, entry in enumerate(form.hours.entries) if entry.form.is_open.data],
        reply=services.ReplySettings(form.reply_transport.data, form.reply_from_email.data or None,
                               (form.webhook_url.data or "").strip() or None, form.max_file_mb.data,
                               form.max_message_mb.data),
        response=services.ResponseSettings(form.response_hours.data, _bool_of(form.response_business_hours_only.data),
                                  _bool_of(form.response_auto_reply_counts.data), form.response_warning_hours.data,
                                  _holidays(form))))
    if not done:
        return form_page("shops/settings.html", form, weekdays=weekday_names())
    db.session.commit()
    flash(_("The shop settings are saved."), "success")
    return redirect(url_for("shops.overview", shop_id=shop_id))


@bp.route("/shops/<int:shop_id>/members", methods=["GET", "POST"])
def members(shop_id):
    form = forms.AddMemberForm()
    form.role.choices = [SelectChoice(role, role_label(role)) for role in reversed(domain.ROLES)]
    if form.is_submitted():
        services.require_owner(g.membership)
    done, added = run_form(form, lambda: services.add_member(g.membership, form.email.data, form.role.data, utcnow()))
    if done:
        db.session.commit()
        flash(_("%(name)s can now work in this shop.", name=added.user.name), "success")
        return redirect(url_for("shops.members", shop_id=shop_id))
    return form_page("shops/members.html", form, members=services.members_of(g.membership))


@bp.route("/shops/<int:shop_id>/members/<int:member_id>/remove", methods=["POST"])
def remove_member(shop_id, member_id):
    services.remove_member(g.membership, member_id)
    db.session.commit()
    flash(_("The member was removed from the shop."), "success")
    return redirect(url_for("shops.members", shop_id=shop_id))
