"""Fixtures: an app on a migrated database (SQLite, or PostgreSQL at SELLERKIT_TEST_DATABASE_URL), clients, makers."""
import os
from datetime import UTC, datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from sellerkit import create_app
from sellerkit.accounts import services as accounts
from sellerkit.database import READ_ONLY
from sellerkit.extensions import db as _db
from sellerkit.live.waker import stop_reader
from sellerkit.shops import services as shops
from tests.browser import CHROMIUM, chromium_available

# The real SMTP server and HTTP receiver fixtures, and the real IMAP server (Dovecot).
pytest_plugins = ["tests.servers", "tests.imap_server"]

PASSWORD = "correct horse battery"


def pytest_report_header(config):
    from tests import nginx  # it uses the servers plugin too
    from tests.imap_server import DOVECOT, dovecot_available  # a plugin: imported once pytest has loaded it

    browser = f"browser tests: on ({CHROMIUM})" if chromium_available() else \
        f"browser tests: NOT RUN, {CHROMIUM} is missing (apt-get install chromium to run them)"
    imap = f"IMAP tests: on ({DOVECOT})" if dovecot_available() else \
        f"IMAP tests: NOT RUN, {DOVECOT} is missing (apt-get install dovecot-imapd to run them)"
    proxy = f"nginx tests: on ({nginx.NGINX})" if nginx.NGINX else \
        "nginx tests: NOT RUN, nginx is missing (apt-get install nginx-light to run them)"
    return [browser, imap, proxy]


def pytest_collection_modifyitems(config, items):
    from tests import nginx
    from tests.imap_server import DOVECOT, dovecot_available

    # Real parts that a developer's machine may lack: reported as not run there, required in CI.
    for marker, available, program, package in (("browser", chromium_available(), CHROMIUM, "chromium"),
                                                ("dovecot", dovecot_available(), DOVECOT, "dovecot-imapd"),
                                                ("nginx", nginx.NGINX is not None, "nginx", "nginx-light")):
        if available:
            continue
        if os.environ.get("SELLERKIT_REQUIRE_BROWSER"):
            raise pytest.UsageError(f"{program} is missing and SELLERKIT_REQUIRE_BROWSER is set: install {package}.")
        skip = pytest.mark.skip(reason=f"{program} is not installed (apt-get install {package})")
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return os.environ.get("SELLERKIT_TEST_DATABASE_URL") or \
        "sqlite:///" + str(tmp_path_factory.mktemp("database") / "sellerkit-test.db")


def build_config(database_url, instance_path, **overrides):
    return {
        "TESTING": True,
        "ENV": "development",
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance_path),
        "WTF_CSRF_ENABLED": False,
        # A live stream ends this soon in tests (the browser reconnects), so that reading one to its end is quick.
        "LIVE_STREAM_SECONDS": 1,
        "LIVE_READER_IDLE_SECONDS": 2,
        "ATTACHMENTS_DIR": str(instance_path / "attachments"),
        **overrides,
    }


def _reset_schema(app):
    """Start the session from an empty database, then build it with the migrations (as make run does)."""
    with app.app_context():
        engine = _db.engine
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            else:
                for (name,) in connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).all():
                    connection.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
        upgrade()
        engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(database_url, tmp_path_factory):
    app = create_app(build_config(database_url, tmp_path_factory.mktemp("instance")))
    _reset_schema(app)
    return database_url


