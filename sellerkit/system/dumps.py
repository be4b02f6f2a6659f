"""Copies of the database: SQLite through its online backup API, PostgreSQL through pg_dump and pg_restore."""
import glob
import os
import shutil
import sqlite3
import subprocess

from sqlalchemy import make_url, text


class BackupError(Exception):
    """A backup or restore cannot go on; the message tells the operator why and what to do."""


def database_kind(uri):
    return "postgresql" if uri.startswith("postgresql") else "sqlite" if uri.startswith("sqlite") else "other"


def sqlite_path(uri):
    return make_url(uri).database


def count_rows_sqlite(connection, tables):
    existing = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in tables if table in existing}


def sqlite_revision(connection):
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def dump_sqlite(uri, target, tables):
    """Copy the live database to `target` with SQLite's online backup API (one consistent snapshot, while other
    processes keep writing); returns (migration revision, row counts) read from the copy."""
    source = sqlite3.connect(sqlite_path(uri), timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
    try:
        check_sqlite_integrity(copy)
        return sqlite_revision(copy), count_rows_sqlite(copy, tables)
    finally:
        copy.close()


def check_sqlite_integrity(connection):
    result = connection.execute("PRAGMA integrity_check").fetchall()
    if result != [("ok",)]:
        raise BackupError("The database copy fails SQLite's integrity check: " + "; ".join(r[0] for r in result[:5]))


def restore_sqlite(source_path, uri, tables):
    """Replace the configured SQLite database with the copy at `source_path`, through the backup API (so the
    target's own journal stays right); returns the row counts of the result."""
    source = sqlite3.connect(source_path)
    try:
        check_sqlite_integrity(source)
        target_path = sqlite_path(uri)
        os.makedirs(os.path.dirname(os.path.abspath(target_path)), exist_ok=True)
        target = sqlite3.connect(target_path, timeout=30)
        try:
            source.backup(target)
            return count_rows_sqlite(target, tables)
        finally:
            target.close()
    finally:
        source.close()


def postgres_tool(name, configured_dir=None):
    """The path of pg_dump / pg_restore: in PG_BIN_DIR when set, else on PATH, else the newest Debian install."""
    if configured_dir:
        path = os.path.join(configured_dir, name)
        return path if os.access(path, os.X_OK) else None
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return candidates[-1] if candidates else None


def _require_tool(name, configured_dir):
    path = postgres_tool(name, configured_dir)
    if path is None:
        raise BackupError(f"PostgreSQL backups need {name}, which is not installed here. Install the PostgreSQL "
                          f"client tools (Debian: apt-get install postgresql-client) or set SELLERKIT_PG_BIN_DIR "
                          f"to the folder that holds {name}.")
    return path


def _libpq_arguments(uri):
    """Connection options for the PostgreSQL tools; the password goes in the environment, never on a command
    line that other local users can read."""
    url = make_url(uri)
    arguments = ["--dbname", url.database or ""]
    if url.host:
        arguments += ["--host", url.host]
    if url.port:
        arguments += ["--port", str(url.port)]
    if url.username:
        arguments += ["--username", url.username]
    environment = {**os.environ}
    if url.password:
        environment["PGPASSWORD"] = url.password
    return arguments, environment


def _run(command, environment):
    completed = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BackupError(f"{os.path.basename(command[0])} failed: {completed.stderr.strip()[-2000:]}")


def dump_postgresql(engine, uri, target, tables, bin_dir=None):
    """pg_dump (custom format) of the snapshot in which the row counts are read, so the manifest counts exactly
    what the dump holds; returns (migration revision, row counts)."""
    pg_dump = _require_tool("pg_dump", bin_dir)
    arguments, environment = _libpq_arguments(uri)
    with engine.connect() as connection:
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
        existing = set(connection.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")))
        counts = {table: connection.scalar(text(f'SELECT count(*) FROM "{table}"'))
                  for table in tables if table in existing}
        revision = connection.scalar(text("SELECT version_num FROM alembic_version")) \
            if "alembic_version" in existing else None
        # The exported snapshot lives as long as this transaction: pg_dump runs inside it.
        _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
              "--file", str(target), *arguments], environment)
        connection.rollback()
    return revision, counts


def restore_postgresql(engine, source_path, uri, tables, bin_dir=None):
    """Empty the public schema and load the dump into it in one transaction; returns the row counts."""
    pg_restore = _require_tool("pg_restore", bin_dir)
    arguments, environment = _libpq_arguments(uri)
    engine.dispose()
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    _run([pg_restore, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", *arguments,
          str(source_path)], environment)
    with engine.connect() as connection:
        existing = set(connection.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")))
        return {table: connection.scalar(text(f'SELECT count(*) FROM "{table}"'))
                for table in tables if table in existing}
