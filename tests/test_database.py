"""The database layer: migrations, SQLite settings, concurrent writers, aware UTC times, how transactions end."""
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, func, select, text

from sellerkit import jobs
from sellerkit.accounts.models import LoginFailure
from sellerkit.database import SQLITE_AUTOCHECKPOINT_PAGES
from sellerkit.extensions import db as sqla
from sellerkit.threads.search import is_search_table
from tests.concurrency import run_together
from tests.conftest import NOW, PASSWORD


def test_migrations_match_the_models(app):
    with app.app_context():
        with sqla.engine.connect() as connection:
            # The full-text search table is made per dialect by its migration, outside the models.
            context = MigrationContext.configure(connection, opts={
                "compare_type": True,
                "include_name": lambda name, kind, parents: not (kind == "table" and is_search_table(name))})
            differences = compare_metadata(context, sqla.metadata)
    assert differences == [], f"models and migrations disagree; run 'sellerkit db migrate': {differences}"


def test_engine_is_set_up_for_its_database(app):
    """SQLite: WAL, a busy timeout and foreign keys on every connection; PostgreSQL: a ping before each checkout."""
    with app.app_context():
        engine = sqla.engine
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
                assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == SQLITE_AUTOCHECKPOINT_PAGES
        else:
            assert engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"
            assert engine.pool._pre_ping


def test_the_scheduler_moves_the_write_ahead_log_into_the_database(app):
    with app.app_context():
        for number in range(50):
            sqla.session.add(LoginFailure(email=f"someone{number}@example.com", ip_address="192.0.2.1",
                                          attempted_at=datetime(2026, 11, 23, tzinfo=UTC)))
            sqla.session.commit()
        if sqla.engine.dialect.name != "sqlite":
            assert jobs.checkpoint_database() is None  # PostgreSQL keeps its own log
            return
        # With the safety net far away, the commits above left their pages in the log, and the job copies
        # every one of them without waiting for anyone.
        busy, frames, copied = jobs.checkpoint_database()
        assert busy == 0 and frames > 0 and copied == frames


def test_many_concurrent_writers_never_see_database_is_locked(make_app):
    """Eight threads, each with its own app (as separate workers would be), write at the same time."""
    apps = [make_app() for _ in range(8)]
    moment = datetime(2026, 11, 23, tzinfo=UTC)

    def writer(app, number):
        def write():
            for attempt in range(25):
                with app.app_context():
                    # Read first, then write: the pattern that fails with a deferred BEGIN on SQLite.
                    sqla.session.scalar(select(LoginFailure.id).limit(1))
                    sqla.session.add(LoginFailure(email=f"w{number}@example.com", ip_address="127.0.0.1",
                                                  attempted_at=moment + timedelta(seconds=attempt)))
                    sqla.session.commit()
        return write

    assert run_together([writer(app, number) for number, app in enumerate(apps)]) == []
    with apps[0].app_context():
        assert sqla.session.scalar(text("SELECT count(*) FROM login_failures")) == 8 * 25


def test_times_come_back_as_aware_utc(app):
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    with app.app_context():
        sqla.session.add(LoginFailure(email="a@example.com", ip_address="::1", attempted_at=moment))
        sqla.session.commit()
        sqla.session.expunge_all()
        stored = sqla.session.scalar(select(LoginFailure.attempted_at))
    assert stored == moment and stored.tzinfo is not None and stored.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(app):
    with app.app_context():
        sqla.session.add(LoginFailure(email="a@example.com", ip_address="::1", attempted_at=datetime(2026, 1, 1)))
        with pytest.raises(Exception, match="aware"):
            sqla.session.flush()
        sqla.session.rollback()


def test_unreachable_database_answers_503(make_app):
    """While the database is away, pages fail cleanly with a translated 503 instead of a crash."""
    down = make_app(DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/none",
                    SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}})
    response = down.test_client().get("/", headers={"Accept-Language": "pl"})
    assert response.status_code == 503
    assert "database" not in response.get_data(as_text=True)  # the Polish message, not the English one
    api = down.test_client().get("/api/v1/shops", headers={"Authorization": "Bearer sk_x"})
    assert api.status_code == 503 and api.json["error"]["code"] == "database_unavailable"


def _transaction_endings(app, work):
    """(commits, rollbacks) the engine saw while `work` ran."""
    seen = {"commit": 0, "rollback": 0}
    with app.app_context():
        engine = sqla.engine
    listeners = {name: (lambda conn, name=name: seen.__setitem__(name, seen[name] + 1)) for name in seen}
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    try:
        work()
    finally:
        for name, listener in listeners.items():
            event.remove(engine, name, listener)
    return seen["commit"], seen["rollback"]


def test_a_page_that_only_reads_keeps_postgresqls_prepared_statements(app, client, make_user, make_shop):
    """psycopg forgets its prepared statements on ROLLBACK; a page that only read ends with COMMIT instead, so
    PostgreSQL stops planning the same queries for every page. SQLite has nothing to keep and rolls back."""
    make_shop(make_user())
    client.post("/login", data={"email": "owner@example.com", "password": PASSWORD})
    commits, rollbacks = _transaction_endings(app, lambda: client.get("/inbox"))
    with app.app_context():
        postgresql = sqla.engine.dialect.name == "postgresql"
    assert (commits, rollbacks) == ((1, 0) if postgresql else (0, 1))
    if postgresql:
        for _ in range(6):  # psycopg prepares a statement on its sixth run on a connection
            assert client.get("/inbox").status_code == 200
        with app.app_context():
            prepared = sqla.session.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
        assert any("JOIN user_sessions" in statement for statement in prepared)


def test_a_request_that_wrote_without_committing_leaves_nothing(app):
    """Only a transaction that sent nothing but SELECT ends with COMMIT: a change flushed, written straight to
    the driver or still pending is rolled back as before."""
    failure = {"email": "nobody@example.com", "ip_address": "192.0.2.1"}

    @app.get("/test-flushed")
    def flushed():
        sqla.session.add(LoginFailure(**failure, attempted_at=NOW))
        sqla.session.flush()
        sqla.session.expunge_all()  # nothing pending any more: only the statement sent tells
        return "kept?"

    @app.get("/test-driver")
    def driver():
        sqla.session.scalar(select(LoginFailure.id))
        sqla.session.connection().exec_driver_sql(
            "INSERT INTO login_failures (email, ip_address, attempted_at) VALUES ('x@example.com', '192.0.2.1', "
            "CURRENT_TIMESTAMP)")
        return "kept?"

    @app.get("/test-pending")
    def pending():
        sqla.session.scalar(select(LoginFailure.id))
        sqla.session.add(LoginFailure(**failure, attempted_at=NOW))
        return "kept?"

    client = app.test_client()
    for path in ("/test-flushed", "/test-driver", "/test-pending"):
        commits, rollbacks = _transaction_endings(app, lambda path=path: client.get(path))
        assert (commits, rollbacks) == (0, 1), path
    with app.app_context():
        assert sqla.session.scalar(select(func.count()).select_from(LoginFailure)) == 0
