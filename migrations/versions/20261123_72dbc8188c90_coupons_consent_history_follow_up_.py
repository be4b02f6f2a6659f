"""coupons, consent history, follow-up campaigns, complaint mark

Revision ID: 72dbc8188c90
Revises: 811db5c0e97e
Created: 2026-11-23 08:44:31.389076
"""
import sqlalchemy as sa
from alembic import op

import sellerkit.database

revision = '72dbc8188c90'
down_revision = '811db5c0e97e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('coupons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('value', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('valid_from', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('valid_until', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('usage_limit', sa.Integer(), nullable=True),
    sa.Column('min_order', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('pool', sa.String(length=40), nullable=True),
    sa.Column('assigned_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('redeemed_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind = 'fixed' OR value <= 100", name=op.f('ck_coupons_percent_at_most_100')),
    sa.CheckConstraint("kind IN ('percent', 'fixed')", name=op.f('ck_coupons_kind')),
    sa.CheckConstraint('usage_limit IS NULL OR redeemed_count <= usage_limit', name=op.f('ck_coupons_within_limit')),
    sa.CheckConstraint('value > 0', name=op.f('ck_coupons_value_positive')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_coupons_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coupons')),
    sa.UniqueConstraint('shop_id', 'code', name=op.f('uq_coupons_shop_id_code'))
    )
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.create_index('ix_coupons_shop_pool', ['shop_id', 'pool', 'assigned_at', 'id'], unique=False)

    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('coupon_mode', sa.String(length=10), nullable=False),
    sa.Column('coupon_id', sa.Integer(), nullable=True),
    sa.Column('coupon_pool', sa.String(length=40), nullable=True),
    sa.Column('min_days_between', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('activated_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("coupon_mode IN ('none', 'shared', 'pool')", name=op.f('ck_campaigns_coupon_mode')),
    sa.CheckConstraint("trigger IN ('after_delivery', 'after_last_order')", name=op.f('ck_campaigns_trigger')),
    sa.ForeignKeyConstraint(['coupon_id'], ['coupons.id'], name=op.f('fk_campaigns_coupon_id_coupons'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_campaigns_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index('ix_campaigns_shop', ['shop_id', 'id'], unique=False)

    op.create_table('consent_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('occurred_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('given', 'withdrawn')", name=op.f('ck_consent_events_action')),
    sa.ForeignKeyConstraint(['buyer_id'], ['buyers.id'], name=op.f('fk_consent_events_buyer_id_buyers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_consent_events_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_consent_events_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_events'))
    )
    with op.batch_alter_table('consent_events', schema=None) as batch_op:
        batch_op.create_index('ix_consent_events_buyer', ['buyer_id', 'id'], unique=False)

    op.create_table('coupon_redemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('coupon_id', sa.Integer(), nullable=False),
    sa.Column('order_ref', sa.String(length=200), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('redeemed_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['buyer_id'], ['buyers.id'], name=op.f('fk_coupon_redemptions_buyer_id_buyers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['coupon_id'], ['coupons.id'], name=op.f('fk_coupon_redemptions_coupon_id_coupons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_coupon_redemptions_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coupon_redemptions')),
    sa.UniqueConstraint('shop_id', 'coupon_id', 'order_ref', name=op.f('uq_coupon_redemptions_shop_id_coupon_id_order_ref'))
    )
    with op.batch_alter_table('coupon_redemptions', schema=None) as batch_op:
        batch_op.create_index('ix_coupon_redemptions_coupon', ['coupon_id', 'redeemed_at'], unique=False)
        batch_op.create_index('ix_coupon_redemptions_shop', ['shop_id', 'redeemed_at', 'id'], unique=False)

    op.create_table('campaign_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_messages_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_messages')),
    sa.UniqueConstraint('campaign_id', 'language', name=op.f('uq_campaign_messages_campaign_id_language'))
    )
    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('due_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=True),
    sa.Column('coupon_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('sent_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'sent', 'skipped')", name=op.f('ck_follow_ups_status')),
    sa.ForeignKeyConstraint(['buyer_id'], ['buyers.id'], name=op.f('fk_follow_ups_buyer_id_buyers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_follow_ups_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['coupon_id'], ['coupons.id'], name=op.f('fk_follow_ups_coupon_id_coupons'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_follow_ups_message_id_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_follow_ups_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_follow_ups_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups')),
    sa.UniqueConstraint('campaign_id', 'order_id', name=op.f('uq_follow_ups_campaign_id_order_id'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index('ix_follow_ups_buyer_sent', ['buyer_id', 'sent_at'], unique=False)
        batch_op.create_index('ix_follow_ups_campaign', ['campaign_id', 'status', 'reason'], unique=False)
        batch_op.create_index('ix_follow_ups_due', ['status', 'due_at'], unique=False)
        batch_op.create_index('uq_follow_ups_sent_once', ['campaign_id', 'buyer_id'], unique=True, sqlite_where=sa.text("status = 'sent'"), postgresql_where=sa.text("status = 'sent'"))

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_complaint', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('is_complaint')

    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('uq_follow_ups_sent_once', sqlite_where=sa.text("status = 'sent'"), postgresql_where=sa.text("status = 'sent'"))
        batch_op.drop_index('ix_follow_ups_due')
        batch_op.drop_index('ix_follow_ups_campaign')
        batch_op.drop_index('ix_follow_ups_buyer_sent')

    op.drop_table('follow_ups')
    op.drop_table('campaign_messages')
    with op.batch_alter_table('coupon_redemptions', schema=None) as batch_op:
        batch_op.drop_index('ix_coupon_redemptions_shop')
        batch_op.drop_index('ix_coupon_redemptions_coupon')

    op.drop_table('coupon_redemptions')
    with op.batch_alter_table('consent_events', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_events_buyer')

    op.drop_table('consent_events')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index('ix_campaigns_shop')

    op.drop_table('campaigns')
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.drop_index('ix_coupons_shop_pool')

    op.drop_table('coupons')
