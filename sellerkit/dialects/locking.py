"""Claiming rows that several workers may want at once: SQLite lets one writer in at a time, PostgreSQL locks rows."""
from sqlalchemy import text

from sellerkit.dialects import is_sqlite


def writes_are_serialized(session):
    """True on SQLite, where a transaction that writes holds the database's write lock from its BEGIN IMMEDIATE
    on: no other writer stores anything between this transaction's check for a row and its insert."""
    return is_sqlite(session)


def take_turns(session, space, key):
    """Make the writers of one `key` (a shop) in `space` take turns until this transaction ends: a PostgreSQL
    advisory lock; SQLite's writers take turns for the whole database anyway (BEGIN IMMEDIATE)."""
    if not writes_are_serialized(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": space, "key": key})


def skipping_locked(session, query, **options):
    """`query` made to skip the rows another transaction has locked, and to lock the rows it reads (FOR UPDATE
    SKIP LOCKED, `options` as with_for_update takes them), so that two workers claim different rows. SQLite needs
    neither: its writers take turns."""
    if writes_are_serialized(session):
        return query
    return query.with_for_update(skip_locked=True, **options)
