"""Channels: a shop's connections that fetch buyer messages and send replies; threads know their channel; the
outbox gets the transport "channel"

Revision ID: c4e1a9b7d230
Revises: c5d8e2f4a6b1
Created: 2026-12-07 23:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

from sellerkit.database import UTCDateTime

revision = 'c4e1a9b7d230'
down_revision = 'c5d8e2f4a6b1'
branch_labels = None
depends_on = None

ERRORS_INDEX = "ix_outbox_items_shop_errors"
FK_NAME = "fk_threads_channel_id_channels"


def _transports(values):
    # SQLite rebuilds the table in batch mode, and a partial index would come back without its WHERE.
    op.drop_index(ERRORS_INDEX, table_name="outbox_items")
    with op.batch_alter_table("outbox_items") as batch:
        batch.drop_constraint("transport", type_="check")
        batch.create_check_constraint("transport", "transport IN ({})".format(", ".join(f"'{v}'" for v in values)))
    op.create_index(ERRORS_INDEX, "outbox_items", ["shop_id", "id"],
                    sqlite_where=sa.text("last_error IS NOT NULL"), postgresql_where=sa.text("last_error IS NOT NULL"))


def upgrade():
    op.create_table(
        "channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("is_paused", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("secrets", sa.Text(), nullable=True),
        sa.Column("cursor", sa.JSON(), nullable=True),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        sa.Column("lease_until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_fetch_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failing_since", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error_code", sa.String(length=40), nullable=True),
        sa.Column("last_error_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("fetched_today", sa.Integer(), server_default="0", nullable=False),
        sa.Column("fetched_day", sa.Date(), nullable=True),
        sa.Column("backlog", sa.Integer(), nullable=True),
        sa.Column("is_backfilled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_channels_shop_id_shops"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channels")),
    )
    op.create_index("ix_channels_shop", "channels", ["shop_id", "id"])
    op.create_index("ix_channels_due", "channels", ["is_paused", "next_fetch_at"])
    if op.get_bind().dialect.name == "sqlite":
        # A key added with ALTER TABLE ADD COLUMN keeps no name SQLite reports back, so the table is rebuilt.
        def add(batch):
            batch.add_column(sa.Column("channel_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(FK_NAME, "channels", ["channel_id"], ["id"], ondelete="SET NULL")
        _rebuild_threads(add)
    else:
        op.add_column("threads", sa.Column("channel_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FK_NAME, "threads", "channels", ["channel_id"], ["id"], ondelete="SET NULL")
    op.create_index("ix_threads_channel", "threads", ["channel_id"])
    _transports(("manual", "email", "webhook", "channel"))


def _rebuild_threads(change):
    """SQLite: apply `change` to threads by rebuilding the table, which loses its triggers and the WHERE of its
    partial indexes: they are read first and written again after."""
    kept = op.get_bind().execute(sa.text(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'threads' AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL AND name != 'ix_threads_channel'")).all()
    for kind, name, _sql in kept:
        op.execute(f'DROP {kind.upper()} "{name}"')
    with op.batch_alter_table("threads") as batch:
        change(batch)
    for _kind, _name, sql in kept:
        op.execute(sql)


def downgrade():
    op.execute("UPDATE outbox_items SET transport = 'manual', due_at = NULL WHERE transport = 'channel'")
    _transports(("manual", "email", "webhook"))
    op.drop_index("ix_threads_channel", table_name="threads")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_threads(lambda batch: batch.drop_column("channel_id"))
    else:
        op.drop_constraint(FK_NAME, "threads", type_="foreignkey")
        op.drop_column("threads", "channel_id")
    op.drop_index("ix_channels_due", table_name="channels")
    op.drop_index("ix_channels_shop", table_name="channels")
    op.drop_table("channels")
