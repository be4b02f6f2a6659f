"""The needs-reply view across shops reads one partial index in deadline order

Revision ID: c738bfd747db
Revises: dca9b7c0b3ae
Created: 2026-11-23 12:26:07.235667
"""
import sqlalchemy as sa
from alembic import op

revision = 'c738bfd747db'
down_revision = 'dca9b7c0b3ae'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.create_index('ix_threads_needs_reply', ['waiting_since', 'id'], unique=False, sqlite_where=sa.text("waiting_since IS NOT NULL AND status != 'resolved'"), postgresql_where=sa.text("waiting_since IS NOT NULL AND status != 'resolved'"))


def downgrade():
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_index('ix_threads_needs_reply', sqlite_where=sa.text("waiting_since IS NOT NULL AND status != 'resolved'"), postgresql_where=sa.text("waiting_since IS NOT NULL AND status != 'resolved'"))
