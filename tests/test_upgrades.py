"""`sellerkit db upgrade` wants a recent backup of a database with data; the daily backup job and its retention."""
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from alembic.script import ScriptDirectory

from sellerkit import create_app
from sellerkit.config import PROJECT_ROOT, ConfigError
from sellerkit.extensions import db as sqla
from sellerkit.system import backups
from sellerkit.system.models import BackupRun
from tests.conftest import build_config

#: A revision before the system tables (backup records, administrators): any earlier one with users would do.
BEFORE_SYSTEM_TABLES = "f1a2b3c4d5e6"
HEAD = ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_current_head()


def _instance(tmp_path, **overrides):
    """An app on a SQLite file of its own (the shared test database stays at head)."""
    return create_app(build_config("sqlite:///" + str(tmp_path / "own.db"), tmp_path / "instance",
                                   BACKUP_DIR=str(tmp_path / "backups"), **overrides))


def _revision(tmp_path):
    with sqlite3.connect(tmp_path / "own.db") as connection:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def _with_a_user_before_the_upgrade(app, tmp_path):
    assert app.test_cli_runner().invoke(args=["db", "upgrade", BEFORE_SYSTEM_TABLES]).exit_code == 0
    with sqlite3.connect(tmp_path / "own.db") as connection:
        connection.execute("INSERT INTO users (email, password_hash, display_name, created_at) "
                           "VALUES ('seller@example.com', 'x', '', '2026-01-01 00:00:00')")


def test_a_fresh_instance_upgrades_without_a_backup_and_again_when_up_to_date(tmp_path):
    app = _instance(tmp_path)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["create-user", "a@example.com", "--password", "long enough pw"]).exit_code == 0
    # make run calls it on every start: nothing is pending, so nothing is asked for.
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert _revision(tmp_path) == HEAD
    assert not (tmp_path / "backups").exists()


def test_upgrading_a_database_with_data_and_no_recent_backup_is_refused(tmp_path):
    app = _instance(tmp_path)
    _with_a_user_before_the_upgrade(app, tmp_path)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code != 0
    assert "has no backup from the last 24 hours" in result.output
    assert _revision(tmp_path) == BEFORE_SYSTEM_TABLES


def test_backup_first_writes_a_backup_then_upgrades(tmp_path):
    app = _instance(tmp_path)
    _with_a_user_before_the_upgrade(app, tmp_path)
    result = app.test_cli_runner().invoke(args=["db", "upgrade", "--backup-first"])
    assert result.exit_code == 0, result.output
    assert _revision(tmp_path) == HEAD
    written = list((tmp_path / "backups").glob("sellerkit-*-upgrade.tar.gz"))
    assert len(written) == 1
    assert f"Backup written to {written[0]}" in result.output


def test_no_backup_upgrades_at_the_operators_word(tmp_path):
    app = _instance(tmp_path)
    _with_a_user_before_the_upgrade(app, tmp_path)
    result = app.test_cli_runner().invoke(args=["db", "upgrade", "--no-backup"])
    assert result.exit_code == 0, result.output
    assert _revision(tmp_path) == HEAD
    assert not (tmp_path / "backups").exists()


def test_the_oldest_user_of_an_upgraded_instance_administers_it(tmp_path):
    app = _instance(tmp_path)
    _with_a_user_before_the_upgrade(app, tmp_path)
    with sqlite3.connect(tmp_path / "own.db") as connection:
        connection.execute("INSERT INTO users (email, password_hash, display_name, created_at) "
                           "VALUES ('helper@example.com', 'x', '', '2026-02-01 00:00:00')")
    assert app.test_cli_runner().invoke(args=["db", "upgrade", "--no-backup"]).exit_code == 0
    with sqlite3.connect(tmp_path / "own.db") as connection:
        admins = connection.execute(
            "SELECT users.email FROM instance_admins JOIN users ON users.id = user_id").fetchall()
    assert admins == [("seller@example.com",)]


def _scheduled(app, now):
    with app.app_context():
        return backups.run_scheduled_backup(now, lambda: now + timedelta(seconds=3))


def test_daily_backups_are_off_by_default(app, db):
    assert _scheduled(app, datetime(2026, 12, 7, 23, 0, tzinfo=UTC)) is None
    assert db.count(BackupRun) == 0


