"""Response clocks: the index of open clocks carries their status, so SQLite reads the dashboard's from it alone

Revision ID: d94b2e6c1f37
Revises: c3f81a5e7d24
Created: 2026-12-03 20:15:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = 'd94b2e6c1f37'
down_revision = 'c3f81a5e7d24'
branch_labels = None
depends_on = None

NAME = "ix_response_clocks_open_shop_started"
OPEN = sa.text("status = 'open'")


def _replace(columns):
    op.drop_index(NAME, table_name="response_clocks")
    op.create_index(NAME, "response_clocks", columns, sqlite_where=OPEN, postgresql_where=OPEN)


def upgrade():
    _replace(["shop_id", "started_at", "due_at", "status"])


def downgrade():
    _replace(["shop_id", "started_at", "due_at"])
