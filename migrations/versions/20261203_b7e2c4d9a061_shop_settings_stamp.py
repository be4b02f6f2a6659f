"""Shops: a stamp renewed by every change of the settings each buyer message reads, so processes can keep them

Revision ID: b7e2c4d9a061
Revises: a41c7e9d2b10
Created: 2026-12-03 19:40:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = 'b7e2c4d9a061'
down_revision = 'a41c7e9d2b10'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not a batch: rebuilding shops on SQLite would drop the old table, and with foreign keys on
# that deletes every row that cascades from a shop. SQLite has dropped columns in place since 3.35.


def upgrade():
    op.add_column("shops", sa.Column("settings_stamp", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    op.drop_column("shops", "settings_stamp")
