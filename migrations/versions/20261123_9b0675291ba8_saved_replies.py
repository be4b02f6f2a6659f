"""saved replies

Revision ID: 9b0675291ba8
Revises: 30ff52934c4a
Created: 2026-11-23 06:58:30.816423
"""
import sqlalchemy as sa
from alembic import op

import sellerkit.database

revision = '9b0675291ba8'
down_revision = '30ff52934c4a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('saved_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('shortcut', sa.String(length=40), nullable=True),
    sa.Column('folder', sa.String(length=60), nullable=False),
    sa.Column('usage_count', sa.Integer(), nullable=False),
    sa.Column('last_used_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_saved_replies_owner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_saved_replies_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_replies')),
    sa.UniqueConstraint('shop_id', 'shortcut', name=op.f('uq_saved_replies_shop_id_shortcut'))
    )
    with op.batch_alter_table('saved_replies', schema=None) as batch_op:
        batch_op.create_index('ix_saved_replies_shop_usage', ['shop_id', 'usage_count'], unique=False)

    op.create_table('saved_reply_variants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reply_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['reply_id'], ['saved_replies.id'], name=op.f('fk_saved_reply_variants_reply_id_saved_replies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_reply_variants')),
    sa.UniqueConstraint('reply_id', 'language', name=op.f('uq_saved_reply_variants_reply_id_language'))
    )


def downgrade():
    op.drop_table('saved_reply_variants')
    with op.batch_alter_table('saved_replies', schema=None) as batch_op:
        batch_op.drop_index('ix_saved_replies_shop_usage')

    op.drop_table('saved_replies')
