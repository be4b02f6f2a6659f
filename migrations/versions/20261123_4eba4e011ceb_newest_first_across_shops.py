"""Threads newest first across shops from one index; on SQLite, message search row ids that carry the thread

On SQLite the FTS5 row id of a message's terms becomes (thread id << 32) | message id, so the threads of a
search come from the row ids alone (FTS5 reads its stored columns slowly); the delete trigger follows.

Revision ID: 4eba4e011ceb
Revises: c738bfd747db
Created: 2026-11-23 12:43:02.210814
"""
from alembic import op

revision = '4eba4e011ceb'
down_revision = 'c738bfd747db'
branch_labels = None
depends_on = None

THREAD_SHIFT = 32


def _trigger(bind, row_id):
    bind.exec_driver_sql("DROP TRIGGER IF EXISTS message_search_delete")
    bind.exec_driver_sql("CREATE TRIGGER message_search_delete AFTER DELETE ON messages "
                         f"BEGIN DELETE FROM message_search WHERE rowid = {row_id}; END")


def upgrade():
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.create_index('ix_threads_last_message', ['last_message_at', 'id'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql(f"UPDATE message_search SET rowid = (thread_id << {THREAD_SHIFT}) | rowid "
                             f"WHERE rowid < (1 << {THREAD_SHIFT})")
        _trigger(bind, f"(old.thread_id << {THREAD_SHIFT}) | old.id")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql(f"UPDATE message_search SET rowid = rowid & ((1 << {THREAD_SHIFT}) - 1)")
        _trigger(bind, "old.id")
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_index('ix_threads_last_message')
