"""Small helpers shared by the HTML views: rendering refused forms, safe redirects, the client's address."""
from urllib.parse import urlsplit

from flask import render_template, request


def render_form(template, status=200, **context):
    """Render a form page; a refused submission answers 422 so that clients can tell it was not taken."""
    return render_template(template, **context), status


def invalid(template, **context):
    return render_form(template, status=422, **context)


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
