"""The API blueprint itself: bearer tokens, JSON bodies and JSON errors in the caller's language."""
from flask import Blueprint, g, jsonify, request

from sellerkit.accounts import services as accounts
from sellerkit.errors import InputError, refuse_nul_fields
from sellerkit.i18n import gettext as _
from sellerkit.shops import services as shops

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = {"api.openapi"}


ApiError = InputError

def error_json(error):
    """A ServiceError as the API writes it: code, message and the fields it names, in the caller's language."""
    body = {"code": error.code, "message": str(error.message)}
    fields = dict(getattr(error, "fields", {}) or {})
    if error.field:
        fields[error.field] = str(error.message)
    if fields:
        body["fields"] = {name: str(text) for name, text in fields.items()}
    return body


def error_response(error):
    response = jsonify({"error": error_json(error)})
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="sellerkit"'
    return response


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    found = accounts.user_for_api_token(token.strip(), (request.view_args or {}).get("shop_id")) \
        if scheme.lower() == "bearer" and token.strip() else None
    if found is None:
        return error_response(ApiError(_("A valid API token is required (Authorization: Bearer ...)."),
                                       status=401, code="unauthorized"))
    g.api_user, membership = found
    if membership is not None:
        shops.remember_membership(membership)
    return None


def refuse_nul(data):
    """Refuse a JSON object with a NUL character in any text: PostgreSQL cannot store one, SQLite would keep it
    silently, and no buyer or seller ever types it."""
    refuse_nul_fields(data.items())


def json_body(allowed, required=()):
    """The request's JSON object, refusing malformed JSON, missing fields, fields the endpoint does not take and
    text it could not store."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(_("The request body must be a JSON object."), code="malformed")
    refuse_nul(data)
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ApiError(_("Unknown fields: %(names)s.", names=", ".join(unknown)), code="unknown_fields",
                       fields={name: _("This field is not accepted here.") for name in unknown})
    missing = [name for name in required if data.get(name) in (None, "")]
    if missing:
        raise ApiError(_("Required fields are missing."), code="missing_fields",
                       fields={name: _("This field is required.") for name in missing})
    return data


def init_app(app):
    from sellerkit.api import (  # noqa: F401  (the routes register on bp)
        batch,
        channels,
        coupons,
        followups,
        openapi,
        replies,
        shops,
        suggestions,
        threads,
        tickets,
    )

    app.register_blueprint(bp)
