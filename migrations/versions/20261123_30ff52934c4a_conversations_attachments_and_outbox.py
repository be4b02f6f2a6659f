"""conversations, attachments and outbox

Revision ID: 30ff52934c4a
Revises: d737b6acb702
Created: 2026-11-23 06:19:38.445924
"""
import sqlalchemy as sa
from alembic import op

import sellerkit.database

revision = '30ff52934c4a'
down_revision = 'd737b6acb702'
branch_labels = None
depends_on = None


def create_search_table(bind):
    # Full-text search: FTS5 on SQLite (letters, digits and marks are token characters, so Bengali vowel
    # signs do not split words); a GIN-indexed tsvector on PostgreSQL. Both hold terms made in Python.
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(
            "CREATE TABLE message_search (message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE, "
            "shop_id INTEGER NOT NULL, thread_id INTEGER NOT NULL, document tsvector NOT NULL)")
        bind.exec_driver_sql("CREATE INDEX ix_message_search_document ON message_search USING GIN (document)")
    else:
        bind.exec_driver_sql(
            "CREATE VIRTUAL TABLE message_search USING fts5(terms, shop_id UNINDEXED, thread_id UNINDEXED, "
            "tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* Co M*'\")")
        # A virtual table has no foreign key: a trigger removes a deleted message's terms.
        bind.exec_driver_sql("CREATE TRIGGER message_search_delete AFTER DELETE ON messages "
                             "BEGIN DELETE FROM message_search WHERE rowid = old.id; END")


def drop_search_table(bind):
    if bind.dialect.name != "postgresql":
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS message_search_delete")
    bind.exec_driver_sql("DROP TABLE IF EXISTS message_search")


