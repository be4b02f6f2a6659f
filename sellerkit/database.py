"""Database engine behaviour: UTC datetimes, SQLite pragmas and write locks, PostgreSQL pings and read-only commits."""
from datetime import UTC

from flask import g, has_request_context, request
from sqlalchemy import DateTime, Integer, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import TypeDecorator

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SQLITE_BUSY_TIMEOUT_MS = 10_000
#: A write that finds this many pages in the WAL copies them all into the database first, a pause for whoever
#: crosses the line. The scheduler checkpoints every 30 s, off the request path
#: (checkpoint_wal); this larger line is the safety net for a web process that runs without a scheduler.
SQLITE_AUTOCHECKPOINT_PAGES = 10_000
#: The largest id our INTEGER primary keys hold on PostgreSQL (and well inside SQLite's 64-bit rowids).
MAX_DATABASE_ID = 2**31 - 1


def is_database_id(value):
    """Whether `value` could be a row's id: an integer from 1 to MAX_DATABASE_ID (booleans are not)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_DATABASE_ID


def database_id(value):
    """`value`, an integer or text of ASCII digits (a form's, a query string's), as a row's id; None when it cannot
    be one. str.isdigit() also takes "²", which int() refuses, and int() refuses thousands of digits."""
    if isinstance(value, str):
        text = value.strip()
        value = int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else None
    return value if is_database_id(value) else None


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every database (SQLite keeps no zone, so it stores naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("sellerkit stores aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def mark_unreachable():
    """Note that this request found the database away, so that its error answer is made without it."""
    g.database_unreachable = True


def is_unreachable():
    """True once this request found the database away: the user, their language and their shops stay unread."""
    return has_request_context() and g.get("database_unreachable", False)


def engine_options(uri):
    """Engine options for the configured database."""
    if uri.startswith("postgresql"):
        # Room for the outbox sweep's eight senders and its own claims: past the pool, every checkout would open
        # a new connection (a new server process) and close it again.
        return {"pool_pre_ping": True, "pool_size": 10}
    return {}


def configure_engine(engine):
    """Attach the per-connection setup that the engine's dialect needs."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        event.listen(engine, "begin", _start_reading)
        event.listen(engine, "before_cursor_execute", _note_write)


def _start_reading(connection):
    connection.info["only_read"] = True


def _note_write(connection, cursor, statement, parameters, context, executemany):
    if not statement.startswith("SELECT"):  # anything else might change something: INSERT, UPDATE, WITH ...
        connection.info["only_read"] = False


def end_reading_with_commit(session):
    """End a transaction that only read with COMMIT rather than ROLLBACK (the same for the database); True when
    it did. Only PostgreSQL engines note what a transaction sent (configure_engine), so elsewhere this is a no-op.

    psycopg forgets its prepared statements on every ROLLBACK, and a session that closes rolls back: each page
    had PostgreSQL parse and plan all its queries again, which for a query joining five tables costs more than
    running it. A session with pending changes, or whose transaction sent anything but SELECT, keeps the rollback.
    """
    if not session.in_transaction():
        return False
    try:
        if not session.connection().info.get("only_read") or session.new or session.dirty or session.deleted:
            return False
        session.commit()
    except SQLAlchemyError:
        return False  # a connection lost meanwhile: the session's close rolls back and discards it, as before
    return True


def _sqlite_connect(dbapi_connection, connection_record):
    # Let SQLAlchemy's "begin" event issue BEGIN itself instead of pysqlite's implicit deferred BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT_PAGES}")
    cursor.close()


def checkpoint_wal(engine):
    """Copy the SQLite write-ahead log into the database without waiting for readers or writers (PASSIVE), on a
    connection of its own outside any transaction; returns (busy, frames in the log, frames copied), or None on
    a database without one."""
    if engine.dialect.name != "sqlite":
        return None
    connection = engine.raw_connection()
    try:
        return tuple(connection.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())
    finally:
        connection.close()


#: The execution option of a connection that only reads outside any request (the live streams' reader): on SQLite
#: its transactions stay deferred, and never take the write lock that a background job's do.
READ_ONLY = "sellerkit_read_only"


def _sqlite_begin(connection):
    # A deferred transaction that later upgrades to a writer fails at once with "database is locked"
    # when another process writes; taking the write lock up front makes it wait for busy_timeout instead.
    # Pages that only read (GET) keep deferred transactions, so readers never queue behind writers.
    read_only = connection.get_execution_options().get(READ_ONLY, False) or (
        has_request_context() and request.method in SAFE_METHODS and not g.get("writes_after_reading"))
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def write_after_reading():
    """A page that only reads writes one more thing once it has read (marking a conversation read): its next
    transaction takes SQLite's write lock up front, like a POST's, and waits its turn instead of failing."""
    g.writes_after_reading = True


class epoch_seconds(FunctionElement):
    """Whole seconds since 1970 of a UTC datetime column, computed by the database, so that statistics over
    thousands of rows fetch plain integers instead of building a datetime per value."""

    type = Integer()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_seconds_sqlite(element, compiler, **kw):
    # julianday() reads the stored "YYYY-MM-DD HH:MM:SS.ffffff" text; day 2440587.5 is 1970-01-01 00:00 UTC.
    return f"CAST(round((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400) AS INTEGER)"


@compiles(epoch_seconds, "postgresql")
def _epoch_seconds_postgresql(element, compiler, **kw):
    return f"CAST(round(extract(epoch FROM {compiler.process(element.clauses, **kw)})) AS BIGINT)"
