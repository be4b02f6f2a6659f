"""Live workspace: change events for open pages, per-member read state, notification marks and member notices

Revision ID: c4d8e2f1a9b7
Revises: d1e2f3a4b5c6
Created: 2026-12-07 23:50:00.000000
"""
import sqlalchemy as sa
from alembic import op

import sellerkit.database

revision = 'c4d8e2f1a9b7'
down_revision = 'd1e2f3a4b5c6'
branch_labels = None
depends_on = None

OPEN_DISPUTE = "is_dispute AND status != 'resolved'"


def upgrade():
    op.create_table('live_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_live_events_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_events'))
    )
    op.create_index('ix_live_events_shop_id', 'live_events', ['shop_id', 'id'], unique=False)
    op.create_index(op.f('ix_live_events_created_at'), 'live_events', ['created_at'], unique=False)
    op.create_table('thread_reads',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('last_message_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_thread_reads_thread_id_threads'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_thread_reads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'thread_id', name=op.f('pk_thread_reads'))
    )
    op.create_index(op.f('ix_thread_reads_thread_id'), 'thread_reads', ['thread_id'], unique=False)
    op.create_table('notification_marks',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_notification_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_marks_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_marks'))
    )
    op.create_table('member_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('assigned_message', 'delivery_failed')", name=op.f('ck_member_notices_kind')),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_member_notices_message_id_messages'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_member_notices_shop_id_shops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_member_notices_thread_id_threads'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_member_notices_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_notices'))
    )
    op.create_index('ix_member_notices_user', 'member_notices', ['user_id', 'id'], unique=False)
    op.create_index(op.f('ix_member_notices_thread_id'), 'member_notices', ['thread_id'], unique=False)
    op.create_index(op.f('ix_member_notices_message_id'), 'member_notices', ['message_id'], unique=False)
    op.create_index('ix_threads_open_disputes', 'threads', ['shop_id'], unique=False,
                    sqlite_where=sa.text(OPEN_DISPUTE), postgresql_where=sa.text(OPEN_DISPUTE))


def downgrade():
    op.drop_index('ix_threads_open_disputes', table_name='threads')
    op.drop_table('member_notices')
    op.drop_table('notification_marks')
    op.drop_table('thread_reads')
    op.drop_table('live_events')
