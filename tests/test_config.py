"""Configuration order, the generated secret key, and the refusal to start unsafely in production."""
import os

import pytest

from sellerkit import create_app, create_web_app
from sellerkit.config import ConfigError
from sellerkit.extensions import db
from sellerkit.links import public_link
from tests.conftest import build_config


def test_development_writes_a_secret_key_once(tmp_path):
    first = create_app({"INSTANCE_PATH": str(tmp_path), "ENV": "development"})
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert len(first.config["SECRET_KEY"]) >= 64
    second = create_app({"INSTANCE_PATH": str(tmp_path), "ENV": "development"})
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="without a secret key"):
        create_app({"INSTANCE_PATH": str(tmp_path), "ENV": "production"})
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_to_start_with_debug_on(tmp_path):
    with pytest.raises(ConfigError, match="DEBUG"):
        create_app({"INSTANCE_PATH": str(tmp_path), "ENV": "production", "SECRET_KEY": "x" * 40, "DEBUG": True,
                    "PUBLIC_URL": "https://shop.example.com"})


def test_production_refuses_to_start_without_its_public_address(tmp_path):
    with pytest.raises(ConfigError, match="SELLERKIT_PUBLIC_URL"):
        create_app({"INSTANCE_PATH": str(tmp_path), "ENV": "production", "SECRET_KEY": "x" * 40})


@pytest.mark.parametrize("settings, expected", [
    ({"ENV": "production", "PUBLIC_URL": "https://shop.example.com/"}, "https://shop.example.com"),
    ({"ENV": "production", "PUBLIC_URL": "https://example.com/sellerkit"}, "https://example.com/sellerkit"),
    ({"ENV": "production", "SERVER_NAME": "shop.example.com"}, "https://shop.example.com"),  # older setups
    ({"ENV": "development", "SERVER_NAME": "127.0.0.1:8080"}, "http://127.0.0.1:8080"),
    ({"ENV": "development"}, "http://127.0.0.1:5000"),  # make run on a fresh machine
])
def test_the_public_address_of_links_in_mail(tmp_path, settings, expected):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x" * 40, **settings})
    assert app.config["PUBLIC_URL"] == expected


def test_links_in_mail_keep_the_public_addresss_path(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "ENV": "development", "PUBLIC_URL": "https://example.com/sk/"})
    with app.app_context():
        assert public_link("accounts.reset_password", token="abc") == "https://example.com/sk/password/reset/abc"


@pytest.mark.parametrize("url", ["shop.example.com", "ftp://shop.example.com", "https://", "https://a.example/?x=1"])
def test_a_public_address_that_is_not_one_is_refused(tmp_path, url):
    with pytest.raises(ConfigError, match="SELLERKIT_PUBLIC_URL must be an address"):
        create_app({"INSTANCE_PATH": str(tmp_path), "ENV": "development", "PUBLIC_URL": url})


def test_order_defaults_instance_file_environment_then_test_config(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("MAIL_FROM = 'file@example.com'\nMAIL_PORT = 2525\nMIN_PASSWORD_LENGTH = 12\n")
    monkeypatch.setenv("SELLERKIT_MAIL_PORT", "2626")
    monkeypatch.setenv("SELLERKIT_MIN_PASSWORD_LENGTH", "14")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "ENV": "development", "MIN_PASSWORD_LENGTH": 16})
    assert app.config["MAIL_FROM"] == "file@example.com"   # the file overrides the default
    assert app.config["MAIL_PORT"] == 2626                 # the environment overrides the file
    assert app.config["MIN_PASSWORD_LENGTH"] == 16         # test config comes last
    assert app.config["LOGIN_MAX_FAILURES"] == 10          # untouched default


def test_database_url_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SELLERKIT_DATABASE_URL", "postgresql://shop@db.internal/sellerkit")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "ENV": "development"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://shop@db.internal/sellerkit"
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SELLERKIT_DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "ENV": "development"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + os.path.join(str(tmp_path), "sellerkit.db")


def test_cookies_are_secure_outside_development(tmp_path):
    production = create_app({"INSTANCE_PATH": str(tmp_path), "ENV": "production", "SECRET_KEY": "x" * 40,
                             "PUBLIC_URL": "https://shop.example.com"})
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    development = create_app({"INSTANCE_PATH": str(tmp_path), "ENV": "development"})
    assert development.config["SESSION_COOKIE_SECURE"] is False


def test_web_workers_serve_every_page_but_leave_out_the_migration_commands(migrated_database, tmp_path):
    app = create_web_app(build_config(migrated_database, tmp_path / "instance"))
    try:
        assert app.test_client().get("/login").status_code == 200
        assert "migrate" not in app.extensions
        assert "db" not in app.cli.commands
    finally:
        with app.app_context():
            db.engine.dispose()
