"""Saved-reply pages: the list with search and sorting, create, edit, delete, export and import."""
import json

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from sellerkit import jsoninput
from sellerkit.clock import utcnow
from sellerkit.errors import NUL_REFUSED, ServiceError
from sellerkit.extensions import db
from sellerkit.forms import form_languages, with_language_texts
from sellerkit.i18n import gettext as _
from sellerkit.replies import forms, services
from sellerkit.replies.domain import MAX_BODY
from sellerkit.replies.labels import PLACEHOLDER_HELP
from sellerkit.shops import services as shops
from sellerkit.textguard import has_nul
from sellerkit.web import form_page, run_form

bp = Blueprint("replies", __name__)


@bp.before_request
@login_required
def require_login():
    return None


@bp.route("/shops/<int:shop_id>/replies")
def listing(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    sort = request.args.get("sort", "usage")
    query = (request.args.get("q") or "")[:100]
    return render_template("replies/list.html", shop=membership.shop, membership=membership, sort=sort, query=query,
                           replies=services.replies_for(membership, sort, query), import_form=forms.ImportForm())


def _save(membership, reply=None):
    shop = membership.shop
    languages = form_languages(shop.default_language, reply.bodies if reply else ())
    form = with_language_texts(forms.SavedReplyForm, languages, "body", MAX_BODY, obj=reply)
    if reply is not None and not form.is_submitted():
        form.personal.data = reply.owner_id is not None
        for language, field in form.language_fields:
            field.data = reply.bodies.get(language, "")
    done, saved = run_form(form, lambda: services.save_reply(
        membership, utcnow(), form.title.data or "", form.shortcut.data, form.folder.data,
        {language: field.data or "" for language, field in form.language_fields}, personal=form.personal.data,
        reply=reply))
    if not done:
        return form_page("replies/edit.html", form, shop=shop, reply=reply, placeholders=PLACEHOLDER_HELP)
    db.session.commit()
    flash(_("The saved reply “%(title)s” is saved.", title=saved.title), "success")
    return redirect(url_for("replies.listing", shop_id=shop.id))


@bp.route("/shops/<int:shop_id>/replies/new", methods=["GET", "POST"])
def create(shop_id):
    return _save(shops.membership_for(current_user, shop_id))


@bp.route("/replies/<int:reply_id>/edit", methods=["GET", "POST"])
def edit(reply_id):
    reply, membership = services.reply_for(current_user, reply_id)
    return _save(membership, reply)


@bp.route("/replies/<int:reply_id>/delete", methods=["POST"])
def delete(reply_id):
    reply, membership = services.reply_for(current_user, reply_id)
    services.delete_reply(membership, reply)
    db.session.commit()
    flash(_("The saved reply is deleted."), "success")
    return redirect(url_for("replies.listing", shop_id=membership.shop_id))


@bp.route("/shops/<int:shop_id>/replies/export")
def export(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    body = json.dumps(services.export_replies(membership), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="saved-replies-shop-{shop_id}.json"'})


@bp.route("/shops/<int:shop_id>/replies/import", methods=["POST"])
def import_file(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    form = forms.ImportForm()
    upload = request.files.get("file")
    try:
        data = jsoninput.loads(upload.read(2 * 1024 * 1024).decode("utf-8")) if upload else None
    except ValueError:  # UnicodeDecodeError and json's errors are ValueErrors
        data = None
    try:
        if has_nul(data):
            raise ServiceError(NUL_REFUSED, field="file")
        created = services.import_replies(membership, data, utcnow())
    except ServiceError as error:
        db.session.rollback()
        form.apply_error(error)
        return render_template("replies/list.html", shop=membership.shop, membership=membership, sort="usage",
                               query="", replies=services.replies_for(membership), import_form=form), 422
    db.session.commit()
    flash(_("%(count)s saved replies were added.", count=len(created)), "success")
    return redirect(url_for("replies.listing", shop_id=shop_id))
