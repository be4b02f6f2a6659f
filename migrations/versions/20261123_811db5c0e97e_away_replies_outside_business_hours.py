"""away replies outside business hours

Revision ID: 811db5c0e97e
Revises: 7b8dc5c1b550
Created: 2026-11-23 07:55:23.221016
"""
import sqlalchemy as sa
from alembic import op

import sellerkit.database

revision = '811db5c0e97e'
down_revision = '7b8dc5c1b550'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('away_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_away_messages_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_away_messages')),
    sa.UniqueConstraint('shop_id', 'language', name=op.f('uq_away_messages_shop_id_language'))
    )
    op.create_table('away_replies_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['buyer_id'], ['buyers.id'], name=op.f('fk_away_replies_sent_buyer_id_buyers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_away_replies_sent_message_id_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_away_replies_sent_shop_id_shops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_away_replies_sent_thread_id_threads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_away_replies_sent')),
    sa.UniqueConstraint('thread_id', 'period_start', name=op.f('uq_away_replies_sent_thread_id_period_start'))
    )
    with op.batch_alter_table('away_replies_sent', schema=None) as batch_op:
        batch_op.create_index('ix_away_replies_sent_buyer', ['buyer_id', 'sent_at'], unique=False)

    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('away_replies_enabled', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_column('away_replies_enabled')

    with op.batch_alter_table('away_replies_sent', schema=None) as batch_op:
        batch_op.drop_index('ix_away_replies_sent_buyer')

    op.drop_table('away_replies_sent')
    op.drop_table('away_messages')
