"""Outbox items name their kind (the builder that sends them) and may be a user's own mail; password-reset requests
are rows (rate limit, mailed by the outbox); logins remember the addresses that succeeded

Revision ID: f1c2d3e4a5b6
Revises: b3d5f0a1c8e2
Created: 2026-12-07 20:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

import sellerkit.database

revision = 'f1c2d3e4a5b6'
down_revision = 'b3d5f0a1c8e2'
branch_labels = None
depends_on = None

ONE_SUBJECT = ("(message_id IS NOT NULL AND ticket_event_id IS NULL AND subject_id IS NULL)"
               " OR (message_id IS NULL AND ticket_event_id IS NOT NULL AND subject_id IS NULL)"
               " OR (message_id IS NULL AND ticket_event_id IS NULL AND subject_id IS NOT NULL)")
OLD_ONE_SUBJECT = "(message_id IS NULL) <> (ticket_event_id IS NULL)"
ERRORS_INDEX = "ix_outbox_items_shop_errors"


def _drop_errors_index():
    # SQLite rebuilds the table in batch mode, and a partial index would come back without its WHERE.
    op.drop_index(ERRORS_INDEX, table_name="outbox_items")


def _create_errors_index():
    op.create_index(ERRORS_INDEX, "outbox_items", ["shop_id", "id"],
                    sqlite_where=sa.text("last_error IS NOT NULL"), postgresql_where=sa.text("last_error IS NOT NULL"))


def upgrade():
    op.create_table('login_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=False),
    sa.Column('last_login_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_addresses_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_addresses')),
    sa.UniqueConstraint('user_id', 'ip_address', name=op.f('uq_login_addresses_user_id_ip_address'))
    )
    op.create_table('password_reset_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=True),
    sa.Column('requested_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_requests'))
    )
    with op.batch_alter_table('password_reset_requests', schema=None) as batch_op:
        batch_op.create_index('ix_password_reset_requests_email_at', ['email', 'requested_at'], unique=False)
        batch_op.create_index('ix_password_reset_requests_ip_at', ['ip_address', 'requested_at'], unique=False)

    _drop_errors_index()
    with op.batch_alter_table('outbox_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.alter_column('shop_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(batch_op.f('ck_outbox_items_one_subject'), type_='check')
    op.execute("UPDATE outbox_items SET kind = CASE WHEN ticket_event_id IS NOT NULL THEN 'ticket_mail' "
               "WHEN message_id IN (SELECT id FROM messages WHERE kind = 'follow_up') THEN 'follow_up' "
               "ELSE 'reply' END")
    with op.batch_alter_table('outbox_items', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=20), nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_outbox_items_one_subject'), ONE_SUBJECT)
    _create_errors_index()


def downgrade():
    op.execute("DELETE FROM outbox_items WHERE subject_id IS NOT NULL")
    _drop_errors_index()
    with op.batch_alter_table('outbox_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_items_one_subject'), type_='check')
        batch_op.alter_column('shop_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('subject_id')
        batch_op.drop_column('kind')
        batch_op.create_check_constraint(batch_op.f('ck_outbox_items_one_subject'), OLD_ONE_SUBJECT)
    _create_errors_index()
    with op.batch_alter_table('password_reset_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_password_reset_requests_ip_at')
        batch_op.drop_index('ix_password_reset_requests_email_at')
    op.drop_table('password_reset_requests')
    op.drop_table('login_addresses')
