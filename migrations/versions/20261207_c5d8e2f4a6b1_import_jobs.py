"""Import jobs: a file uploaded in the browser, imported in the background, resumable

Revision ID: c5d8e2f4a6b1
Revises: c4d8e2f1a9b3
Created: 2026-12-07 23:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

import sellerkit.database

revision = 'c5d8e2f4a6b1'
down_revision = 'c4d8e2f1a9b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'import_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('stored_name', sa.String(length=64), nullable=False),
        sa.Column('file_format', sa.String(length=8), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('locale', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('bytes_done', sa.Integer(), nullable=False),
        sa.Column('lines_done', sa.Integer(), nullable=False),
        sa.Column('rows_done', sa.Integer(), nullable=False),
        sa.Column('messages_new', sa.Integer(), nullable=False),
        sa.Column('duplicates', sa.Integer(), nullable=False),
        sa.Column('errors_count', sa.Integer(), nullable=False),
        sa.Column('errors', sa.JSON(), nullable=False),
        sa.Column('failure', sa.String(length=20), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('lease_until', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('claim_token', sa.String(length=32), nullable=True),
        sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('started_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sellerkit.database.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'running', 'done', 'failed')", name=op.f('ck_import_jobs_status')),
        sa.CheckConstraint("file_format IN ('csv', 'jsonl')", name=op.f('ck_import_jobs_file_format')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_import_jobs_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_import_jobs_shop_id_shops'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_jobs')),
    )
    with op.batch_alter_table('import_jobs') as batch_op:
        batch_op.create_index('ix_import_jobs_shop', ['shop_id', 'id'], unique=False)
        batch_op.create_index('ix_import_jobs_status', ['status', 'lease_until'], unique=False)


def downgrade():
    with op.batch_alter_table('import_jobs') as batch_op:
        batch_op.drop_index('ix_import_jobs_status')
        batch_op.drop_index('ix_import_jobs_shop')
    op.drop_table('import_jobs')
