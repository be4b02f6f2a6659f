"""Small helpers shared by the HTML views: running a form through a service, safe redirects, the client's address."""
from urllib.parse import urlsplit

from flask import render_template, request

from sellerkit.errors import ServiceError


def run_form(form, action):
    """Run `action()` for a valid submission: (True, its result), else (False, None).

    A service's refusal is shown next to the field it concerns; nothing was written, since the caller
    commits only on success.
    """
    if not form.validate_on_submit():
        return False, None
    try:
        return True, action()
    except ServiceError as error:
        if error.status in (403, 404) or error.status >= 500:
            raise  # not a correction the user can make in the form: the error page answers
        form.apply_error(error)
        return False, None


def form_page(template, form, **context):
    """Render a form page; a refused submission answers 422 so that clients can tell it was not taken."""
    return render_template(template, form=form, **context), 422 if form.is_submitted() else 200


def safe_next_url(target, default):
    """Follow ?next= only to a path on this site, never to another host."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def client_ip():
    return request.remote_addr or "unknown"