def _empty_all_tables(app):
    with app.app_context():
        _db.session.remove()
        tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
        with _db.engine.begin() as connection:
            if _db.engine.dialect.name == "postgresql":
                names = ", ".join(f'"{t}"' for t in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables + ["message_search", "ticket_search"]:
                    connection.execute(text(f'DELETE FROM "{table}"'))
        _db.engine.dispose()


@pytest.fixture
def make_app(migrated_database, tmp_path):
    """Build apps on the test database with extra configuration; every table is emptied afterwards."""
    apps = []

    def build(**overrides):
        app = create_app(build_config(migrated_database, tmp_path / "instance", **overrides))
        apps.append(app)
        return app

    yield build
    for app in apps:
        stop_reader(app.extensions)  # the live streams' reader holds connections of the engine disposed here
        with app.app_context():
            _db.engine.dispose()
    if apps:
        _empty_all_tables(create_app(build_config(migrated_database, tmp_path / "instance")))


@pytest.fixture
def app(make_app):
    return make_app()


class DatabaseProbe:
    """Reads the database as it is now: every call runs in a fresh app context, outside the client's requests.

    A long-lived context in the test would share `g` and an old read snapshot with the requests under test.
    """

    def __init__(self, app):
        self.app = app

    def _run(self, work, read_only=False):
        with self.app.app_context():
            try:
                if read_only:
                    # A look while other processes write: on SQLite it must not queue for the write lock.
                    _db.session.connection(execution_options={READ_ONLY: True})
                return work(_db.session)
            finally:
                _db.session.remove()

    def scalar(self, statement):
        return self._run(lambda session: session.scalar(statement), read_only=True)

    def scalars(self, statement):
        return self._run(lambda session: session.scalars(statement).all(), read_only=True)

    def count(self, model, *where):
        from sqlalchemy import func, select

        return self.scalar(select(func.count()).select_from(model).where(*where))

    def get(self, model, ident):
        return self._run(lambda session: session.get(model, ident), read_only=True)

    def update(self, work):
        """Change rows directly (to set up a case the UI cannot reach, such as an expired token)."""
        def run(session):
            work(session)
            session.commit()
        return self._run(run)


@pytest.fixture
def db(app):
    return DatabaseProbe(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    def make(email="owner@example.com", password=PASSWORD, name="", locale=None):
        with app.app_context():
            user = accounts.sign_up(email, password, name, locale, NOW, app.config["MIN_PASSWORD_LENGTH"])
            _db.session.commit()
            return user.id
    return make


@pytest.fixture
def make_shop(app):
    def make(owner_id, name="Amber Studio", platform="etsy", default_language="en", timezone_name="Europe/Warsaw"):
        with app.app_context():
            from sellerkit.accounts.models import User

            shop = shops.create_shop(_db.session.get(User, owner_id), name, platform, default_language,
                                     timezone_name, NOW)
            _db.session.commit()
            return shop.id
    return make


@pytest.fixture
def add_member(app):
    def add(shop_id, user_id, role="agent"):
        with app.app_context():
            from sellerkit.shops.models import Membership

            _db.session.add(Membership(shop_id=shop_id, user_id=user_id, role=role, created_at=NOW))
            _db.session.commit()
    return add


@pytest.fixture
def make_conversation(app):
    """A buyer thread in a shop with a PNG attachment and one manual reply: returns the ids a test needs."""
    def make(shop_id, author_id, external_id="msg-1", body="Where is my order?", buyer_id="buyer-1"):
        import io

        from sellerkit import inbox
        from sellerkit.accounts.models import User
        from sellerkit.shops.models import Shop
        from sellerkit.threads.domain import Inbound
        from tests.samples import png

        with app.app_context():
            shop = _db.session.get(Shop, shop_id)
            received = inbox.receive_buyer_message(shop, Inbound(
                external_id=f"{shop_id}-{external_id}", body=body, received_at=NOW, buyer_external_id=buyer_id,
                buyer_name="Maryam", subject="Order question", order_reference=f"ORD-{shop_id}"),
                NOW, files=[("photo.png", io.BytesIO(png()))])
            reply = inbox.send_reply(shop, received.thread, _db.session.get(User, author_id), "On its way!", NOW)
            _db.session.commit()
            from sqlalchemy import select

            from sellerkit.outbox.models import OutboxItem

            return {"thread_id": received.thread.id, "attachment_id": received.message.attachments[0].id,
                    "item_id": _db.session.scalar(select(OutboxItem.id).where(OutboxItem.message_id == reply.id))}
    return make


@pytest.fixture
def make_saved_reply(app):
    """A shared saved reply in a shop: returns its id."""
    def make(shop_id, title="Shipping time", shortcut=None, bodies=None):
        from sellerkit.replies.models import SavedReply, SavedReplyVariant

        with app.app_context():
            reply = SavedReply(shop_id=shop_id, title=title, shortcut=shortcut, folder="", usage_count=0,
                               created_at=NOW, updated_at=NOW)
            reply.variants = [SavedReplyVariant(language=language, body=body) for language, body in
                              (bodies or {"en": "Hi {buyer_name|there}, it ships in 2 days."}).items()]
            _db.session.add(reply)
            _db.session.commit()
            return reply.id
    return make


@pytest.fixture
def publish_policy(app):
    """Publish a version of a policy section (options changed from the defaults by `changes`)."""
    def publish(shop_id, owner_id, section="returns", now=NOW, free_text="", **changes):
        from sqlalchemy import select

        from sellerkit.policies import services as policies
        from sellerkit.policies.domain import DEFAULT_OPTIONS
        from sellerkit.shops.models import Membership

        with app.app_context():
            membership = _db.session.scalar(select(Membership).where(Membership.shop_id == shop_id,
                                                                     Membership.user_id == owner_id))
            policies.save_draft(membership, section, {**DEFAULT_OPTIONS[section], **changes}, free_text, now)
            version = policies.publish(membership, section, now)
            _db.session.commit()
            return version.number
    return publish


@pytest.fixture
def make_vacation(app):
    """A vacation in a shop (by default a past one, from NOW minus 20 days for a week): returns its id."""
    def make(shop_id, starts_at=None, days=7, bodies=None):
        from datetime import timedelta

        from sellerkit.autoreply.models import Vacation, VacationMessage
        from sellerkit.shops.models import Shop
        from sellerkit.shops.stamped import renew_stamp

        with app.app_context():
            start = starts_at or NOW - timedelta(days=20)
            vacation = Vacation(shop_id=shop_id, starts_at=start, ends_at=start + timedelta(days=days), created_at=NOW)
            vacation.messages = [VacationMessage(language=language, body=body) for language, body in
                                 (bodies or {"en": "I'm away until {vacation_return_date}."}).items()]
            _db.session.add(vacation)
            # Written past the service, so it renews the shop's stamp as plan_vacation does.
            renew_stamp(_db.session.get(Shop, shop_id))
            _db.session.commit()
            return vacation.id
    return make


class Auth:
    """Logs a test client in and out through the real pages."""

    def __init__(self, client):
        self.client = client

    def login(self, email="owner@example.com", password=PASSWORD):
        response = self.client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def make_campaign(app):
    """A follow-up campaign (off, no coupon, 14 days after delivery) in a shop: returns its id."""
    def make(shop_id, bodies=None, trigger="after_delivery", days=14, min_days_between=30, coupon_mode="none",
             *, coupon_id=None, coupon_pool=None, active=False, activated_at=NOW):
        from sellerkit.followups.models import Campaign, CampaignMessage

        with app.app_context():
            campaign = Campaign(shop_id=shop_id, name="Thank you", trigger=trigger, days=days,
                                min_days_between=min_days_between, coupon_mode=coupon_mode, coupon_id=coupon_id,
                                coupon_pool=coupon_pool, is_active=active,
                                activated_at=activated_at if active else None,
                                created_at=NOW, updated_at=NOW)
            bodies = bodies or {"en": "Hi {buyer_name|there}, thanks for order {order_reference}!"}
            campaign.messages = [CampaignMessage(language=language, body=body) for language, body in bodies.items()]
            _db.session.add(campaign)
            _db.session.commit()
            return campaign.id
    return make


@pytest.fixture
def make_import(app):
    """A finished import of a message file, as the upload page and the scheduler leave one: returns its id."""
    def make(shop_id, filename="messages.csv"):
        from sellerkit.imports.models import ImportJob

        with app.app_context():
            job = ImportJob(shop_id=shop_id, filename=filename, stored_name="imported.csv", file_format="csv",
                            size_bytes=10, locale="en", status="done", bytes_done=10, lines_done=2, rows_done=1,
                            messages_new=1, duplicates=0, errors_count=0, errors=[], attempts=1, created_at=NOW)
            _db.session.add(job)
            _db.session.commit()
            return job.id
    return make


@pytest.fixture
def make_channel(app, tmp_path):
    """A channel of the fake kind (tests/fakechannel.py) whose platform is a file of `count` messages; returns
    (channel id, path of the messages file)."""
    from sellerkit.channels.crypto import encrypt_secrets
    from sellerkit.channels.models import Channel
    from tests import fakechannel

    fakechannel.register(app)
    made = []

    def make(shop_id, count=0, name="Fake channel", secrets=None, now=NOW, kind=fakechannel.NAME, **settings):
        source = tmp_path / f"channel-{len(made)}.jsonl"
        source.touch()
        fakechannel.write_messages(source, count)
        secrets = {"password": "right"} if secrets is None else secrets
        with app.app_context():
            channel = Channel(shop_id=shop_id, kind=kind, name=name, is_paused=False,
                              settings={"source": str(source), **settings},
                              secrets=encrypt_secrets(secrets), next_fetch_at=now,
                              consecutive_failures=0, fetched_today=0, is_backfilled=False, created_at=now,
                              updated_at=now)
            _db.session.add(channel)
            _db.session.commit()
            made.append(channel.id)
            return channel.id, source

    return make
