"""`sellerkit backup` and `restore`: one tar.gz of the database, attachments, keys, support profiles and a manifest."""
import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sellerkit.system import dumps
from sellerkit.system.dumps import BackupError

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database/sellerkit.sqlite3", "postgresql": "database/sellerkit.pgdump"}
#: Key files of the instance folder that a restore needs besides the secret key (which comes from the configuration,
#: wherever it is set): the key of the channels' credentials (channels.crypto.KEY_FILE).
KEY_FILES = ("channel_key",)
PROFILES_FOLDER = "support_profiles"
CHUNK = 1024 * 1024


def sellerkit_version():
    try:
        return version("sellerkit")
    except PackageNotFoundError:
        return "unknown"


def counted_tables(metadata):
    return sorted(table.name for table in metadata.sorted_tables)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files_under(folder):
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def create_backup(*, uri, engine, metadata, instance_path, attachments_dir, secret_key, target, now, pg_bin_dir=None):
    """Write the archive `target` (through a temporary file beside it, renamed at the end) and return its manifest.

    The database is copied first, as one snapshot, and the attachments after it: every attachment row in the
    copy already has its file on disk."""
    kind = dumps.database_kind(uri)
    if kind not in DATABASE_FILES:
        raise BackupError(f"sellerkit backs up SQLite and PostgreSQL databases, not {uri.split(':')[0]}.")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tables = counted_tables(metadata)
    with tempfile.TemporaryDirectory(prefix="sellerkit-backup-", dir=target.parent) as staging:
        database_copy = Path(staging) / "database"
        if kind == "sqlite":
            revision, counts = dumps.dump_sqlite(uri, database_copy, tables)
        else:
            revision, counts = dumps.dump_postgresql(engine, uri, database_copy, tables, pg_bin_dir)
        members = [(DATABASE_FILES[kind], database_copy)]
        if secret_key:
            key_copy = Path(staging) / "secret_key"
            key_copy.write_text(secret_key + "\n")
            members.append(("keys/secret_key", key_copy))
        for name in KEY_FILES:
            if (Path(instance_path) / name).is_file():
                members.append((f"keys/{name}", Path(instance_path) / name))
        attachments_dir = Path(attachments_dir)
        members += [("attachments/" + p.relative_to(attachments_dir).as_posix(), p)
                    for p in _files_under(attachments_dir)]
        profiles = Path(instance_path) / PROFILES_FOLDER
        members += [(f"{PROFILES_FOLDER}/" + p.relative_to(profiles).as_posix(), p) for p in _files_under(profiles)]
        manifest = {
            "format": FORMAT,
            "sellerkit_version": sellerkit_version(),
            "created_at": now.isoformat(),
            "database": {"kind": kind, "migration_head": revision, "counts": counts},
            "files": {},
        }
        partial = Path(staging) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            for name, path in members:
                manifest["files"][name] = {"sha256": _sha256(path), "size": path.stat().st_size}
                archive.add(path, arcname=name, recursive=False)
            manifest_path = Path(staging) / MANIFEST
            manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True))
            archive.add(manifest_path, arcname=MANIFEST)
        os.chmod(partial, 0o600)  # it holds the secret key and every conversation
        os.replace(partial, target)
    return manifest


def read_archive(path, into):
    """Unpack the archive into the folder `into` and return its manifest, after checking every file against it."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}.")
    try:
        with tarfile.open(path, "r:gz") as archive:
            archive.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{path} is not a readable sellerkit backup: {error}") from error
    manifest_path = Path(into) / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{path} has no readable manifest, so it is not a sellerkit backup.") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is a backup of format {manifest.get('format')}; "
                          f"this sellerkit reads format {FORMAT}.")
    present = {p.relative_to(into).as_posix() for p in _files_under(into)} - {MANIFEST}
    listed = set(manifest["files"])
    if present != listed:
        raise BackupError(f"{path} does not match its manifest: missing {sorted(listed - present)[:5]}, "
                          f"unlisted {sorted(present - listed)[:5]}.")
    for name, expected in manifest["files"].items():
        if _sha256(Path(into) / name) != expected["sha256"]:
            raise BackupError(f"{path} is damaged: the checksum of {name} does not match the manifest.")
    return manifest


def restore_backup(*, path, uri, engine, metadata, instance_path, attachments_dir, known_revision, before_changes,
                   pg_bin_dir=None):
    """Check the archive, call `before_changes()` (which may refuse by raising BackupError), then bring back the
    database, attachments, keys and profiles; returns the manifest. Row counts after the restore must equal the
    manifest's, else it fails loudly."""
    kind = dumps.database_kind(uri)
    with tempfile.TemporaryDirectory(prefix="sellerkit-restore-") as unpacked:
        manifest = read_archive(path, unpacked)
        backed_up = manifest["database"]["kind"]
        if backed_up != kind:
            raise BackupError(f"This backup holds a {backed_up} database and this instance uses {kind}. Restore it "
                              f"into an instance with a {backed_up} database (set SELLERKIT_DATABASE_URL).")
        revision = manifest["database"]["migration_head"]
        if revision is not None and not known_revision(revision):
            raise BackupError(f"This backup was made by a newer sellerkit (migration {revision}); upgrade sellerkit "
                              "first, then restore.")
        before_changes()
        source = Path(unpacked) / DATABASE_FILES[kind]
        tables = counted_tables(metadata)
        if kind == "sqlite":
            engine.dispose()
            counts = dumps.restore_sqlite(source, uri, tables)
        else:
            counts = dumps.restore_postgresql(engine, source, uri, tables, pg_bin_dir)
        engine.dispose()
        expected = manifest["database"]["counts"]
        wrong = {t: (n, counts.get(t)) for t, n in expected.items() if counts.get(t) != n}
        if wrong:
            raise BackupError(f"The restored database does not hold what the backup counted: {wrong}")
        _restore_files(manifest, unpacked, instance_path, attachments_dir)
    return manifest


def _restore_files(manifest, unpacked, instance_path, attachments_dir):
    for name in manifest["files"]:
        top, _, rest = name.partition("/")
        if top == "attachments":
            destination = Path(attachments_dir) / rest
        elif top == PROFILES_FOLDER:
            destination = Path(instance_path) / PROFILES_FOLDER / rest
        elif top == "keys":
            destination = Path(instance_path) / rest
        else:
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(unpacked) / name, destination)
        if top == "keys":
            os.chmod(destination, 0o600)
