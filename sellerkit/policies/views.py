"""Policy pages: the sections at a glance, editing a draft with a preview, publishing, versions and exports."""
import difflib

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user, login_required

from sellerkit.clock import utcnow
from sellerkit.extensions import db
from sellerkit.i18n import LOCALES
from sellerkit.i18n import gettext as _
from sellerkit.policies import domain, forms, rendering, services
from sellerkit.shops import services as shops
from sellerkit.web import run_form

bp = Blueprint("policies", __name__)


@bp.before_request
@login_required
def require_login():
    return None


def _preview_language():
    wanted = request.args.get("lang")
    return wanted if wanted in LOCALES else str(get_locale())


@bp.route("/shops/<int:shop_id>/policies")
def index(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    return render_template("policies/index.html", shop=membership.shop, membership=membership,
                           sections=domain.SECTIONS, titles=rendering.SECTION_TITLES,
                           current=services.current_versions(shop_id))


@bp.route("/shops/<int:shop_id>/policies/<section>", methods=["GET", "POST"])
def edit(shop_id, section):
    membership = shops.membership_for(current_user, shop_id)
    services.check_section(section)
    content = services.draft_content(shop_id, section)
    form = forms.FORMS[section](data={**content.options, "free_text": content.free_text})
    if form.is_submitted():
        shops.require_owner(membership)
        now = utcnow()
        publishing = request.args.get("publish") is not None
        done, _draft = run_form(form, lambda: (
            services.save_draft(membership, section, forms.options_from(form, domain.DEFAULT_OPTIONS[section]),
                                form.free_text.data, now),
            services.publish(membership, section, now) if publishing else None))
        if done:
            db.session.commit()
            flash(_("The new version is published.") if publishing else _("The draft is saved."), "success")
            return redirect(url_for("policies.edit", shop_id=shop_id, section=section))
        db.session.rollback()
    versions = services.versions_of(shop_id, section)
    language = _preview_language()
    title, paragraphs = rendering.render(section, content, language)
    status = 422 if form.is_submitted() else 200
    return render_template("policies/edit.html", shop=membership.shop, membership=membership, section=section,
                           titles=rendering.SECTION_TITLES, form=form, versions=versions, preview_title=title,
                           preview=paragraphs, preview_language=language, languages=LOCALES,
                           has_draft=not versions or not domain.is_unchanged(content, services.content_of(versions[0])),
                           quoting=services.replies_quoting(shop_id, section)), status


@bp.route("/shops/<int:shop_id>/policies/<section>/versions/<int:number>")
def version(shop_id, section, number):
    membership = shops.membership_for(current_user, shop_id)
    services.check_section(section)
    shown = services.version(shop_id, section, number)
    current = services.versions_of(shop_id, section)[0]
    language = _preview_language()
    old_text = rendering.as_text(section, services.content_of(shown), language).splitlines()
    new_text = rendering.as_text(section, services.content_of(current), language).splitlines()
    diff = [line for line in difflib.ndiff(old_text, new_text) if line[:1] in "+- " and line.strip()]
    return render_template("policies/version.html", shop=membership.shop, section=section, version=shown,
                           current=current, titles=rendering.SECTION_TITLES, diff=diff,
                           paragraphs=rendering.render(section, services.content_of(shown), language)[1])


@bp.route("/shops/<int:shop_id>/policies/<section>/export")
def export(shop_id, section):
    shops.membership_for(current_user, shop_id)
    services.check_section(section)
    versions = services.versions_of(shop_id, section)
    if not versions:
        abort(404)
    language = _preview_language()
    markdown = request.args.get("format") == "md"
    body = (rendering.as_markdown if markdown else rendering.as_text)(section, services.content_of(versions[0]),
                                                                      language)
    name = f"{section}-{language}.{'md' if markdown else 'txt'}"
    return Response(body, mimetype="text/markdown" if markdown else "text/plain",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
