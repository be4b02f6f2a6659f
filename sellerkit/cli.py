"""The `sellerkit` command (also `flask --app sellerkit ...`): serve, scheduler, users, tokens; more in system.cli."""
import click
from flask import current_app
from flask.cli import FlaskGroup, pass_script_info, with_appcontext

from sellerkit.accounts import services as accounts
from sellerkit.channels.cli import rotate_channel_key_command
from sellerkit.clock import utcnow
from sellerkit.errors import ServiceError
from sellerkit.extensions import db
from sellerkit.system import cli as system_cli
from sellerkit.system import services as system


@click.command("serve")
@click.option("--host", envvar="HOST", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", envvar="PORT", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--no-scheduler", is_flag=True, help="Do not run the scheduled jobs in this process.")
@with_appcontext
@pass_script_info
def serve_command(script_info, host, port, no_scheduler):
    """Serve the app with the scheduler in the same process (single-process setups and make run)."""
    from werkzeug.serving import run_simple

    from sellerkit.scheduler import build_scheduler

    app = script_info.load_app()  # the app itself, not the context's proxy: other threads serve it
    scheduler = None if no_scheduler else build_scheduler(app, blocking=False)
    if scheduler:
        scheduler.start()
    click.echo(f"sellerkit is running on http://{host}:{port}/  (Ctrl+C stops it)")
    try:
        # No reloader: it would start a second process and so a second scheduler.
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    finally:
        if scheduler:
            scheduler.shutdown(wait=False)


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run every job once and exit.")
@with_appcontext
@pass_script_info
def scheduler_command(script_info, once):
    """Run the scheduled jobs in this process (production: one or more beside the web workers)."""
    from sellerkit.scheduler import build_scheduler, run_all_once

    app = script_info.load_app()  # the app itself, not the context's proxy: the scheduler's threads use it
    if once:
        run_all_once(app)
        return
    click.echo("sellerkit scheduler started (Ctrl+C stops it)")
    try:
        build_scheduler(app, blocking=True).start()
    except (KeyboardInterrupt, SystemExit):
        pass


@click.command("create-user")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="The new user's password.")
@click.option("--name", default="", help="Display name.")
@click.option("--admin", is_flag=True, help="The user administers the instance (sees the System page).")
@with_appcontext
def create_user_command(email, password, name, admin):
    """Create a user who can log in at once."""
    try:
        user = accounts.sign_up(email, password, name, None, utcnow(), current_app.config["MIN_PASSWORD_LENGTH"])
    except ServiceError as error:
        raise click.ClickException(str(error.message)) from error
    if admin:
        system.grant_admin(user, utcnow())
    db.session.commit()
    click.echo(f"Created user {user.email} (id {user.id}){' who administers this instance' if admin else ''}.")


@click.command("create-token")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for.")
@with_appcontext
def create_token_command(email, name):
    """Create an API token for a user and print it once, alone on the last line."""
    from sqlalchemy import select

    from sellerkit.accounts.domain import normalize_email
    from sellerkit.accounts.models import User

    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise click.ClickException(f"No user with the e-mail {email}.")
    try:
        _row, token = accounts.create_api_token(user, name, utcnow())
    except ServiceError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"API token '{name}' for {user.email}; it is shown only now, store it safely:")
    click.echo(token)


@click.group("import")
def import_group():
    """Import data from files."""


@import_group.command("messages")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--shop", "shop_id", required=True, type=int, help="The shop the messages belong to.")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), help="Default: from the file name.")
@with_appcontext
def import_messages_command(path, shop_id, fmt):
    """Import buyer messages from CSV or JSON Lines; messages already stored (same external id) are skipped."""
    import os
    import sys
    import time

    from sellerkit.shops.models import Shop
    from sellerkit.threads.importing import import_file

    shop = db.session.get(Shop, shop_id)
    if shop is None:
        raise click.ClickException(f"No shop with id {shop_id}.")
    started = time.perf_counter()
    with click.progressbar(length=os.path.getsize(path), label="Importing", file=sys.stderr,
                           show_percent=True) as bar:
        position = [0]

        def advance(offset):
            bar.update(offset - position[0])
            position[0] = offset

        report = import_file(shop, path, utcnow(), fmt=fmt, on_progress=advance)
    seconds = time.perf_counter() - started
    click.echo(f"{report.new} new, {report.duplicates} duplicates, {len(report.rejected)} rejected "
               f"in {seconds:.1f} s ({report.new / seconds if seconds else 0:,.0f} new messages/s)")
    for line, reason in report.rejected[:50]:
        click.echo(f"  line {line}: {reason}")
    if len(report.rejected) > 50:
        click.echo(f"  ... and {len(report.rejected) - 50} more")


@click.command("demo-data")
@click.option("--owner", "email", help="Give the demo shops to this existing user (default: a demo user).")
@with_appcontext
def demo_data_command(email):
    """Create a demo shop per platform with conversations in six languages (running it again adds nothing)."""
    from sellerkit.demo import DEMO_EMAIL, create_demo_data

    try:
        owner, password = create_demo_data(utcnow(), email, current_app.config["MIN_PASSWORD_LENGTH"])
    except LookupError as error:
        raise click.ClickException(f"No user with the e-mail {error}.") from error
    click.echo(f"Demo shops are ready for {owner.email}.")
    if password:
        click.echo(f"Log in as {DEMO_EMAIL} with the password: {password}")


def init_app(app):
    for command in (serve_command, scheduler_command, create_user_command, create_token_command, import_group,
                    demo_data_command, rotate_channel_key_command):
        app.cli.add_command(command)
    system_cli.init_app(app)


def _create_app():
    from sellerkit.app import create_app
    from sellerkit.config import ConfigError

    try:
        return create_app()
    except ConfigError as error:
        # The operator needs the one line that says what to set, not a traceback (Flask prints one for --help).
        raise SystemExit(str(error)) from None


main = FlaskGroup(create_app=_create_app, set_debug_flag=False,
                  help="sellerkit: the inbox and toolkit for marketplace sellers.")
