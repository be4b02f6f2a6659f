"""Phone lists: a campaign's follow-ups, latest changed first, and a shop's coupons, newest first, read a page at a time

Revision ID: c4d8e2f6a913
Revises: c4e1a9b7d230
Created: 2026-12-07 23:30:00.000000
"""
from alembic import op

revision = 'c4d8e2f6a913'
down_revision = 'c4e1a9b7d230'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_follow_ups_campaign_updated', 'follow_ups', ['campaign_id', 'updated_at', 'id'], unique=False)
    op.create_index('ix_coupons_shop_id', 'coupons', ['shop_id', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_coupons_shop_id', table_name='coupons')
    op.drop_index('ix_follow_ups_campaign_updated', table_name='follow_ups')
