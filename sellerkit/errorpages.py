"""Error answers: translated HTML pages for people, JSON for the API, 503 while the database is away."""
from functools import wraps

from flask import current_app, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from sellerkit.database import is_unreachable, mark_unreachable
from sellerkit.errors import ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import gettext as _

#: What a lost or refused connection raises: the server is down or restarting, the driver's connection was closed
#: under it, or every pooled connection is stuck waiting for it.
DATABASE_AWAY = (OperationalError, InterfaceError, PoolTimeout)


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
    if is_unreachable():
        # Made without the database: no user, no shops, no menus, only the message.
        return render_template("errors/unavailable.html", status=status, message=message), status
    return render_template("errors/error.html", status=status, message=message), status


def database_unreachable(error):
    """503, answered without the database: the user, their language and their shops are not read again."""
    mark_unreachable()
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass  # the connection is already gone; the session is closed at the end of the request anyway
    current_app.logger.error("Database error: %s", error)
    return _answer(503, _messages()[503], "database_unavailable")


def _unless_database_away(handler):
    """An error answer that needs the database (the user's language, the menus) becomes the outage's answer when
    the database went away meanwhile."""
    @wraps(handler)
    def answer(error):
        try:
            return handler(error)
        except DATABASE_AWAY as fault:
            return database_unreachable(fault)
    return answer


@_unless_database_away
def service_error(error):
    db.session.rollback()
    if request.path.startswith("/api/"):
        from sellerkit.api.core import error_response

        return error_response(error)  # with the fields it names
    return _answer(error.status, error.message, error.code)


@_unless_database_away
def csrf_error(error):
    return _answer(400, _("This form has expired or did not come from sellerkit. Reload the page and try again."),
                   "csrf")


@_unless_database_away
def http_error(error):
    status = error.code or 500
    message = _messages().get(status, error.description)
    return _answer(status, message, error.name.lower().replace(" ", "_"))


def init_app(app):
    app.register_error_handler(ServiceError, service_error)
    app.register_error_handler(CSRFError, csrf_error)
    for kind in DATABASE_AWAY:
        app.register_error_handler(kind, database_unreachable)
    app.register_error_handler(HTTPException, http_error)
