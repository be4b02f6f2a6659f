"""System: the scheduler's heartbeat, the backups taken, the instance's administrators

The oldest user of an existing instance becomes its administrator, so a single-seller install sees the System
page (backups, readiness) at once after the upgrade.

Revision ID: a7c2e9f4b813
Revises: 317e9b0a10d6
Created: 2026-12-07 20:40:00.000000
"""
import sqlalchemy as sa
from alembic import op

from sellerkit.database import UTCDateTime

revision = 'a7c2e9f4b813'
down_revision = '317e9b0a10d6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scheduler_heartbeats",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("beat_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_heartbeats")),
    )
    op.create_index(op.f("ix_scheduler_heartbeats_beat_at"), "scheduler_heartbeats", ["beat_at"])
    op.create_table(
        "backup_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("slot", sa.String(length=10), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.String(length=1000), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backup_runs")),
        sa.UniqueConstraint("slot", name=op.f("uq_backup_runs_slot")),
    )
    op.create_index(op.f("ix_backup_runs_finished_at"), "backup_runs", ["finished_at"])
    op.create_table(
        "instance_admins",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_instance_admins_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_instance_admins")),
    )
    op.execute("INSERT INTO instance_admins (user_id, created_at) "
               "SELECT id, created_at FROM users ORDER BY id LIMIT 1")


def downgrade():
    op.drop_table("instance_admins")
    op.drop_index(op.f("ix_backup_runs_finished_at"), table_name="backup_runs")
    op.drop_table("backup_runs")
    op.drop_index(op.f("ix_scheduler_heartbeats_beat_at"), table_name="scheduler_heartbeats")
    op.drop_table("scheduler_heartbeats")