def upgrade():
    op.create_table('buyers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('platform_buyer_id', sa.String(length=200), nullable=True),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('consent_given_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('consent_source', sa.String(length=40), nullable=True),
    sa.Column('consent_withdrawn_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_buyers_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_buyers')),
    sa.UniqueConstraint('shop_id', 'platform_buyer_id', name=op.f('uq_buyers_shop_id_platform_buyer_id'))
    )
    with op.batch_alter_table('buyers', schema=None) as batch_op:
        batch_op.create_index('ix_buyers_shop_email', ['shop_id', 'email'], unique=False)

    op.create_table('orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('platform_order_ref', sa.String(length=200), nullable=False),
    sa.Column('placed_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('shipped_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('tracking_number', sa.String(length=100), nullable=True),
    sa.Column('tracking_url', sa.String(length=500), nullable=True),
    sa.Column('total', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('items_summary', sa.Text(), nullable=False),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['buyer_id'], ['buyers.id'], name=op.f('fk_orders_buyer_id_buyers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_orders_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('shop_id', 'platform_order_ref', name=op.f('uq_orders_shop_id_platform_order_ref'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_buyer_id'), ['buyer_id'], unique=False)

    op.create_table('threads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('is_dispute', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('waiting_since', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_message_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'awaiting_buyer', 'resolved')", name=op.f('ck_threads_status')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_threads_assignee_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['buyer_id'], ['buyers.id'], name=op.f('fk_threads_buyer_id_buyers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_threads_order_id_orders'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_threads_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_threads')),
    sa.UniqueConstraint('shop_id', 'external_id', name=op.f('uq_threads_shop_id_external_id'))
    )
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.create_index('ix_threads_assignee', ['assignee_id', 'last_message_at'], unique=False)
        batch_op.create_index('ix_threads_shop_buyer_order', ['shop_id', 'buyer_id', 'order_id'], unique=False)
        batch_op.create_index('ix_threads_shop_last_message', ['shop_id', 'last_message_at', 'id'], unique=False)
        batch_op.create_index('ix_threads_shop_waiting', ['shop_id', 'waiting_since', 'id'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('posted_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('is_automatic', sa.Boolean(), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("direction IN ('in', 'out', 'internal')", name=op.f('ck_messages_direction')),
    sa.CheckConstraint("kind IN ('buyer', 'reply', 'auto_reply', 'follow_up', 'note')", name=op.f('ck_messages_kind')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_messages_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_messages_shop_id_shops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_messages_thread_id_threads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('shop_id', 'external_id', name=op.f('uq_messages_shop_id_external_id'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_thread_posted', ['thread_id', 'posted_at', 'id'], unique=False)

    op.create_table('thread_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_thread_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_thread_events_shop_id_shops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_thread_events_thread_id_threads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_thread_events'))
    )
    with op.batch_alter_table('thread_events', schema=None) as batch_op:
        batch_op.create_index('ix_thread_events_thread', ['thread_id', 'id'], unique=False)

    op.create_table('thread_labels',
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_thread_labels_shop_id_shops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_thread_labels_thread_id_threads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('thread_id', 'label', name=op.f('pk_thread_labels'))
    )
    with op.batch_alter_table('thread_labels', schema=None) as batch_op:
        batch_op.create_index('ix_thread_labels_shop_label', ['shop_id', 'label', 'thread_id'], unique=False)

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_name', sa.String(length=32), nullable=False),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_attachments_message_id_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_attachments_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_attachments_storage_name'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index('ix_attachments_message', ['message_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_shop_id'), ['shop_id'], unique=False)

    op.create_table('outbox_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('transport', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('due_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_outbox_items_status')),
    sa.CheckConstraint("transport IN ('manual', 'email', 'webhook')", name=op.f('ck_outbox_items_transport')),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_outbox_items_message_id_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_outbox_items_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_items')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_items_message_id'))
    )
    with op.batch_alter_table('outbox_items', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_items_shop_status', ['shop_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_outbox_items_status_due', ['status', 'due_at'], unique=False)

    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_transport', sa.String(length=10), server_default='manual', nullable=False))
        batch_op.add_column(sa.Column('reply_from_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('webhook_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('webhook_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('max_attachment_bytes', sa.Integer(), server_default='10485760', nullable=False))
        batch_op.add_column(sa.Column('max_message_attachment_bytes', sa.Integer(), server_default='52428800', nullable=False))
        batch_op.create_check_constraint('reply_transport', "reply_transport IN ('manual', 'email', 'webhook')")

    create_search_table(op.get_bind())



def downgrade():
    drop_search_table(op.get_bind())
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_constraint('reply_transport', type_='check')
        batch_op.drop_column('max_message_attachment_bytes')
        batch_op.drop_column('max_attachment_bytes')
        batch_op.drop_column('webhook_secret')
        batch_op.drop_column('webhook_url')
        batch_op.drop_column('reply_from_email')
        batch_op.drop_column('reply_transport')

    with op.batch_alter_table('outbox_items', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_items_status_due')
        batch_op.drop_index('ix_outbox_items_shop_status')

    op.drop_table('outbox_items')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_shop_id'))
        batch_op.drop_index('ix_attachments_message')

    op.drop_table('attachments')
    with op.batch_alter_table('thread_labels', schema=None) as batch_op:
        batch_op.drop_index('ix_thread_labels_shop_label')

    op.drop_table('thread_labels')
    with op.batch_alter_table('thread_events', schema=None) as batch_op:
        batch_op.drop_index('ix_thread_events_thread')

    op.drop_table('thread_events')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_thread_posted')

    op.drop_table('messages')
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_index('ix_threads_shop_waiting')
        batch_op.drop_index('ix_threads_shop_last_message')
        batch_op.drop_index('ix_threads_shop_buyer_order')
        batch_op.drop_index('ix_threads_assignee')

    op.drop_table('threads')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_buyer_id'))

    op.drop_table('orders')
    with op.batch_alter_table('buyers', schema=None) as batch_op:
        batch_op.drop_index('ix_buyers_shop_email')

    op.drop_table('buyers')
