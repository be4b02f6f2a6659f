"""Channel actions: connect, change, pause, resume, fetch now, test and remove; owners only, secrets encrypted."""
import logging
from urllib.parse import urlsplit

from cryptography.fernet import InvalidToken
from pydantic import ValidationError
from sqlalchemy import select, update

from sellerkit.channels import crypto
from sellerkit.channels.kinds import ChannelError, Check, kind_named
from sellerkit.channels.labels import error_message
from sellerkit.channels.models import Channel
from sellerkit.errors import NotFound, ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.shops import services as shops

log = logging.getLogger(__name__)
CHANNEL_NOT_FOUND = _l("This channel does not exist or is not in one of your shops.")
MAX_NAME = 100
BASE_URL = "base_url"


def channel_for(user, channel_id):
    """(membership, channel) for a channel of one of the user's shops; NotFound for another's, like a missing one."""
    channel = db.session.get(Channel, channel_id)
    if channel is None:
        raise NotFound(CHANNEL_NOT_FOUND)
    try:
        return shops.membership_for(user, channel.shop_id), channel
    except NotFound:
        raise NotFound(CHANNEL_NOT_FOUND) from None


def channels_of(shop):
    return db.session.scalars(select(Channel).where(Channel.shop_id == shop.id).order_by(Channel.id)).all()


def _kind(name):
    kind = kind_named(name or "")
    if kind is None:
        raise ServiceError(_l("Choose one of the listed options."), field="kind")
    return kind


def _field_value(field, value):
    """One setting as the kind takes it; raises ServiceError naming the field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if field.type == "int":
        if isinstance(value, bool):
            raise ServiceError(_l("Enter a whole number."), field=field.name)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ServiceError(_l("Enter a whole number."), field=field.name) from None
    if not isinstance(value, str):
        raise ServiceError(_l("This field must be text."), field=field.name)
    if "\x00" in value:
        raise ServiceError(_l("Text cannot contain the NUL character."), field=field.name)
    value = value if field.secret else value.strip()
    if field.type == "select" and value not in [choice for choice, _label in field.choices]:
        raise ServiceError(_l("Choose one of the listed options."), field=field.name)
    if field.type == "url" and not _is_web_address(value):
        raise ServiceError(_l("Enter an address that starts with https:// or http://."), field=field.name)
    return value


def _is_web_address(value):
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _split(kind, values, stored_settings, stored_secrets):
    """The kind's settings and secrets from submitted `values`; a secret left blank keeps the stored one, a setting
    not given keeps its stored value. Refuses names the kind does not have (nothing is set that the form lacks)."""
    names = {field.name for field in kind.fields} | ({BASE_URL} if kind.has_base_url else set())
    unknown = sorted(set(values) - names)
    if unknown:
        raise ServiceError(_l("This field is not accepted here."), field=unknown[0], code="unknown_fields")
    settings, secrets = dict(stored_settings), dict(stored_secrets)
    for field in kind.fields:
        if field.name not in values:
            if field.name not in settings and not field.secret and field.default is not None:
                settings[field.name] = field.default
            continue
        value = _field_value(field, values[field.name])
        if field.secret:
            if value is not None:
                secrets[field.name] = value
        elif value is None:
            settings.pop(field.name, None)
        else:
            settings[field.name] = value
    if kind.has_base_url and BASE_URL in values:
        base_url = (values[BASE_URL] or "").strip() if isinstance(values[BASE_URL], str) else values[BASE_URL]
        if base_url and (not isinstance(base_url, str) or not _is_web_address(base_url)):
            raise ServiceError(_l("Enter an address that starts with https:// or http://."), field=BASE_URL)
        if base_url:
            settings[BASE_URL] = base_url
        else:
            settings.pop(BASE_URL, None)
    for field in kind.fields:
        present = secrets.get(field.name) if field.secret else settings.get(field.name)
        if field.required and present in (None, ""):
            raise ServiceError(_l("This field is required."), field=field.name, code="missing_fields")
    if kind.settings_model is not None:
        try:
            kind.settings_model.model_validate({**settings, **secrets})
        except ValidationError as error:
            first = error.errors()[0]
            name = str(first["loc"][0]) if first.get("loc") else None
            raise ServiceError(_l("This value is not valid."), field=name) from None
    return settings, secrets


def _name(name, kind):
    name = (name or "").strip() or str(kind.label or kind.name)
    if len(name) > MAX_NAME:
        raise ServiceError(_l("This text is too long."), field="name")
    return name


def create_channel(membership, now, *, kind, name, values):
    """Connect a new channel of `kind` to the membership's shop; its first fetch is due at once. Owners only."""
    shops.require_owner(membership)
    channel_kind = _kind(kind)
    settings, secrets = _split(channel_kind, values, {}, {})
    channel = Channel(shop_id=membership.shop_id, kind=channel_kind.name, name=_name(name, channel_kind),
                      is_paused=False, settings=settings, secrets=crypto.encrypt_secrets(secrets),
                      cursor=channel_kind.first_cursor(settings, now), next_fetch_at=now,
                      consecutive_failures=0, fetched_today=0, is_backfilled=False, created_at=now, updated_at=now)
    db.session.add(channel)
    db.session.flush()
    return channel


