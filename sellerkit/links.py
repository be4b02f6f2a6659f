"""Absolute links for mail, built from the configured public address (PUBLIC_URL), never from a request's Host."""
from urllib.parse import urlsplit

from flask import current_app


def public_link(endpoint, **values):
    """The absolute URL of `endpoint` under PUBLIC_URL; the same inside a request, a command or the scheduler."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        raise RuntimeError("PUBLIC_URL is not set, so no link in a mail can be built.")
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def can_build_links():
    return bool(current_app.config.get("PUBLIC_URL"))
