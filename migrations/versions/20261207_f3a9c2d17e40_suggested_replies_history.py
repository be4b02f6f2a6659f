"""Suggested replies: the buyer messages each saved reply answered, and how often a suggestion was taken

Revision ID: f3a9c2d17e40
Revises: a7c2e9f4b813
Created: 2026-12-07 20:40:00.000000
"""
import sqlalchemy as sa
from alembic import op

import sellerkit.database

revision = 'f3a9c2d17e40'
down_revision = 'a7c2e9f4b813'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'suggestion_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('saved_reply_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('language', sa.String(length=16), nullable=True),
        sa.Column('buyer_text', sa.Text(), nullable=False),
        sa.Column('created_at', sellerkit.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'],
                                name=op.f('fk_suggestion_answers_message_id_messages'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['saved_reply_id'], ['saved_replies.id'],
                                name=op.f('fk_suggestion_answers_saved_reply_id_saved_replies'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_suggestion_answers_shop_id_shops'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_answers')),
        sa.UniqueConstraint('saved_reply_id', 'message_id',
                            name=op.f('uq_suggestion_answers_saved_reply_id_message_id')),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_suggestion_answers_shop', 'suggestion_answers', ['shop_id', 'id'])
    op.create_index(op.f('ix_suggestion_answers_saved_reply_id'), 'suggestion_answers', ['saved_reply_id'])
    op.create_index(op.f('ix_suggestion_answers_message_id'), 'suggestion_answers', ['message_id'])
    op.create_table(
        'suggestion_feedback',
        sa.Column('saved_reply_id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('shown_count', sa.Integer(), nullable=False),
        sa.Column('taken_count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['saved_reply_id'], ['saved_replies.id'],
                                name=op.f('fk_suggestion_feedback_saved_reply_id_saved_replies'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_suggestion_feedback_shop_id_shops'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('saved_reply_id', name=op.f('pk_suggestion_feedback')),
    )
    op.create_index(op.f('ix_suggestion_feedback_shop_id'), 'suggestion_feedback', ['shop_id'])


def downgrade():
    op.drop_table('suggestion_feedback')
    op.drop_table('suggestion_answers')
