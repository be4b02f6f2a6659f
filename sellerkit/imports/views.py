"""Importing messages from a file in the browser: the upload page and the progress of one import."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from sellerkit.clock import utcnow
from sellerkit.errors import ServiceError
from sellerkit.extensions import db
from sellerkit.imports import forms, labels, services
from sellerkit.shops import services as shops
from sellerkit.shops.services import require_owner

bp = Blueprint("imports", __name__)
#: Room for the form's other fields and the multipart boundaries around the file.
FORM_OVERHEAD = 64 * 1024


@bp.before_request
@login_required
def require_login():
    return None


def _upload_page(membership, form, status=200):
    return render_template("imports/upload.html", shop=membership.shop, form=form,
                           jobs=services.recent_jobs(membership.shop_id),
                           max_mb=services.max_upload_bytes() // (1024 * 1024)), status


def _refused(membership, form, error):
    form.apply_error(error)
    return _upload_page(membership, form, error.status)


@bp.route("/shops/<int:shop_id>/imports/new", methods=["GET", "POST"])
def upload(shop_id):
    """Take a file and queue its import; the scheduler does the work and the progress page follows it."""
    membership = shops.membership_for(current_user, shop_id)
    require_owner(membership)
    form = forms.UploadForm()
    if request.method == "GET":
        return _upload_page(membership, form)
    limit = services.max_upload_bytes() + FORM_OVERHEAD
    too_large = ServiceError(labels.upload_problem("too_large", services.max_upload_bytes() // (1024 * 1024)),
                             field="file", status=413)
    if request.content_length and request.content_length > limit:
        return _refused(membership, form, too_large)  # refused before a byte of the body is read
    request.max_content_length = limit
    try:
        if not form.validate_on_submit():
            return _upload_page(membership, form, 422)
        upload = request.files.get("file")
        job = services.start_import(membership, upload.stream if upload else None, upload.filename if upload else "",
                                    utcnow(), str(get_locale()))
    except RequestEntityTooLarge:
        return _refused(membership, form, too_large)
    except ServiceError as error:
        if error.status in (403, 404) or error.status >= 500:
            raise
        return _refused(membership, form, error)
    db.session.commit()
    return redirect(url_for("imports.progress", shop_id=shop_id, import_id=job.id))


@bp.route("/shops/<int:shop_id>/imports/<int:import_id>")
def progress(shop_id, import_id):
    """Where an import got to; refreshes itself until it is finished (without JavaScript too)."""
    membership = shops.membership_for(current_user, shop_id)
    job = services.job_for(membership, import_id)
    return render_template("imports/progress.html", shop=membership.shop, job=job, failure=labels.failure_text,
                           rate=services.rows_per_second(job))
