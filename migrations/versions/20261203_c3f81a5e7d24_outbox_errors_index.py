"""Outbox: a partial index of the rows that met an error, for the inbox's "not delivered" list

Revision ID: c3f81a5e7d24
Revises: b7e2c4d9a061
Created: 2026-12-03 20:05:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = 'c3f81a5e7d24'
down_revision = 'b7e2c4d9a061'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_outbox_items_shop_errors", "outbox_items", ["shop_id", "id"],
                    sqlite_where=sa.text("last_error IS NOT NULL"), postgresql_where=sa.text("last_error IS NOT NULL"))


def downgrade():
    op.drop_index("ix_outbox_items_shop_errors", table_name="outbox_items")
