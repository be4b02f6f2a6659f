"""Flask-Login wiring: the session cookie names a server-side session row, looked up on every request."""
from flask import session

from sellerkit.accounts import services
from sellerkit.clock import utcnow
from sellerkit.database import is_unreachable
from sellerkit.extensions import login_manager
from sellerkit.i18n import lazy_gettext as _l

SESSION_TOKEN_KEY = "sid"


def _clear_session_keeping_language():
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def log_in(user, now, lifetime):
    """Start a fresh session: everything in the old cookie but the language is dropped, so a planted one is useless."""
    _clear_session_keeping_language()
    session[SESSION_TOKEN_KEY] = services.start_session(user, now, lifetime)
    session.permanent = True


def log_out():
    """End the session on the server; the browser keeps only its language choice."""
    services.end_session(session.get(SESSION_TOKEN_KEY))
    _clear_session_keeping_language()


def current_session_token():
    return session.get(SESSION_TOKEN_KEY)


def _load_user(request):
    if is_unreachable():
        return None  # the error page for an outage is made without the database, so without the user
    return services.user_for_session(session.get(SESSION_TOKEN_KEY), utcnow())


def init_app(app):
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Log in to see this page.")
    login_manager.login_message_category = "info"
    # Sessions are rows on the server; Flask-Login's own cookie fingerprinting would only duplicate that.
    login_manager.session_protection = None
    login_manager.request_loader(_load_user)
