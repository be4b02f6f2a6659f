"""Coupon pages: the codes with their pools, a new code, generated pools, CSV import and export, and redemptions."""
import csv
import io
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import ngettext
from flask_login import current_user, login_required

from sellerkit.clock import utcnow
from sellerkit.coupons import domain, forms, services
from sellerkit.errors import NUL_REFUSED, ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import gettext as _
from sellerkit.shops import services as shops
from sellerkit.textguard import has_nul
from sellerkit.web import run_form

bp = Blueprint("coupons", __name__)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
EXPORT_COLUMNS = (*services.COUPON_COLUMNS, "redeemed_count", "assigned_at")
#: Codes per page: a pool holds thousands, and a phone shows each code as a short card.
PAGE_SIZE = 15


@bp.before_request
@login_required
def require_login():
    return None


def _after():
    return services.cursor_id(request.args.get("after"))


def _start(day, zone):
    return domain.day_start(day, zone) if day else None


def _end(day, zone):
    return domain.day_end(day, zone) if day else None


def _uploaded_text():
    """The uploaded file as text; a file too large or not UTF-8 is refused before anything is read from it."""
    upload = request.files.get("file")
    raw = upload.read(MAX_UPLOAD_BYTES + 1) if upload else b""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ServiceError(_("The file is larger than %(count)s MB.", count=MAX_UPLOAD_BYTES // (1024 * 1024)),
                           field="file", code="file_too_large")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError(_("Save the file as CSV in UTF-8 and upload it again."), field="file",
                           code="not_utf8") from None
    if has_nul(text):
        raise ServiceError(NUL_REFUSED, field="file")
    return text


def _coupons_page(membership, status=200, form=None, generate_form=None, import_form=None, report=None):
    shop, now = membership.shop, utcnow()
    pool = (request.args.get("pool") or "")[:40]
    query = (request.args.get("q") or "")[:64]
    coupons, next_after = services.coupons_page(shop.id, pool or None, query, _after(), limit=PAGE_SIZE)
    return render_template(
        "coupons/index.html", shop=shop, membership=membership, now=now, coupons=coupons, next_after=next_after,
        pools=services.pools_of(shop.id, now), pool=pool, query=query, is_expired=domain.is_expired,
        is_used_up=domain.is_used_up, form=form or forms.CouponForm(formdata=None),
        generate_form=generate_form or forms.GenerateForm(formdata=None, prefix="generate"),
        import_form=import_form or forms.ImportForm(formdata=None), report=report), status


@bp.route("/shops/<int:shop_id>/coupons", methods=["GET", "POST"])
def index(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    form = forms.CouponForm()
    if form.is_submitted():
        shops.require_owner(membership)
    zone = ZoneInfo(membership.shop.timezone)
    done, coupon = run_form(form, lambda: services.create_coupon(
        membership, form.code.data, form.kind.data, form.value.data, form.currency.data,
        _start(form.valid_from.data, zone), valid_until=_end(form.valid_until.data, zone),
        usage_limit=form.usage_limit.data,
        min_order=form.min_order.data, now=utcnow()))
    if done:
        db.session.commit()
        flash(_("The coupon %(code)s is saved.", code=coupon.code), "success")
        return redirect(url_for("coupons.index", shop_id=shop_id))
    return _coupons_page(membership, 422 if form.is_submitted() else 200, form=form)


@bp.route("/shops/<int:shop_id>/coupons/generate", methods=["POST"])
def generate(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    shops.require_owner(membership)
    form = forms.GenerateForm(prefix="generate")
    zone = ZoneInfo(membership.shop.timezone)
    done, codes = run_form(form, lambda: services.generate_pool(
        membership, form.prefix.data, form.count.data, form.kind.data, form.value.data, form.currency.data,
        valid_from=_start(form.valid_from.data, zone), valid_until=_end(form.valid_until.data, zone),
        min_order=form.min_order.data, now=utcnow()))
    if done:
        db.session.commit()
        pool = domain.normalize_code(form.prefix.data)
        flash(ngettext("%(num)s single-use code was added to the pool %(pool)s.",
                       "%(num)s single-use codes were added to the pool %(pool)s.", len(codes), pool=pool), "success")
        return redirect(url_for("coupons.index", shop_id=shop_id, pool=pool))
    return _coupons_page(membership, 422, generate_form=form)


@bp.route("/shops/<int:shop_id>/coupons/import", methods=["POST"])
def import_codes(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    shops.require_owner(membership)
    form = forms.ImportForm()
    try:
        report = services.import_coupons_csv(membership, _uploaded_text(), utcnow())
    except ServiceError as error:
        db.session.rollback()
        form.apply_error(error)
        return _coupons_page(membership, 422, import_form=form)
    db.session.commit()
    return _coupons_page(membership, report=report)


@bp.route("/shops/<int:shop_id>/coupons/export.csv")
def export(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    pool = request.args.get("pool") or None
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for coupon in services.coupons_for_export(membership.shop_id, pool):
        writer.writerow([coupon.code, coupon.kind, coupon.value, coupon.currency or "",
                         coupon.valid_from.isoformat() if coupon.valid_from else "",
                         coupon.valid_until.isoformat() if coupon.valid_until else "",
                         coupon.usage_limit or "", "" if coupon.min_order is None else coupon.min_order,
                         coupon.pool or "", coupon.redeemed_count,
                         coupon.assigned_at.isoformat() if coupon.assigned_at else ""])
    name = f"coupons-shop-{shop_id}" + (f"-{pool}" if domain.is_valid_pool(pool) else "")
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def _redemptions_page(membership, status=200, form=None, import_form=None, report=None):
    rows, next_after = services.redemptions_page(membership.shop_id, _after())
    return render_template("coupons/redemptions.html", shop=membership.shop, membership=membership, rows=rows,
                           next_after=next_after, form=form or forms.RedemptionForm(formdata=None),
                           import_form=import_form or forms.ImportForm(formdata=None), report=report), status


@bp.route("/shops/<int:shop_id>/redemptions", methods=["GET", "POST"])
def redemptions(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    shop, now = membership.shop, utcnow()
    form = forms.RedemptionForm()
    typed_at = form.redeemed_at.data
    done, result = run_form(form, lambda: services.record_redemption(
        shop, form.code.data, form.order_reference.data, form.amount.data, form.currency.data,
        typed_at.replace(tzinfo=ZoneInfo(shop.timezone)) if typed_at else now, source="web", now=now))
    if done:
        db.session.commit()
        redemption, is_new = result
        code = domain.normalize_code(form.code.data)
        if is_new:
            flash(_("The order %(order)s used %(code)s: recorded.", order=redemption.order_ref, code=code), "success")
        else:
            flash(_("The order %(order)s was already recorded for %(code)s; nothing changed.",
                    order=redemption.order_ref, code=code), "success")
        return redirect(url_for("coupons.redemptions", shop_id=shop_id))
    return _redemptions_page(membership, 422 if form.is_submitted() else 200, form=form)


@bp.route("/shops/<int:shop_id>/redemptions/import", methods=["POST"])
def import_redemptions(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    form = forms.ImportForm()
    try:
        report = services.import_redemptions_csv(membership.shop, _uploaded_text(), utcnow())
    except ServiceError as error:
        db.session.rollback()
        form.apply_error(error)
        return _redemptions_page(membership, 422, import_form=form)
    db.session.commit()
    return _redemptions_page(membership, report=report)
