"""SQLite: the full-text indexes may merge any two b-trees of a level (usermerge 2), for the scheduler's compaction

Revision ID: a41c7e9d2b10
Revises: 955c5da1968c
Created: 2026-12-03 14:30:00.000000
"""
from alembic import op

revision = 'a41c7e9d2b10'
down_revision = '955c5da1968c'
branch_labels = None
depends_on = None

#: FTS5 tables whose compaction (threads.search.compact_fts) relies on this setting.
TABLES = ("message_search", "ticket_search")


def _set_usermerge(value):
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return  # PostgreSQL's GIN indexes merge their pending entries themselves
    for table in TABLES:
        bind.exec_driver_sql(f"INSERT INTO {table} ({table}, rank) VALUES ('usermerge', {value})")


def upgrade():
    _set_usermerge(2)


def downgrade():
    _set_usermerge(4)  # FTS5's default
