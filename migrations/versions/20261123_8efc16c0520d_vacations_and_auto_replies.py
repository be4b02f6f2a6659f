"""vacations and auto-replies

Revision ID: 8efc16c0520d
Revises: b90d414da865
Created: 2026-11-23 07:25:51.206480
"""
import sqlalchemy as sa
from alembic import op

import sellerkit.database

revision = '8efc16c0520d'
down_revision = 'b90d414da865'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('vacations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_early_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_vacations_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vacations'))
    )
    with op.batch_alter_table('vacations', schema=None) as batch_op:
        batch_op.create_index('ix_vacations_shop_period', ['shop_id', 'starts_at', 'ends_at'], unique=False)

    op.create_table('vacation_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vacation_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['vacation_id'], ['vacations.id'], name=op.f('fk_vacation_messages_vacation_id_vacations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vacation_messages')),
    sa.UniqueConstraint('vacation_id', 'language', name=op.f('uq_vacation_messages_vacation_id_language'))
    )
    op.create_table('auto_replies_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vacation_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['buyer_id'], ['buyers.id'], name=op.f('fk_auto_replies_sent_buyer_id_buyers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_auto_replies_sent_message_id_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_auto_replies_sent_thread_id_threads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vacation_id'], ['vacations.id'], name=op.f('fk_auto_replies_sent_vacation_id_vacations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auto_replies_sent')),
    sa.UniqueConstraint('vacation_id', 'thread_id', name=op.f('uq_auto_replies_sent_vacation_id_thread_id'))
    )
    with op.batch_alter_table('auto_replies_sent', schema=None) as batch_op:
        batch_op.create_index('ix_auto_replies_sent_buyer', ['buyer_id', 'sent_at'], unique=False)



def downgrade():
    with op.batch_alter_table('auto_replies_sent', schema=None) as batch_op:
        batch_op.drop_index('ix_auto_replies_sent_buyer')

    op.drop_table('auto_replies_sent')
    op.drop_table('vacation_messages')
    with op.batch_alter_table('vacations', schema=None) as batch_op:
        batch_op.drop_index('ix_vacations_shop_period')

    op.drop_table('vacations')
