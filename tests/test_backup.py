"""sellerkit backup and restore: every row and file comes back, damaged or foreign archives are refused, and a
backup taken while clients write keeps every message acknowledged before it started."""
import json
import tarfile
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from sellerkit.accounts import services as accounts
from sellerkit.accounts.models import User
from sellerkit.attachments.models import Attachment
from sellerkit.extensions import db as sqla
from sellerkit.system import dumps, services
from sellerkit.system.dumps import BackupError
from sellerkit.threads.models import Message
from tests.conftest import NOW, _empty_all_tables, build_config

CLIENTS = 8


def _invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def _wipe_instance(app, migrated_database, instance_path):
    """The instance as a fresh install has it: tables empty, no attachment files."""
    from sellerkit import create_app

    _empty_all_tables(create_app(build_config(migrated_database, instance_path)))
    for path in Path(app.config["ATTACHMENTS_DIR"]).rglob("*"):
        if path.is_file():
            path.unlink()


def test_restore_brings_back_every_row_file_key_and_profile(app, db, make_user, make_shop, make_conversation,
                                                            migrated_database, *, tmp_path):
    owner = make_user()
    ids = make_conversation(make_shop(owner), owner)
    profiles = Path(app.instance_path) / "support_profiles"
    profiles.mkdir(parents=True)
    (profiles / "etsy.toml").write_text("# the seller's own Etsy profile\n")
    with app.app_context():
        attachment = sqla.session.get(Attachment, ids["attachment_id"])
        stored_file = Path(app.config["ATTACHMENTS_DIR"]) / attachment.storage_name
        file_bytes = stored_file.read_bytes()
    messages_before = db.count(Message)

    result = _invoke(app, "backup", str(tmp_path / "backup.tar.gz"))
    assert result.exit_code == 0, result.output
    assert "2 messages, 1 attachments" in result.output

    _wipe_instance(app, migrated_database, tmp_path / "instance")
    (profiles / "etsy.toml").unlink()
    assert db.count(Message) == 0
    assert not stored_file.exists()

    result = _invoke(app, "restore", str(tmp_path / "backup.tar.gz"))
    assert result.exit_code == 0, result.output
    assert "checksums verified" in result.output
    assert db.count(Message) == messages_before
    assert db.scalar(select(User.email)) == "owner@example.com"
    assert stored_file.read_bytes() == file_bytes
    assert (profiles / "etsy.toml").read_text() == "# the seller's own Etsy profile\n"
    assert (Path(app.instance_path) / "secret_key").read_text().strip() == "test-secret-key"


def test_the_manifest_names_version_migration_counts_and_checksums(app, make_user, make_shop, make_conversation,
                                                                   tmp_path):
    owner = make_user()
    make_conversation(make_shop(owner), owner)
    assert _invoke(app, "backup", str(tmp_path / "b.tar.gz")).exit_code == 0
    with tarfile.open(tmp_path / "b.tar.gz") as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
        names = archive.getnames()
    with app.app_context():
        assert manifest["database"]["migration_head"] == services.migration_head()
    assert manifest["database"]["counts"]["messages"] == 2
    assert manifest["database"]["counts"]["users"] == 1
    assert manifest["sellerkit_version"]
    assert set(manifest["files"]) == set(names) - {"manifest.json"}
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"].values())


def test_restore_refuses_an_instance_that_holds_data_unless_forced(app, db, make_user, tmp_path):
    make_user()
    assert _invoke(app, "backup", str(tmp_path / "b.tar.gz")).exit_code == 0
    make_user("second@example.com")

    result = _invoke(app, "restore", str(tmp_path / "b.tar.gz"))
    assert result.exit_code != 0
    assert "already holds data" in result.output
    assert db.count(User) == 2

    result = _invoke(app, "restore", "--force", str(tmp_path / "b.tar.gz"))
    assert result.exit_code == 0, result.output
    assert db.count(User) == 1


