"""Clock indexes the planner reads well without statistics: partial ones for the sweeps, the thread's own clocks

Revision ID: dca9b7c0b3ae
Revises: f728f74eef34
Created: 2026-11-23 12:17:50.308715
"""
import sqlalchemy as sa
from alembic import op

revision = 'dca9b7c0b3ae'
down_revision = 'f728f74eef34'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('response_clocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_clocks_status_due'))
        batch_op.drop_index(batch_op.f('ix_response_clocks_status_warn'))
        batch_op.create_index('ix_response_clocks_breached_due', ['due_at'], unique=False, sqlite_where=sa.text("status = 'breached'"), postgresql_where=sa.text("status = 'breached'"))
        batch_op.create_index('ix_response_clocks_thread_status', ['thread_id', 'status'], unique=False)
        batch_op.create_index('ix_response_clocks_unbreached', ['due_at'], unique=False, sqlite_where=sa.text("status = 'open' AND breached_at IS NULL"), postgresql_where=sa.text("status = 'open' AND breached_at IS NULL"))
        batch_op.create_index('ix_response_clocks_unwarned', ['due_at', 'warn_at'], unique=False, sqlite_where=sa.text("status = 'open' AND warned_at IS NULL"), postgresql_where=sa.text("status = 'open' AND warned_at IS NULL"))


def downgrade():
    with op.batch_alter_table('response_clocks', schema=None) as batch_op:
        batch_op.drop_index('ix_response_clocks_unwarned', sqlite_where=sa.text("status = 'open' AND warned_at IS NULL"), postgresql_where=sa.text("status = 'open' AND warned_at IS NULL"))
        batch_op.drop_index('ix_response_clocks_unbreached', sqlite_where=sa.text("status = 'open' AND breached_at IS NULL"), postgresql_where=sa.text("status = 'open' AND breached_at IS NULL"))
        batch_op.drop_index('ix_response_clocks_thread_status')
        batch_op.drop_index('ix_response_clocks_breached_due', sqlite_where=sa.text("status = 'breached'"), postgresql_where=sa.text("status = 'breached'"))
        batch_op.create_index(batch_op.f('ix_response_clocks_status_warn'), ['status', 'warn_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_response_clocks_status_due'), ['status', 'due_at'], unique=False)
