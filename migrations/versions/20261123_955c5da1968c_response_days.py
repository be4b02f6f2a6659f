"""The dashboard reads a row per local day of answered clocks (response_days), counted from the clocks so far

Revision ID: 955c5da1968c
Revises: 5d3b1c9e7a42
Created: 2026-11-23 16:11:28.754944
"""
from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = '955c5da1968c'
down_revision = '5d3b1c9e7a42'
branch_labels = None
depends_on = None


def _aware(moment):
    # SQLite hands back naive UTC datetimes.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _count_existing_clocks(bind):
    """Each shop's answered clocks by the local day they started on, as sla.services.recount_days counts them
    (written out here: a migration keeps working whatever the application's code becomes)."""
    shops = sa.table("shops", sa.column("id", sa.Integer), sa.column("timezone", sa.String))
    clocks = sa.table("response_clocks", sa.column("shop_id", sa.Integer), sa.column("status", sa.String),
                      sa.column("started_at", sa.DateTime(timezone=True)),
                      sa.column("stopped_at", sa.DateTime(timezone=True)))
    days = sa.table("response_days", sa.column("shop_id", sa.Integer), sa.column("zone", sa.String),
                    sa.column("day", sa.Date), sa.column("on_time", sa.Integer), sa.column("breaches", sa.Integer),
                    sa.column("response_seconds", sa.Text))
    for shop_id, zone_name in bind.execute(sa.select(shops.c.id, shops.c.timezone)).all():
        zone, counts = ZoneInfo(zone_name), {}
        for status, started, stopped in bind.execute(
                sa.select(clocks.c.status, clocks.c.started_at, clocks.c.stopped_at).where(
                    clocks.c.shop_id == shop_id, clocks.c.status.in_(("met", "breached")),
                    clocks.c.stopped_at.is_not(None))):
            started, stopped = _aware(started), _aware(stopped)
            count = counts.setdefault(started.astimezone(zone).date(), [0, 0, []])
            count[0 if status == "met" else 1] += 1
            count[2].append(str(round((stopped - started).total_seconds())))
        if counts:
            bind.execute(days.insert(), [
                {"shop_id": shop_id, "zone": zone_name, "day": day, "on_time": on_time, "breaches": breaches,
                 "response_seconds": ",".join(seconds)} for day, (on_time, breaches, seconds) in counts.items()])


def upgrade():
    op.create_table('response_days',
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('zone', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('on_time', sa.Integer(), nullable=False),
    sa.Column('breaches', sa.Integer(), nullable=False),
    sa.Column('response_seconds', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_response_days_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('shop_id', 'zone', 'day', name=op.f('pk_response_days'))
    )
    with op.batch_alter_table('response_clocks', schema=None) as batch_op:
        batch_op.create_index('ix_response_clocks_open_shop_started', ['shop_id', 'started_at', 'due_at'], unique=False, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
    _count_existing_clocks(op.get_bind())


def downgrade():
    with op.batch_alter_table('response_clocks', schema=None) as batch_op:
        batch_op.drop_index('ix_response_clocks_open_shop_started', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.drop_table('response_days')
