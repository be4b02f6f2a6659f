"""Request guards and response headers: text PostgreSQL cannot store is refused; a same-origin CSP, no framing,
no sniffing, no caching of private pages."""
from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

from sellerkit.errors import refuse_nul_fields

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint != "static":
        # Buyer conversations must not stay in a shared computer's cache after logout. Every page and API answer
        # says so: asking whether someone is logged in would cost an API request a session look-up of its own.
        headers.setdefault("Cache-Control", "no-store")
    return response


def refuse_nul_in_query():
    """A filter or search with a NUL character is refused up front: PostgreSQL cannot compare text with one."""
    refuse_nul_fields(request.args.items(multi=True))


def init_app(app):
    app.before_request(refuse_nul_in_query)
    app.after_request(add_security_headers)
    proxies = int(app.config.get("TRUSTED_PROXIES", 0) or 0)
    if proxies:
        # Behind a reverse proxy, trust its X-Forwarded-For/Proto so login throttling sees the real address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
