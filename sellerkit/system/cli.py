"""`sellerkit backup`, `restore`, `status`, `grant-admin`, and `db` with an upgrade that wants a recent backup."""
from pathlib import Path

import click
from flask import g
from flask.cli import with_appcontext

from sellerkit.clock import utcnow
from sellerkit.extensions import db
from sellerkit.system import backups, domain, services
from sellerkit.system.dumps import BackupError


def _size(size_bytes):
    return f"{size_bytes / 1048576:.1f} MB"


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=True, path_type=Path))
@with_appcontext
def backup_command(path):
    """Write one archive with the database, attachments, keys and support profiles (safe while sellerkit runs)."""
    now = utcnow()
    target = path / backups.archive_name(now, "manual") if path.is_dir() else path
    try:
        manifest, size = backups.take_backup(target, now, "manual", finished_at=utcnow())
    except (BackupError, OSError) as error:
        raise click.ClickException(str(error)) from error
    counts = manifest["database"]["counts"]
    click.echo(f"Backup written to {target} ({_size(size)}): {counts.get('messages', 0)} messages, "
               f"{counts.get('attachments', 0)} attachments, {len(manifest['files'])} files, "
               f"migration {manifest['database']['migration_head']}.")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the data of an instance that is not empty.")
@with_appcontext
def restore_command(path, force):
    """Bring back every row and file of a backup into an empty instance (stop the app and the scheduler first)."""
    try:
        manifest = backups.restore(path, force)
    except (BackupError, OSError) as error:
        raise click.ClickException(str(error)) from error
    counts = manifest["database"]["counts"]
    click.echo(f"Restored the backup of {manifest['created_at']}: {counts.get('messages', 0)} messages, "
               f"{counts.get('attachments', 0)} attachments, {len(manifest['files'])} files, checksums verified.")
    if manifest["database"]["migration_head"] != services.migration_head():
        click.echo("The backup is from an older version: run `sellerkit db upgrade` next.")


@click.command("status")
@with_appcontext
def status_command():
    """Readiness, the outbox backlog, due clocks and each channel's state; exits with 1 when not ready."""
    now = utcnow()
    checks = services.readiness(now)
    for check in checks:
        click.echo(f"{check.name:<12} {'ok' if check.ok else 'FAILING':<8} {check.detail}")
    if checks[0].ok:
        figures = services.backlog(now)
        outbox = figures["outbox"]
        click.echo(f"outbox       pending {outbox.get('pending', 0)} (due now {figures['outbox_due']}), "
                   f"sending {outbox.get('sending', 0)}, failed {outbox.get('failed', 0)}, "
                   f"sent {outbox.get('sent', 0)}")
        click.echo(f"clocks       open {figures['clocks_open']}, past due {figures['clocks_overdue']}, "
                   f"breached {figures['clocks_breached']}")
        channels = services.channel_states()
        if not channels:
            click.echo("channels     no channels")
        for channel in channels:
            fetched = channel.last_fetched_at
            lag = "never fetched" if fetched is None else f"fetched {int((now - fetched).total_seconds())} s ago"
            failing = channel.failing_since
            state = "working" if failing is None else \
                f"failing for {int((now - failing).total_seconds())} s ({channel.failed_fetches} failed fetches)"
            click.echo(f"channel      {channel.name}: {lag}, {state}")
        last = services.last_backup_at()
        click.echo(f"backup       last {last.isoformat(timespec='seconds') if last else 'never'}")
    if not all(check.ok for check in checks):
        raise SystemExit(1)


@click.command("grant-admin")
@click.argument("email")
@with_appcontext
def grant_admin_command(email):
    """Let a user see the System page (readiness and backups)."""
    from sqlalchemy import select

    from sellerkit.accounts.domain import normalize_email
    from sellerkit.accounts.models import User

    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise click.ClickException(f"No user with the e-mail {email}.")
    services.grant_admin(user, utcnow())
    db.session.commit()
    click.echo(f"{user.email} administers this instance.")


@click.group("db")
@click.option("-d", "--directory", default=None, help='Migration script directory (default is "migrations")')
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments consumed by custom env.py scripts")
@with_appcontext
def db_group(directory, x_arg):
    """Database migrations (Flask-Migrate's commands; upgrade wants a recent backup of a database with data)."""
    # Flask-Migrate's commands read these, as under its own group.
    g.directory = directory
    g.x_arg = x_arg


@db_group.command("upgrade")
@click.option("-d", "--directory", default=None, help='Migration script directory (default is "migrations")')
@click.option("--sql", is_flag=True, help="Don't emit SQL to database - dump to standard output instead")
@click.option("--tag", default=None, help='Arbitrary "tag" name - can be used by custom env.py scripts')
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments consumed by custom env.py scripts")
@click.option("--backup-first", is_flag=True, help="Without a backup from the last day, write one to BACKUP_DIR first.")
@click.option("--no-backup", is_flag=True, help="Upgrade without a recent backup (you keep your own).")
@click.argument("revision", default="head")
@with_appcontext
def upgrade_command(directory, sql, tag, x_arg, revision, backup_first, *, no_backup):
    """Upgrade to a later version; a database with data needs a backup younger than a day (or a flag)."""
    import flask_migrate

    if not sql and not no_backup:
        now = utcnow()
        refusal = domain.upgrade_refusal(pending=services.current_revision() != services.migration_head(),
                                         holds_data=services.holds_data(), last_backup_at=services.last_backup_at(),
                                         now=now)
        if refusal and not backup_first:
            raise click.ClickException(refusal)
        if refusal:
            target = backups.backup_folder() / backups.archive_name(now, "upgrade")
            try:
                _manifest, size = backups.take_backup(target, now, "upgrade", finished_at=utcnow())
            except (BackupError, OSError) as error:
                raise click.ClickException(f"The backup before the upgrade failed, nothing was changed: {error}") \
                    from error
            click.echo(f"Backup written to {target} ({_size(size)}) before the upgrade.")
    db.session.remove()
    db.engine.dispose()  # no connection of ours may hold the tables the migration alters
    flask_migrate.upgrade(directory or g.directory, revision, sql, tag, x_arg or g.x_arg)


def init_app(app):
    for command in (backup_command, restore_command, status_command, grant_admin_command):
        app.cli.add_command(command)
    if "db" in app.cli.commands:  # only apps built with their migrations (web workers do without Alembic)
        from flask_migrate.cli import db as migrate_group

        for name, command in migrate_group.commands.items():
            if name != "upgrade":
                db_group.add_command(command, name)
        app.cli.add_command(db_group)
