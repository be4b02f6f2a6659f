"""System actions: heartbeats, backup records, instance administrators, and the facts readiness is judged on."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import false, func, inspect, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from sellerkit.channels.models import Channel
from sellerkit.config import PROJECT_ROOT
from sellerkit.dialects.upsert import insert_unless_stored
from sellerkit.extensions import db
from sellerkit.outbox.models import OutboxItem
from sellerkit.sla.models import ResponseClock
from sellerkit.system import domain
from sellerkit.system.models import BackupRun, InstanceAdmin, SchedulerHeartbeat

#: Tables whose rows mean the instance holds someone's data (a restore refuses to overwrite them).
DATA_TABLES = ("users", "shops", "messages")


def migration_head():
    """The newest migration of this code (read once per process)."""
    head = current_app.extensions.get("sellerkit_migration_head")
    if head is None:
        from alembic.script import ScriptDirectory

        head = ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_current_head()
        current_app.extensions["sellerkit_migration_head"] = head
    return head


def is_known_revision(revision):
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_revision(revision) is not None
    except CommandError:
        return False


def _tables():
    # On the session's own connection: on SQLite a second connection would wait for the session's write lock.
    return set(inspect(db.session.connection()).get_table_names())


def current_revision():
    if "alembic_version" not in _tables():
        return None
    return db.session.scalar(text("SELECT version_num FROM alembic_version"))


def holds_data():
    """Whether the database has users, shops or messages (a fresh or emptied instance has none)."""
    tables = _tables()
    return any(db.session.scalar(text(f'SELECT 1 FROM "{table}" LIMIT 1')) for table in DATA_TABLES if table in tables)


def last_backup_at():
    """When the newest finished backup was written, or None (also on a database older than backup records)."""
    if BackupRun.__tablename__ not in _tables():
        return None
    return db.session.scalar(select(func.max(BackupRun.finished_at)).where(BackupRun.status == "done"))


def latest_backups(limit=10):
    return db.session.scalars(select(BackupRun).order_by(BackupRun.started_at.desc(), BackupRun.id.desc())
                              .limit(limit)).all()


def record_backup(*, kind, path, size_bytes, started_at, finished_at):
    """Note a finished backup, when the database has the table for it (a database older than this feature
    takes backups too; they are simply not listed)."""
    if BackupRun.__tablename__ not in _tables():
        return None
    run = BackupRun(kind=kind, slot=None, status="done", path=str(path), size_bytes=size_bytes, error="",
                    started_at=started_at, finished_at=finished_at)
    db.session.add(run)
    db.session.flush()
    return run


def claim_scheduled_backup(slot, now):
    """Claim the scheduled backup of day `slot`: the new running row, or None when another scheduler has it."""
    return insert_unless_stored(db.session, BackupRun, {
        "kind": "scheduled", "slot": slot, "status": "running", "path": "", "size_bytes": None, "error": "",
        "started_at": now, "finished_at": None}, ("slot",))


def release_abandoned_backups(before, now):
    """Scheduled backups still "running" since before `before` belong to a scheduler that died: mark them failed
    and free their day, so the next sweep takes that day's backup again."""
    db.session.execute(update(BackupRun).where(BackupRun.status == "running", BackupRun.started_at < before).values(
        status="failed", slot=None, finished_at=now, error="abandoned: the scheduler stopped while writing it"))


def finish_scheduled_backup(run_id, *, now, path=None, size_bytes=None, error=None):
    values = {"finished_at": now, "status": "failed" if error else "done", "error": (error or "")[:1000]}
    if path is not None:
        values.update(path=str(path), size_bytes=size_bytes)
    db.session.execute(update(BackupRun).where(BackupRun.id == run_id).values(**values))


def taken_slots(since_slot):
    return set(db.session.scalars(select(BackupRun.slot).where(BackupRun.slot >= since_slot)))


def kept_scheduled_archives():
    """(path, finished_at) of every scheduled backup still on disk, for retention."""
    return db.session.execute(select(BackupRun.path, BackupRun.finished_at).where(
        BackupRun.kind == "scheduled", BackupRun.status == "done", BackupRun.path != "")).all()


def forget_archive(path):
    db.session.execute(update(BackupRun).where(BackupRun.path == str(path)).values(path=""))


def beat(name, now):
    """Record that the scheduler `name` is alive at `now` (one row per process, rewritten)."""
    row = db.session.get(SchedulerHeartbeat, name)
    if row is None:
        db.session.add(SchedulerHeartbeat(name=name, started_at=now, beat_at=now))
    else:
        row.beat_at = now
    # Rows of schedulers gone for a day only clutter the status output.
    db.session.execute(SchedulerHeartbeat.__table__.delete()
                       .where(SchedulerHeartbeat.beat_at < now - timedelta(days=1)))


def last_heartbeat_at():
    return db.session.scalar(select(func.max(SchedulerHeartbeat.beat_at)))


def channel_states():
    """Every channel not paused, named by id and kind (a seller's name may be an address: probes show none), with
    since when it fails."""
    rows = db.session.execute(
        select(Channel.id, Channel.kind, Channel.failing_since, Channel.last_success_at, Channel.consecutive_failures)
        .where(Channel.is_paused == false()).order_by(Channel.id)).all()
    return [domain.ChannelState(f"#{channel_id} {kind}", failing_since, last_success_at, failures)
            for channel_id, kind, failing_since, last_success_at, failures in rows]


def readiness(now):
    """The readiness checks, in order; a database that does not answer fails the first and skips the rest."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        return [domain.Check("database", False, f"not reachable ({type(error).__name__})")]
    checks = [domain.Check("database", True, "reachable"),
              domain.check_migrations(current_revision(), migration_head())]
    if not checks[1].ok:
        return checks
    return checks + [domain.check_scheduler(now, last_heartbeat_at()),
                     domain.check_channels(now, channel_states())]


def backlog(now):
    """The outbox and clock figures `sellerkit status` and the metrics show."""
    outbox = dict(db.session.execute(select(OutboxItem.status, func.count()).group_by(OutboxItem.status)).all())
    due = db.session.scalar(select(func.count()).select_from(OutboxItem).where(
        OutboxItem.status == "pending", OutboxItem.due_at <= now))
    open_clocks = db.session.scalar(select(func.count()).select_from(ResponseClock)
                                    .where(ResponseClock.status == "open"))
    overdue = db.session.scalar(select(func.count()).select_from(ResponseClock).where(
        ResponseClock.status == "open", ResponseClock.due_at <= now))
    breached = db.session.scalar(select(func.count()).select_from(ResponseClock).where(
        ResponseClock.breached_at.is_not(None)))
    return {"outbox": outbox, "outbox_due": due, "clocks_open": open_clocks, "clocks_overdue": overdue,
            "clocks_breached": breached}


def is_admin(user):
    return user.is_authenticated and db.session.get(InstanceAdmin, user.id) is not None


def grant_admin(user, now):
    """Make `user` an administrator of the instance (idempotent)."""
    if db.session.get(InstanceAdmin, user.id) is None:
        db.session.add(InstanceAdmin(user_id=user.id, created_at=now))
