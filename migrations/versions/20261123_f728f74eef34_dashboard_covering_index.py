"""The response dashboard reads its 90 days of clocks from one covering index

Revision ID: f728f74eef34
Revises: 378db675216d
Created: 2026-11-23 12:14:54.934431
"""
from alembic import op

revision = 'f728f74eef34'
down_revision = '378db675216d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('response_clocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_clocks_shop_started'))
        batch_op.create_index('ix_response_clocks_shop_started', ['shop_id', 'started_at', 'status', 'due_at', 'stopped_at'], unique=False)


def downgrade():
    with op.batch_alter_table('response_clocks', schema=None) as batch_op:
        batch_op.drop_index('ix_response_clocks_shop_started')
        batch_op.create_index(batch_op.f('ix_response_clocks_shop_started'), ['shop_id', 'started_at'], unique=False)
