"""Request budgets shared by every process: the recent requests to each marketplace account (rate_windows)

Revision ID: c4d8e2f1a9b3
Revises: a7e3c9d15b42
Created: 2026-12-07 22:50:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = 'c4d8e2f1a9b3'
down_revision = 'a7e3c9d15b42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_windows',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('recent', sa.Text(), nullable=False),
    sa.Column('blocked_until', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_windows'))
    )


def downgrade():
    op.drop_table('rate_windows')
