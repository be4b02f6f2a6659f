"""PostgreSQL: the search index's rows of one thread, so a search can check the newest conversations one by one

Revision ID: 5d3b1c9e7a42
Revises: 4eba4e011ceb
Created: 2026-11-23 13:12:00.000000
"""
from alembic import op

revision = '5d3b1c9e7a42'
down_revision = '4eba4e011ceb'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # on SQLite the thread is part of each FTS5 row id
        bind.exec_driver_sql("CREATE INDEX ix_message_search_thread ON message_search (thread_id)")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql("DROP INDEX ix_message_search_thread")
