"""Error answers: translated HTML pages for people, JSON for the API, 503 while the database is away."""
from flask import render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from sellerkit.errors import ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import gettext as _


def _messages():
    return {
        400: _("The request could not be understood."),
        403: _("You do not have permission to do this."),
        404: _("This page does not exist, or it belongs to a shop you are not a member of."),
        405: _("This address does not accept this kind of request."),
        413: _("The upload is too large."),
        429: _("Too many requests. Wait a little and try again."),
        500: _("Something went wrong on our side. Your last change was not saved."),
        503: _("The database is not reachable right now. Try again in a moment; nothing was changed."),
    }


def _answer(status, message, code):
    if request.path.startswith("/api/"):
        from sellerkit.api.core import error_response

        return error_response(ServiceError(message, status=status, code=code))
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app):
    @app.errorhandler(ServiceError)
    def service_error(error):
        db.session.rollback()
        if request.path.startswith("/api/"):
            from sellerkit.api.core import error_response

            return error_response(error)
        return render_template("errors/error.html", status=error.status, message=error.message), error.status

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _answer(400, _("This form has expired or did not come from sellerkit. Reload the page and try "
                              "again."), "csrf")

    @app.errorhandler(OperationalError)
    def database_unreachable(error):
        db.session.rollback()
        app.logger.error("Database error: %s", error)
        return _answer(503, _messages()[503], "database_unavailable")

    @app.errorhandler(HTTPException)
    def http_error(error):
        status = error.code or 500
        message = _messages().get(status, error.description)
        return _answer(status, message, error.name.lower().replace(" ", "_"))
