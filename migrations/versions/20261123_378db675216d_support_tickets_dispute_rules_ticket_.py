"""support tickets, dispute rules, ticket mails in the outbox

Revision ID: 378db675216d
Revises: 72dbc8188c90
Created: 2026-11-23 09:08:59.991778
"""
import sqlalchemy as sa
from alembic import op

import sellerkit.database

revision = '378db675216d'
down_revision = '72dbc8188c90'
branch_labels = None
depends_on = None


def create_search_table(bind):
    # The same full-text search as messages (see the conversations migration), over ticket titles and descriptions.
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(
            "CREATE TABLE ticket_search (ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE, "
            "shop_id INTEGER NOT NULL, document tsvector NOT NULL)")
        bind.exec_driver_sql("CREATE INDEX ix_ticket_search_document ON ticket_search USING GIN (document)")
    else:
        bind.exec_driver_sql(
            "CREATE VIRTUAL TABLE ticket_search USING fts5(terms, shop_id UNINDEXED, "
            "tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* Co M*'\")")
        bind.exec_driver_sql("CREATE TRIGGER ticket_search_delete AFTER DELETE ON tickets "
                             "BEGIN DELETE FROM ticket_search WHERE rowid = old.id; END")


def upgrade():
    op.create_table('dispute_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('keyword', sa.String(length=80), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('keyword', 'breach')", name=op.f('ck_dispute_rules_kind')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_dispute_rules_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute_rules')),
    sa.UniqueConstraint('shop_id', 'kind', 'language', 'keyword', name=op.f('uq_dispute_rules_shop_id_kind_language_keyword'))
    )
    with op.batch_alter_table('dispute_rules', schema=None) as batch_op:
        batch_op.create_index('ix_dispute_rules_shop', ['shop_id', 'enabled'], unique=False)

    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('buyer_id', sa.Integer(), nullable=True),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('category_key', sa.String(length=60), nullable=False),
    sa.Column('topic_key', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('transcript', sa.Text(), nullable=False),
    sa.Column('policy_versions', sa.JSON(), nullable=False),
    sa.Column('lifecycle', sa.String(length=20), nullable=False),
    sa.Column('lifecycle_changed_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=True),
    sa.Column('platform_ref', sa.String(length=100), nullable=True),
    sa.Column('filed_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=True),
    sa.Column('closed_reason', sa.String(length=30), nullable=True),
    sa.Column('is_automatic', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("lifecycle IN ('draft', 'new', 'in_review', 'awaiting_details', 'answered', 'resolved', 'closed', 'cancelled')", name=op.f('ck_tickets_lifecycle')),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name=op.f('ck_tickets_rating_range')),
    sa.ForeignKeyConstraint(['buyer_id'], ['buyers.id'], name=op.f('fk_tickets_buyer_id_buyers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_tickets_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_tickets_order_id_orders'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_tickets_shop_id_shops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_tickets_thread_id_threads'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_auto_close', ['lifecycle', 'lifecycle_changed_at'], unique=False)
        batch_op.create_index('ix_tickets_buyer', ['buyer_id', 'lifecycle'], unique=False)
        batch_op.create_index('ix_tickets_shop_created', ['shop_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_tickets_shop_lifecycle', ['shop_id', 'lifecycle', 'id'], unique=False)
        batch_op.create_index('ix_tickets_shop_topic_filed', ['shop_id', 'topic_key', 'filed_at'], unique=False)
        batch_op.create_index('uq_tickets_open_problem', ['thread_id', 'topic_key'], unique=True, sqlite_where=sa.text("lifecycle IN ('draft', 'new', 'in_review', 'awaiting_details', 'answered')"), postgresql_where=sa.text("lifecycle IN ('draft', 'new', 'in_review', 'awaiting_details', 'answered')"))

    op.create_table('ticket_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('from_lifecycle', sa.String(length=20), nullable=True),
    sa.Column('to_lifecycle', sa.String(length=20), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=True),
    sa.Column('mail_id', sa.String(length=250), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_ticket_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_ticket_events_shop_id_shops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_events_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_events'))
    )
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_events_mail_id'), ['mail_id'], unique=False)
        batch_op.create_index('ix_ticket_events_ticket', ['ticket_id', 'id'], unique=False)

    op.create_table('ticket_files',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('included', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_ticket_files_attachment_id_attachments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_files_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'attachment_id', name=op.f('pk_ticket_files'))
    )
    with op.batch_alter_table('outbox_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_event_id', sa.Integer(), nullable=True))
        batch_op.alter_column('message_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_items_ticket_event_id'), ['ticket_event_id'])
        batch_op.create_foreign_key(batch_op.f('fk_outbox_items_ticket_event_id_ticket_events'), 'ticket_events', ['ticket_event_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint(batch_op.f('ck_outbox_items_one_subject'),
                                         '(message_id IS NULL) <> (ticket_event_id IS NULL)')

    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('support_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('escalate_on_breach', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('escalate_after_days', sa.Integer(), nullable=True))

    create_search_table(op.get_bind())



def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS ticket_search_delete")
    bind.exec_driver_sql("DROP TABLE IF EXISTS ticket_search")
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_column('escalate_after_days')
        batch_op.drop_column('escalate_on_breach')
        batch_op.drop_column('support_email')

    with op.batch_alter_table('outbox_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_items_one_subject'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_outbox_items_ticket_event_id_ticket_events'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_outbox_items_ticket_event_id'), type_='unique')
        batch_op.alter_column('message_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('ticket_event_id')

    op.drop_table('ticket_files')
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_events_ticket')
        batch_op.drop_index(batch_op.f('ix_ticket_events_mail_id'))

    op.drop_table('ticket_events')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('uq_tickets_open_problem', sqlite_where=sa.text("lifecycle IN ('draft', 'new', 'in_review', 'awaiting_details', 'answered')"), postgresql_where=sa.text("lifecycle IN ('draft', 'new', 'in_review', 'awaiting_details', 'answered')"))
        batch_op.drop_index('ix_tickets_shop_topic_filed')
        batch_op.drop_index('ix_tickets_shop_lifecycle')
        batch_op.drop_index('ix_tickets_shop_created')
        batch_op.drop_index('ix_tickets_buyer')
        batch_op.drop_index('ix_tickets_auto_close')

    op.drop_table('tickets')
    with op.batch_alter_table('dispute_rules', schema=None) as batch_op:
        batch_op.drop_index('ix_dispute_rules_shop')

    op.drop_table('dispute_rules')
