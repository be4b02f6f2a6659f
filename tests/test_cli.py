"""The sellerkit command: users, tokens, the scheduler, and the installed entry point."""
import os
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import select

from sellerkit.accounts.models import LoginFailure, User
from sellerkit.clock import utcnow


def test_create_user_then_log_in(app, client, db):
    result = app.test_cli_runner().invoke(args=["create-user", "Ana@Example.com", "--password", "long enough pw",
                                                "--name", "Ana"])
    assert result.exit_code == 0, result.output
    assert db.scalar(select(User.display_name)) == "Ana"
    assert client.post("/login", data={"email": "ana@example.com", "password": "long enough pw"}).status_code == 302


def test_create_user_refuses_a_weak_password(app, db):
    result = app.test_cli_runner().invoke(args=["create-user", "ana@example.com", "--password", "short"])
    assert result.exit_code != 0 and "at least 10 characters" in result.output
    assert db.count(User) == 0


def test_create_token_prints_the_token_alone_on_the_last_line(app, client, make_user, make_shop):
    make_shop(make_user())
    result = app.test_cli_runner().invoke(args=["create-token", "owner@example.com", "--name", "importer"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("sk_") and " " not in token
    response = client.get("/api/v1/shops", headers={"Authorization": f"Bearer {token}"})
    assert [shop["name"] for shop in response.json["shops"]] == ["Amber Studio"]


def test_create_token_for_an_unknown_user_fails_clearly(app):
    result = app.test_cli_runner().invoke(args=["create-token", "nobody@example.com", "--name", "x"])
    assert result.exit_code != 0 and "No user" in result.output


def test_scheduler_once_purges_stale_login_failures(app, db):
    def add_failures(session):
        session.add(LoginFailure(email="a@example.com", ip_address="::1", attempted_at=utcnow() - timedelta(days=2)))
        session.add(LoginFailure(email="a@example.com", ip_address="::1", attempted_at=utcnow()))

    db.update(add_failures)
    result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert db.count(LoginFailure) == 1


def test_installed_command_upgrades_an_empty_database(tmp_path):
    """`sellerkit db upgrade` as make run calls it: a new SQLite file in the instance folder, up to date."""
    env = {**os.environ, "SELLERKIT_ENV": "development", "SELLERKIT_INSTANCE_PATH": str(tmp_path)}
    env.pop("SELLERKIT_DATABASE_URL", None)
    command = os.path.join(os.path.dirname(sys.executable), "sellerkit")
    upgrade = subprocess.run([command, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120)
    assert upgrade.returncode == 0, upgrade.stderr
    assert (tmp_path / "sellerkit.db").exists()
    current = subprocess.run([command, "db", "current"], env=env, capture_output=True, text=True, timeout=120)
    assert "(head)" in current.stdout


def _clean_environment(tmp_path, **settings):
    env = {name: value for name, value in os.environ.items() if not name.startswith("SELLERKIT_")}
    return {**env, "SELLERKIT_INSTANCE_PATH": str(tmp_path), **settings}


def test_help_without_a_secret_key_prints_the_one_line_that_says_what_to_set(tmp_path):
    command = os.path.join(os.path.dirname(sys.executable), "sellerkit")
    result = subprocess.run([command, "--help"], env=_clean_environment(tmp_path), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"sellerkit refuses to start in production without a secret key: set SELLERKIT_SECRET_KEY or write a long "
        f"random string to {tmp_path / 'secret_key'}."]


def test_a_command_without_a_public_address_in_production_prints_one_line(tmp_path):
    command = os.path.join(os.path.dirname(sys.executable), "sellerkit")
    result = subprocess.run([command, "scheduler", "--once"], env=_clean_environment(
        tmp_path, SELLERKIT_SECRET_KEY="x" * 40), capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert "without its public address: set SELLERKIT_PUBLIC_URL" in result.stderr