def test_a_damaged_archive_is_refused_before_anything_changes(app, db, make_user, tmp_path):
    make_user()
    assert _invoke(app, "backup", str(tmp_path / "b.tar.gz")).exit_code == 0
    unpacked = tmp_path / "unpacked"
    with tarfile.open(tmp_path / "b.tar.gz") as archive:
        archive.extractall(unpacked, filter="data")
    (unpacked / "keys" / "secret_key").write_text("someone else's key\n")
    with tarfile.open(tmp_path / "damaged.tar.gz", "w:gz") as archive:
        for path in sorted(unpacked.rglob("*")):
            if path.is_file():
                archive.add(path, arcname=path.relative_to(unpacked).as_posix())
    make_user("second@example.com")

    result = _invoke(app, "restore", "--force", str(tmp_path / "damaged.tar.gz"))
    assert result.exit_code != 0
    assert "checksum of keys/secret_key does not match" in result.output
    assert db.count(User) == 2


def test_restore_on_the_other_kind_of_database_is_refused_with_a_message(app, make_user, tmp_path):
    from sellerkit import create_app

    make_user()
    assert _invoke(app, "backup", str(tmp_path / "b.tar.gz")).exit_code == 0
    kind = "postgresql" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else "sqlite"
    other_url = "sqlite:///" + str(tmp_path / "other.db") if kind == "postgresql" else \
        "postgresql+psycopg://postgres@127.0.0.1:5432/sk_never_created"
    other = create_app(build_config(other_url, tmp_path / "other-instance"))

    result = _invoke(other, "restore", str(tmp_path / "b.tar.gz"))
    assert result.exit_code != 0
    assert f"This backup holds a {kind} database and this instance uses" in result.output


def test_backup_while_eight_clients_ingest_loses_no_acknowledged_message(app, db, make_user, make_shop, tmp_path):
    owner = make_user()
    shop_id = make_shop(owner)
    with app.app_context():
        _row, token = accounts.create_api_token(sqla.session.get(User, owner), "load", NOW)
        sqla.session.commit()
    acknowledged, stop, failures = [], threading.Event(), []

    def ingest(client_number):
        client = app.test_client()
        number = 0
        while not stop.is_set():
            number += 1
            external_id = f"c{client_number}-{number}"
            answer = client.post(f"/api/v1/shops/{shop_id}/messages",
                                 headers={"Authorization": f"Bearer {token}"},
                                 json={"external_id": external_id, "body": f"Is order {number} on its way?",
                                       "buyer": {"id": f"buyer-{client_number}"},
                                       "received_at": "2026-11-23T12:00:00+00:00"})
            if answer.status_code == 201:
                acknowledged.append((time.monotonic(), external_id))
            else:
                failures.append(answer.status_code)

    clients = [threading.Thread(target=ingest, args=(n,)) for n in range(CLIENTS)]
    for thread in clients:
        thread.start()
    while len(acknowledged) < 40 and not failures:
        time.sleep(0.05)
    started = time.monotonic()
    result = _invoke(app, "backup", str(tmp_path / "live.tar.gz"))
    # The clients keep writing for a while after the backup, as they would.
    while len(acknowledged) < 80 and not failures:
        time.sleep(0.05)
    stop.set()
    for thread in clients:
        thread.join()
    assert result.exit_code == 0, result.output
    assert not failures
    before_backup = {external_id for at, external_id in list(acknowledged) if at < started}
    assert len(before_backup) >= 40

    result = _invoke(app, "restore", "--force", str(tmp_path / "live.tar.gz"))
    assert result.exit_code == 0, result.output
    restored = set(db.scalars(select(Message.external_id).where(Message.shop_id == shop_id)))
    assert before_backup <= restored


def test_postgresql_backup_without_pg_dump_says_what_to_install(tmp_path):
    with pytest.raises(BackupError, match="need pg_dump, which is not installed here"):
        dumps.dump_postgresql(None, "postgresql+psycopg://seller@db.example/sellerkit", tmp_path / "dump", [],
                              bin_dir=str(tmp_path / "no-tools-here"))
