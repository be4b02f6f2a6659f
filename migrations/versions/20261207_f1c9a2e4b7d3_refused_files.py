"""Refused files: a buyer's file that was not kept (type or size) is listed on the message, which is kept

Revision ID: f1c9a2e4b7d3
Revises: f1c2d3e4a5b6
Created: 2026-12-07 20:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

import sellerkit.database

revision = 'f1c9a2e4b7d3'
down_revision = 'f1c2d3e4a5b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'refused_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.String(length=20), nullable=False),
        sa.Column('allowance', sa.Integer(), nullable=True),
        sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("reason IN ('file_type', 'file_too_large', 'message_too_large', 'too_many_files')",
                           name=op.f('ck_refused_files_reason')),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_refused_files_message_id_messages'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_refused_files_shop_id_shops'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_refused_files')),
    )
    with op.batch_alter_table('refused_files') as batch_op:
        batch_op.create_index('ix_refused_files_message', ['message_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refused_files_shop_id'), ['shop_id'], unique=False)


def downgrade():
    with op.batch_alter_table('refused_files') as batch_op:
        batch_op.drop_index(batch_op.f('ix_refused_files_shop_id'))
        batch_op.drop_index('ix_refused_files_message')
    op.drop_table('refused_files')
