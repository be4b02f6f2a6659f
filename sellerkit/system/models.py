"""System tables: the scheduler's heartbeat, the backups taken, and the users who administer the instance."""
from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db


class SchedulerHeartbeat(db.Model):
    """One row per scheduler process, rewritten by its heartbeat job; readiness reads the newest."""

    __tablename__ = "scheduler_heartbeats"

    #: host:pid of the scheduler process.
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    started_at: Mapped[object] = mapped_column(UTCDateTime())
    beat_at: Mapped[object] = mapped_column(UTCDateTime(), index=True)


class BackupRun(db.Model):
    """A backup that was written (by `sellerkit backup`, `db upgrade --backup-first` or the daily job)."""

    __tablename__ = "backup_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "manual", "upgrade" or "scheduled".
    kind: Mapped[str] = mapped_column(String(10))
    #: The day a scheduled backup stands for (YYYY-MM-DD, UTC): unique, so two schedulers never both take it.
    slot: Mapped[str | None] = mapped_column(String(10), unique=True)
    #: "running" while a scheduled backup is written, then "done" or "failed".
    status: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(1000), default="")
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str] = mapped_column(String(1000), default="")
    started_at: Mapped[object] = mapped_column(UTCDateTime())
    finished_at: Mapped[object | None] = mapped_column(UTCDateTime(), index=True)


class InstanceAdmin(db.Model):
    """A user who administers this instance: sees the System page (backups, readiness)."""

    __tablename__ = "instance_admins"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime())
