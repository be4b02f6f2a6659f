"""response rule overrides and holidays

Revision ID: 7b8dc5c1b550
Revises: 8efc16c0520d
Created: 2026-11-23 07:44:41.775588
"""
import sqlalchemy as sa
from alembic import op

revision = '7b8dc5c1b550'
down_revision = '8efc16c0520d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_holidays_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holidays')),
    sa.UniqueConstraint('shop_id', 'day', name=op.f('uq_holidays_shop_id_day'))
    )
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_hours', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('response_business_hours_only', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('response_auto_reply_counts', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('response_warning_hours', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_column('response_warning_hours')
        batch_op.drop_column('response_auto_reply_counts')
        batch_op.drop_column('response_business_hours_only')
        batch_op.drop_column('response_hours')

    op.drop_table('holidays')
