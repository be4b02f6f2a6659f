"""shop policies

Revision ID: 155cd3ea7185
Revises: 9b0675291ba8
Created: 2026-11-23 07:04:31.782781
"""
import sqlalchemy as sa
from alembic import op

import sellerkit.database

revision = '155cd3ea7185'
down_revision = '9b0675291ba8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('policy_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=20), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('free_text', sa.Text(), nullable=False),
    sa.Column('updated_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("section IN ('shipping', 'payment', 'returns', 'privacy', 'faq')", name=op.f('ck_policy_drafts_section')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_policy_drafts_shop_id_shops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_policy_drafts_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_drafts')),
    sa.UniqueConstraint('shop_id', 'section', name=op.f('uq_policy_drafts_shop_id_section'))
    )
    op.create_table('policy_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=20), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('free_text', sa.Text(), nullable=False),
    sa.Column('published_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("section IN ('shipping', 'payment', 'returns', 'privacy', 'faq')", name=op.f('ck_policy_versions_section')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_policy_versions_published_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_policy_versions_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_versions')),
    sa.UniqueConstraint('shop_id', 'section', 'number', name=op.f('uq_policy_versions_shop_id_section_number'))
    )
    with op.batch_alter_table('policy_versions', schema=None) as batch_op:
        batch_op.create_index('ix_policy_versions_shop_section_published', ['shop_id', 'section', 'published_at'], unique=False)



def downgrade():
    with op.batch_alter_table('policy_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_policy_versions_shop_section_published')

    op.drop_table('policy_versions')
    op.drop_table('policy_drafts')