def stored_secrets(channel):
    """The channel's secrets, decrypted; {} when the key cannot read them (the seller enters them again)."""
    try:
        return crypto.decrypt_secrets(channel.secrets)
    except crypto.KeyUnavailable:
        return {}


def update_channel(membership, channel, now, *, name=None, values=None):
    """Change a channel's name and settings; a blank secret keeps the stored one. Fetching starts again now."""
    shops.require_owner(membership)
    kind = _kind(channel.kind)
    settings, secrets = _split(kind, values or {}, channel.settings or {}, stored_secrets(channel))
    if name is not None:
        channel.name = _name(name, kind)
    channel.settings, channel.secrets = settings, crypto.encrypt_secrets(secrets)
    channel.next_fetch_at, channel.updated_at = now, now
    return channel


def delete_channel(membership, channel):
    """Remove a channel; its conversations stay, and their replies go the shop's own way from now on."""
    shops.require_owner(membership)
    db.session.delete(channel)


def pause(membership, channel, now):
    shops.require_owner(membership)
    channel.is_paused, channel.updated_at = True, now


def resume(membership, channel, now):
    """Fetching starts again at once, without waiting out the back-off of earlier failures."""
    shops.require_owner(membership)
    channel.is_paused, channel.next_fetch_at, channel.updated_at = False, now, now


def fetch_now(membership, channel, now):
    """Due at once: the next poll sweep fetches it (a paused channel is resumed first)."""
    resume(membership, channel, now)


def test_connection(membership, now, *, kind, values, channel=None):
    """What kind.test says of these settings (blank secrets: the stored ones of `channel`): a list of Check."""
    shops.require_owner(membership)
    channel_kind = _kind(kind)
    stored = (channel.settings or {}, stored_secrets(channel)) if channel is not None else ({}, {})
    settings, secrets = _split(channel_kind, values, *stored)
    try:
        return list(channel_kind.test(settings, secrets, now))
    except ChannelError as error:
        return [Check(error.code, False, str(error_message(error.code, channel_kind)))]
    except Exception:  # noqa: BLE001 - a kind's bug is a failed test for the seller, never an error page
        log.exception("The connection test of a %s channel broke", channel_kind.name)
        return [Check("server", False, str(error_message("server")))]



def rotate_key():
    """Re-encrypt every channel's secrets under a new key in one transaction, then make it the key; returns how
    many channels were re-encrypted. A crash before the end leaves both keys readable (see crypto)."""
    fernet = crypto.start_rotation()
    rows = db.session.execute(select(Channel.id, Channel.secrets).where(Channel.secrets.is_not(None))
                              .with_for_update()).all()
    for channel_id, token in rows:
        try:
            rotated = fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken:
            db.session.rollback()
            raise crypto.KeyUnavailable(f"the secrets of channel {channel_id} cannot be read with the key") from None
        db.session.execute(update(Channel).where(Channel.id == channel_id).values(secrets=rotated))
    db.session.commit()
    crypto.finish_rotation()
    return len(rows)


def save_authorization(membership, channel, code, redirect_uri, now):
    """OAuth2: the kind turns the code into tokens, which are saved encrypted; fetching starts again now."""
    shops.require_owner(membership)
    kind = _kind(channel.kind)
    secrets = stored_secrets(channel)
    kind.exchange_code(channel.settings or {}, secrets, code, redirect_uri, now)
    channel.secrets = crypto.encrypt_secrets(secrets)
    channel.next_fetch_at, channel.updated_at, channel.failing_since = now, now, None
