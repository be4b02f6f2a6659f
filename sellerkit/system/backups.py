"""Backups of this app's instance: on demand, before an upgrade, and the daily scheduled one with its retention."""
import os
from pathlib import Path

from flask import current_app

from sellerkit.attachments.services import attachment_folder
from sellerkit.extensions import db
from sellerkit.system import archive, domain, services
from sellerkit.system.dumps import BackupError


def backup_folder():
    configured = current_app.config.get("BACKUP_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "backups"


def archive_name(now, kind):
    return f"sellerkit-{now.strftime('%Y%m%dT%H%M%SZ')}-{kind}.tar.gz"


def write_backup(target, now):
    """Write the archive of this instance to `target`; returns the manifest. Holds no transaction meanwhile."""
    db.session.commit()
    return archive.create_backup(
        uri=current_app.config["SQLALCHEMY_DATABASE_URI"], engine=db.engine, metadata=db.metadata,
        instance_path=current_app.instance_path, attachments_dir=attachment_folder(),
        secret_key=current_app.config.get("SECRET_KEY"), target=target, now=now,
        pg_bin_dir=current_app.config.get("PG_BIN_DIR"))


def take_backup(target, now, kind, finished_at=None):
    """Write the archive and record it (for the upgrade guard and the System page); returns (manifest, size)."""
    manifest = write_backup(target, now)
    size = os.path.getsize(target)
    services.record_backup(kind=kind, path=os.path.abspath(target), size_bytes=size, started_at=now,
                           finished_at=finished_at or now)
    db.session.commit()
    return manifest, size


def restore(path, force):
    """Restore the archive at `path` into this instance; refuses one that holds data unless `force`. The archive
    is checked first: a damaged or foreign one is refused before the instance is even looked at."""
    def refuse_unless_empty():
        if not force and (services.holds_data() or any(p.is_file() for p in attachment_folder().rglob("*"))):
            raise BackupError("This instance already holds data (users, shops, messages or attachment files). "
                              "Restore into an empty instance, or pass --force to replace what is there.")
        db.session.remove()

    manifest = archive.restore_backup(
        path=path, uri=current_app.config["SQLALCHEMY_DATABASE_URI"], engine=db.engine, metadata=db.metadata,
        instance_path=current_app.instance_path, attachments_dir=attachment_folder(),
        known_revision=services.is_known_revision, before_changes=refuse_unless_empty,
        pg_bin_dir=current_app.config.get("PG_BIN_DIR"))
    current_app.extensions.pop("support_profiles", None)  # the restored instance may have its own
    return manifest


def run_scheduled_backup(now, clock):
    """Take today's backup once its BACKUP_DAILY_AT has passed (off while unset), claimed by one scheduler only,
    then delete the scheduled archives beyond the newest BACKUP_KEEP. `clock` gives the finishing time."""
    daily_at = domain.parse_daily_at(current_app.config.get("BACKUP_DAILY_AT"))
    if daily_at is None:
        return None
    services.release_abandoned_backups(now - domain.BACKUP_ABANDONED_AFTER, now)
    slot = domain.due_backup_slot(now, daily_at, services.taken_slots(now.date().isoformat()))
    if slot is None:
        return None
    run = services.claim_scheduled_backup(slot, now)
    db.session.commit()
    if run is None:
        return None
    target = backup_folder() / archive_name(now, "scheduled")
    run_id = run.id
    try:
        write_backup(target, now)
    except (BackupError, OSError) as error:
        db.session.rollback()
        services.finish_scheduled_backup(run_id, now=clock(), error=str(error))
        db.session.commit()
        current_app.logger.error("Scheduled backup failed: %s", error)
        return None
    services.finish_scheduled_backup(run_id, now=clock(), path=os.path.abspath(target),
                                     size_bytes=os.path.getsize(target))
    db.session.commit()
    for path in domain.archives_to_prune(services.kept_scheduled_archives(), current_app.config["BACKUP_KEEP"]):
        Path(path).unlink(missing_ok=True)
        services.forget_archive(path)
    db.session.commit()
    return target
