"""Outbox claims are leases (claimed_until, renewed while sending); notice mails to shop owners go through the outbox

Revision ID: a7e3c9d15b42
Revises: f3a9c2d17e40
Created: 2026-12-07 21:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

import sellerkit.database

revision = 'a7e3c9d15b42'
down_revision = 'f3a9c2d17e40'
branch_labels = None
depends_on = None

ERRORS_INDEX = "ix_outbox_items_shop_errors"


def _drop_errors_index():
    # SQLite rebuilds the table in batch mode, and a partial index would come back without its WHERE.
    op.drop_index(ERRORS_INDEX, table_name="outbox_items")


def _create_errors_index():
    op.create_index(ERRORS_INDEX, "outbox_items", ["shop_id", "id"],
                    sqlite_where=sa.text("last_error IS NOT NULL"), postgresql_where=sa.text("last_error IS NOT NULL"))


def upgrade():
    op.create_table('notice_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=20), nullable=False),
    sa.Column('about_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("topic IN ('reply_deadline', 'ticket_draft')", name=op.f('ck_notice_mails_topic')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_notice_mails_shop_id_shops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notice_mails_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_mails'))
    )
    # A claim of the old kind has no lease to renew: the item is due again, at least once as before.
    op.execute("UPDATE outbox_items SET status = 'pending', claim_token = NULL WHERE status = 'sending'")
    _drop_errors_index()
    with op.batch_alter_table('outbox_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_until', sellerkit.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.drop_column('claimed_at')
    _create_errors_index()


def downgrade():
    op.execute("UPDATE outbox_items SET status = 'pending', claim_token = NULL WHERE status = 'sending'")
    op.execute("DELETE FROM outbox_items WHERE kind = 'notification'")
    _drop_errors_index()
    with op.batch_alter_table('outbox_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.drop_column('claimed_until')
    _create_errors_index()
    op.drop_table('notice_mails')
