"""response clocks and notifications

Revision ID: b90d414da865
Revises: 155cd3ea7185
Created: 2026-11-23 07:18:48.320305
"""
import sqlalchemy as sa
from alembic import op

import sellerkit.database

revision = 'b90d414da865'
down_revision = '155cd3ea7185'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('response_clocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('warn_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('stopped_by', sa.String(length=20), nullable=True),
    sa.Column('stopped_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('warned_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('breached_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'met', 'breached', 'exempt')", name=op.f('ck_response_clocks_status')),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_response_clocks_message_id_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_response_clocks_shop_id_shops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_response_clocks_thread_id_threads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_clocks'))
    )
    with op.batch_alter_table('response_clocks', schema=None) as batch_op:
        batch_op.create_index('ix_response_clocks_shop_started', ['shop_id', 'started_at'], unique=False)
        batch_op.create_index('ix_response_clocks_status_due', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_response_clocks_status_warn', ['status', 'warn_at'], unique=False)
        batch_op.create_index('uq_response_clocks_open_thread', ['thread_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('clock_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('emailed_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('warning', 'breach')", name=op.f('ck_notifications_kind')),
    sa.ForeignKeyConstraint(['clock_id'], ['response_clocks.id'], name=op.f('fk_notifications_clock_id_response_clocks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_notifications_shop_id_shops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_notifications_thread_id_threads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('clock_id', 'kind', name=op.f('uq_notifications_clock_id_kind'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_shop_created', ['shop_id', 'created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_shop_created')

    op.drop_table('notifications')
    with op.batch_alter_table('response_clocks', schema=None) as batch_op:
        batch_op.drop_index('uq_response_clocks_open_thread', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index('ix_response_clocks_status_warn')
        batch_op.drop_index('ix_response_clocks_status_due')
        batch_op.drop_index('ix_response_clocks_shop_started')

    op.drop_table('response_clocks')
