"""create_app: configuration, extensions, blueprints and commands; it starts nothing and connects to nothing."""
import os

from flask import Flask
from werkzeug.routing import IntegerConverter

from sellerkit import errorpages, i18n, jsoninput, security
from sellerkit.accounts import login
from sellerkit.config import PROJECT_ROOT, load_config
from sellerkit.database import MAX_DATABASE_ID, configure_engine, end_reading_with_commit, engine_options
from sellerkit.extensions import babel, csrf, db


def create_app(config=None, migrations=True):
    """The app for commands, tests and `make run`; `migrations=False` leaves out the `db` commands (Alembic)."""
    config = dict(config or {})
    instance_path = config.pop("INSTANCE_PATH", None) or os.environ.get("SELLERKIT_INSTANCE_PATH") \
        or str(PROJECT_ROOT / "instance")
    app = Flask("sellerkit", instance_path=os.path.abspath(instance_path),
                template_folder=str(PROJECT_ROOT / "templates"))
    app.json = jsoninput.JSONProvider(app)
    load_config(app, config)
    _init_extensions(app)
    if migrations:
        # Imported here: Flask-Migrate brings Alembic and Mako, which a web worker never uses.
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True)
    _register_blueprints(app)
    _register_outbound_kinds(app)
    errorpages.init_app(app)
    security.init_app(app)

    from sellerkit import cli

    cli.init_app(app)
    return app


def create_web_app(config=None):
    """The app for web workers (`gunicorn 'sellerkit:create_web_app()'`): everything but the migration commands."""
    return create_app(config, migrations=False)


def _init_extensions(app):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**engine_options(uri), **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    _import_models()
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            configure_engine(engine)
    if not uri.startswith("sqlite"):  # SQLite keeps no prepared statements for a commit to save
        app.teardown_request(_end_read_only_transaction)
    from sellerkit.shops.context import page_timezone

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=page_timezone)
    csrf.init_app(app)
    login.init_app(app)
    i18n.init_app(app)


def _end_read_only_transaction(exception):
    # Runs before Flask-SQLAlchemy's teardown, which closes the session (a rollback).
    if exception is None:
        end_reading_with_commit(db.session())


def _import_models():
    """Every model module, so that the metadata (and so migrations) knows every table."""
    from sellerkit.accounts import models as _accounts  # noqa: F401
    from sellerkit.attachments import models as _attachments  # noqa: F401
    from sellerkit.autoreply import models as _autoreply  # noqa: F401
    from sellerkit.channels import models as _channels  # noqa: F401
    from sellerkit.channels import ratelimit as _ratelimit  # noqa: F401
    from sellerkit.consent import models as _consent  # noqa: F401
    from sellerkit.coupons import models as _coupons  # noqa: F401
    from sellerkit.followups import models as _followups  # noqa: F401
    from sellerkit.imports import models as _imports  # noqa: F401
    from sellerkit.live import models as _live  # noqa: F401
    from sellerkit.notices import models as _notices  # noqa: F401
    from sellerkit.outbox import models as _outbox  # noqa: F401
    from sellerkit.policies import models as _policies  # noqa: F401
    from sellerkit.replies import models as _replies  # noqa: F401
    from sellerkit.shops import models as _shops  # noqa: F401
    from sellerkit.sla import models as _sla  # noqa: F401
    from sellerkit.suggestions import models as _suggestions  # noqa: F401
    from sellerkit.system import models as _system  # noqa: F401
    from sellerkit.threads import models as _threads  # noqa: F401
    from sellerkit.tickets import models as _tickets  # noqa: F401


class DatabaseIdConverter(IntegerConverter):
    """Every <int:...> in a URL is a database id, 1 to MAX_DATABASE_ID. Anything larger is simply not found,
    instead of overflowing the database driver."""

    def __init__(self, url_map, fixed_digits=0, min=1, max=MAX_DATABASE_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _register_outbound_kinds(app):
    """Each kind of outbox item registers the builder that turns it into a delivery; each channel kind itself."""
    from sellerkit import inbox as replies
    from sellerkit.accounts import mail as account_mail
    from sellerkit.channels import outbound as channel_transport
    from sellerkit.channels import registry as channel_kinds
    from sellerkit.followups import outbound as follow_up_mail
    from sellerkit.notices import mail as notices
    from sellerkit.tickets import mail as ticket_mail

    for feature in (replies, follow_up_mail, ticket_mail, account_mail, notices, channel_transport, channel_kinds):
        feature.init_app(app)


def _register_blueprints(app):
    app.url_map.converters["int"] = DatabaseIdConverter
    from sellerkit.accounts import settings_views
    from sellerkit.accounts import views as account_views
    from sellerkit.api import core as api
    from sellerkit.attachments import labels as attachment_labels
    from sellerkit.autoreply import views as vacation_views
    from sellerkit.channels import views as channel_views
    from sellerkit.connect import views as connect_views
    from sellerkit.consent import views as consent_views
    from sellerkit.coupons import labels as coupon_labels
    from sellerkit.coupons import views as coupon_views
    from sellerkit.followups import views as followup_views
    from sellerkit.imports import views as import_views
    from sellerkit.live import views as live_views
    from sellerkit.outbox import labels as outbox_labels
    from sellerkit.policies import views as policy_views
    from sellerkit.replies import views as reply_views
    from sellerkit.shops import labels
    from sellerkit.shops import views as shop_views
    from sellerkit.shops.context import switcher_context
    from sellerkit.sla import views as response_views
    from sellerkit.system import logs, metrics
    from sellerkit.system import views as system_views
    from sellerkit.threads import labels as thread_labels
    from sellerkit.threads import outbox_views
    from sellerkit.threads import views as thread_views
    from sellerkit.tickets import rules_views as dispute_rule_views
    from sellerkit.tickets import views as ticket_views

    app.register_blueprint(account_views.bp)
    app.register_blueprint(settings_views.bp)
    app.register_blueprint(shop_views.bp)
    app.register_blueprint(thread_views.bp)
    app.register_blueprint(connect_views.bp)
    app.register_blueprint(import_views.bp)
    app.register_blueprint(outbox_views.bp)
    app.register_blueprint(reply_views.bp)
    app.register_blueprint(policy_views.bp)
    app.register_blueprint(vacation_views.bp)
    app.register_blueprint(response_views.bp)
    app.register_blueprint(coupon_views.bp)
    app.register_blueprint(consent_views.bp)
    app.register_blueprint(followup_views.bp)
    app.register_blueprint(ticket_views.bp)
    app.register_blueprint(dispute_rule_views.bp)
    app.register_blueprint(system_views.bp)
    app.register_blueprint(channel_views.bp)
    live_views.init_app(app)
    logs.init_app(app)
    metrics.init_app(app)
    api.init_app(app)
    csrf.exempt(api.bp)  # the API authenticates with bearer tokens, which a browser never sends on its own
    labels.init_app(app)
    thread_labels.init_app(app)
    coupon_labels.init_app(app)
    attachment_labels.init_app(app)
    outbox_labels.init_app(app)
    app.context_processor(switcher_context)
