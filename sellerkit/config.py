"""Configuration in order: defaults, instance/config.py, SELLERKIT_* environment variables, test config."""
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY_FILE = "secret_key"


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message tells the operator what to change."""


DEFAULTS = {
    #: "development" (make run: plain http on 127.0.0.1) or "production" (Secure cookies, strict start checks).
    "ENV": "production",
    "DEBUG": False,
    "DATABASE_URL": None,
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "MAX_CONTENT_LENGTH": 60 * 1024 * 1024,
    "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
    "SESSION_COOKIE_NAME": "sellerkit_session",
    #: How long one live stream runs before the browser reconnects (and the member's shops are read again).
    "LIVE_STREAM_SECONDS": 300,
    #: A process's reader of live events stops once no stream has used it this long; the next stream starts it.
    "LIVE_READER_IDLE_SECONDS": 60,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,
    # A seller may keep a form open for hours; the token stays valid as long as the session.
    "WTF_CSRF_TIME_LIMIT": None,
    # WTForms ships no Bengali messages: our own catalogs translate every form message.
    "WTF_I18N_ENABLED": False,
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
    #: The Fernet key that encrypts channel credentials (SELLERKIT_CHANNEL_KEY); unset, instance/channel_key.
    "CHANNEL_KEY": None,
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_USE_STARTTLS": False,
    #: Implicit TLS from the first byte (SMTPS, usually port 465) instead of STARTTLS.
    "MAIL_USE_SSL": False,
    #: A CA bundle to trust for the mail server's certificate besides the system's (a private CA).
    "MAIL_CA_FILE": None,
    "MAIL_FROM": "sellerkit@localhost",
    #: The address every link in a mail starts with (https://shop.example.com); never taken from a request.
    "PUBLIC_URL": None,
    #: Failed logins per (account, address) and per address before a 429.
    "LOGIN_MAX_FAILURES": 10,
    "LOGIN_MAX_ADDRESS_FAILURES": 30,
    #: Failed logins per account, from addresses that never logged in to it, before those addresses wait too.
    "LOGIN_MAX_ACCOUNT_FAILURES": 100,
    "LOGIN_WINDOW": timedelta(minutes=15),
    "PASSWORD_RESET_TTL": timedelta(hours=1),
    #: Reset requests per e-mail and per address in PASSWORD_RESET_WINDOW, so the form cannot flood a mailbox.
    "PASSWORD_RESET_MAX_PER_EMAIL": 3,
    "PASSWORD_RESET_MAX_PER_ADDRESS": 10,
    "PASSWORD_RESET_WINDOW": timedelta(hours=1),
    "MIN_PASSWORD_LENGTH": 10,
    #: Where `db upgrade --backup-first` and the daily backup write their archives (default: instance/backups).
    "BACKUP_DIR": None,
    #: How many daily backups stay in BACKUP_DIR; older ones are deleted after each new one.
    "BACKUP_KEEP": 7,
    #: "HH:MM" in UTC: the scheduler takes a backup each day after this time. Unset: no scheduled backups.
    "BACKUP_DAILY_AT": None,
    #: The folder of pg_dump and pg_restore when they are not on PATH.
    "PG_BIN_DIR": None,
    #: A bearer token for /metrics; unset, only the machine itself (loopback) may scrape it.
    "METRICS_TOKEN": None,
    #: "text" or "json" (one JSON object per line, with the request id).
    "LOG_FORMAT": "text",
    #: The largest message file a seller may upload in the browser (the command takes any size).
    "IMPORT_MAX_MB": 50,
    #: Where uploaded message files wait for their import (default: instance/imports).
    "IMPORTS_DIR": None,
}


def load_config(app, test_config=None):
    """Fill app.config in the documented order and check that the result is safe to run."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile(os.path.join(app.instance_path, "config.py"), silent=True)
    app.config.from_prefixed_env(prefix="SELLERKIT")
    if test_config:
        app.config.from_mapping(test_config)
    if app.config["ENV"] not in ("development", "production"):
        raise ConfigError(f"SELLERKIT_ENV must be 'development' or 'production', not {app.config['ENV']!r}.")
    if app.config["ENV"] == "development":
        app.config["SESSION_COOKIE_SECURE"] = False
    _check_operations(app.config)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(app)
    app.config["PUBLIC_URL"] = public_url(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app)
    _refuse_unsafe_production(app)


def _check_operations(config):
    from sellerkit.system.domain import parse_daily_at

    try:
        parse_daily_at(config["BACKUP_DAILY_AT"])
    except ValueError as error:
        raise ConfigError(f"SELLERKIT_{error}.") from error
    keep = config["BACKUP_KEEP"]
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise ConfigError(f"SELLERKIT_BACKUP_KEEP must be a whole number of backups, 1 or more, not {keep!r}.")
    if config["LOG_FORMAT"] not in ("text", "json"):
        raise ConfigError(f"SELLERKIT_LOG_FORMAT must be 'text' or 'json', not {config['LOG_FORMAT']!r}.")


def database_uri(app):
    """The SQLAlchemy URL: the configured one (plain postgresql:// means psycopg 3), else SQLite in instance/."""
    url = app.config.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + os.path.join(app.instance_path, "sellerkit.db")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def public_url(config):
    """The base of every link in a mail, without a trailing slash: PUBLIC_URL, else the SERVER_NAME of older
    setups (https in production), else in development this machine's `make run` address; None when unknown."""
    url = config.get("PUBLIC_URL")
    development = config["ENV"] == "development"
    if not url and config.get("SERVER_NAME"):
        url = ("http://" if development else "https://") + config["SERVER_NAME"]
    if not url and development:
        url = "http://127.0.0.1:5000"
    if not url:
        return None
    parts = urlsplit(str(url))
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"SELLERKIT_PUBLIC_URL must be an address such as https://shop.example.com, not {url!r}.")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _instance_secret_key(app):
    """Read instance/secret_key; in development write a new random one on first run."""
    path = Path(app.instance_path) / SECRET_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    if app.config["ENV"] != "development" or app.testing:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created with owner-only permissions so other local users cannot forge sessions.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it a moment ago
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def _refuse_unsafe_production(app):
    if app.testing:
        return
    if app.config["ENV"] == "production":
        if not app.config.get("SECRET_KEY"):
            raise ConfigError(
                "sellerkit refuses to start in production without a secret key: set SELLERKIT_SECRET_KEY "
                f"or write a long random string to {Path(app.instance_path) / SECRET_KEY_FILE}."
            )
        if not app.config.get("PUBLIC_URL"):
            raise ConfigError(
                "sellerkit refuses to start in production without its public address: set SELLERKIT_PUBLIC_URL "
                "(such as https://shop.example.com), which every link in a mail starts with.")
        if app.config.get("DEBUG"):
            raise ConfigError("sellerkit refuses to start in production with DEBUG on: unset SELLERKIT_DEBUG.")
