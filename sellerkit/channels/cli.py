"""The `sellerkit rotate-channel-key` command."""
import click
from flask.cli import with_appcontext

from sellerkit.channels import services
from sellerkit.channels.crypto import KeyUnavailable


@click.command("rotate-channel-key")
@with_appcontext
def rotate_channel_key_command():
    """Re-encrypt every channel's credentials under a new key (instance/channel_key) and keep only the new key."""
    try:
        count = services.rotate_key()
    except KeyUnavailable as error:
        raise click.ClickException(f"The key was not rotated: {error}.") from error
    click.echo(f"The channel key is new; the credentials of {count} channel(s) were re-encrypted.")