def test_the_daily_backup_runs_once_a_day_after_its_time_and_keeps_the_newest(make_app, db, tmp_path):
    app = make_app(BACKUP_DAILY_AT="03:00", BACKUP_KEEP=2, BACKUP_DIR=str(tmp_path / "daily"))
    day = datetime(2026, 12, 7, tzinfo=UTC)
    assert _scheduled(app, day.replace(hour=2, minute=59)) is None
    first = _scheduled(app, day.replace(hour=3, minute=1))
    assert first.exists()
    assert _scheduled(app, day.replace(hour=9)) is None  # today's is taken
    for later in (1, 2):
        assert _scheduled(app, day.replace(hour=3, minute=1) + timedelta(days=later)).exists()
    assert not first.exists()
    assert len(list((tmp_path / "daily").glob("*.tar.gz"))) == 2
    assert db.count(BackupRun, BackupRun.status == "done") == 3


def test_two_schedulers_never_take_the_same_days_backup(make_app, db, tmp_path):
    app = make_app(BACKUP_DAILY_AT="03:00", BACKUP_DIR=str(tmp_path / "daily"))
    with app.app_context():
        from sellerkit.system import services

        now = datetime(2026, 12, 7, 4, tzinfo=UTC)
        assert services.claim_scheduled_backup("2026-12-07", now) is not None
        assert services.claim_scheduled_backup("2026-12-07", now) is None
        sqla.session.commit()
    assert db.count(BackupRun) == 1


def test_the_readme_upgrade_procedure_backup_then_upgrade(app, make_user, monkeypatch, tmp_path):
    """README, "Upgrading": a `sellerkit backup` taken first lets `db upgrade` run (here against a pretended newer
    release, so that a migration is pending on a database that records backups)."""
    from sellerkit.system import services

    make_user()
    monkeypatch.setattr(services, "migration_head", lambda: "b0c1d2e3f4a5")
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["db", "upgrade", "head"])
    assert refused.exit_code != 0
    assert "has no backup from the last 24 hours" in refused.output
    assert runner.invoke(args=["backup", str(tmp_path / "before-upgrade.tar.gz")]).exit_code == 0
    result = runner.invoke(args=["db", "upgrade", "head"])
    assert result.exit_code == 0, result.output


def test_the_readme_rollback_procedure_restores_the_backup_taken_before_the_upgrade(tmp_path):
    app = _instance(tmp_path)
    _with_a_user_before_the_upgrade(app, tmp_path)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(tmp_path / "before.tar.gz")]).exit_code == 0
    assert runner.invoke(args=["db", "upgrade", "--no-backup"]).exit_code == 0
    assert _revision(tmp_path) == HEAD

    result = runner.invoke(args=["restore", "--force", str(tmp_path / "before.tar.gz")])
    assert result.exit_code == 0, result.output
    assert _revision(tmp_path) == BEFORE_SYSTEM_TABLES
    with sqlite3.connect(tmp_path / "own.db") as connection:
        assert connection.execute("SELECT email FROM users").fetchall() == [("seller@example.com",)]


def test_a_malformed_backup_setting_stops_the_start_with_the_fix(tmp_path):
    with pytest.raises(ConfigError, match="BACKUP_DAILY_AT must be HH:MM"):
        _instance(tmp_path, BACKUP_DAILY_AT="3am")
    with pytest.raises(ConfigError, match="BACKUP_KEEP must be a whole number"):
        _instance(tmp_path, BACKUP_KEEP=0)


def test_a_daily_backup_left_running_by_a_dead_scheduler_is_taken_again(make_app, db, tmp_path):
    app = make_app(BACKUP_DAILY_AT="03:00", BACKUP_DIR=str(tmp_path / "daily"))
    day = datetime(2026, 12, 7, 3, 1, tzinfo=UTC)
    with app.app_context():
        from sellerkit.system import services

        services.claim_scheduled_backup("2026-12-07", day)  # and then the scheduler was killed
        sqla.session.commit()
    assert _scheduled(app, day + timedelta(hours=1)) is None  # it may still be writing
    assert _scheduled(app, day + timedelta(hours=7)).exists()
    assert db.count(BackupRun, BackupRun.status == "failed") == 1
    assert db.count(BackupRun, BackupRun.status == "done") == 1
