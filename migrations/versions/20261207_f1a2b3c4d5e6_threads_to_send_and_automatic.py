"""Threads: when the oldest reply still to be sent by hand was written, and whether only machines wrote in them

Both feed an inbox view ("To send", "Automatic") through a partial index of its few threads. Replies already
waiting to be copied by hand put their conversations in "To send" at once.

Revision ID: f1a2b3c4d5e6
Revises: e5a7c1d3b920
Created: 2026-12-07 20:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

from sellerkit.database import UTCDateTime

revision = 'f1a2b3c4d5e6'
down_revision = 'e5a7c1d3b920'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("threads", sa.Column("unsent_reply_at", UTCDateTime(timezone=True), nullable=True))
    op.add_column("threads", sa.Column("is_automatic", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE threads SET unsent_reply_at = (SELECT min(messages.posted_at) FROM messages "
               "JOIN outbox_items ON outbox_items.message_id = messages.id WHERE messages.thread_id = threads.id "
               "AND messages.kind = 'reply' AND outbox_items.transport = 'manual' "
               "AND outbox_items.status = 'pending')")
    op.create_index("ix_threads_to_send", "threads", ["shop_id", "unsent_reply_at", "id"],
                    sqlite_where=sa.text("unsent_reply_at IS NOT NULL"),
                    postgresql_where=sa.text("unsent_reply_at IS NOT NULL"))
    op.create_index("ix_threads_automatic", "threads", ["shop_id", "last_message_at", "id"],
                    sqlite_where=sa.text("is_automatic"), postgresql_where=sa.text("is_automatic"))


def downgrade():
    op.drop_index("ix_threads_automatic", table_name="threads")
    op.drop_index("ix_threads_to_send", table_name="threads")
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("is_automatic")
        batch.drop_column("unsent_reply_at")
