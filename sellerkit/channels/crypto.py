"""Channel credentials encrypted at rest with Fernet, under a key of their own (never the SECRET_KEY)."""
import json
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

KEY_FILE = "channel_key"
#: The key a rotation is moving to, written before any secret is re-encrypted: a rotation cut short by a crash
#: leaves secrets under either key, and both are read until the next rotation finishes.
NEW_KEY_FILE = "channel_key.new"


class KeyUnavailable(Exception):
    """The stored secrets cannot be read with the configured key (it changed, or the file was lost)."""


def _key_path(name):
    return Path(current_app.instance_path) / name


def _write_key(path, key):
    """Write a key readable by its owner only; the file appears whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _current_key():
    """The configured key, else the instance folder's, created on first need."""
    configured = current_app.config.get("CHANNEL_KEY")
    if configured:
        return configured.encode("ascii") if isinstance(configured, str) else configured
    path = _key_path(KEY_FILE)
    if not path.exists():
        key = Fernet.generate_key()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process wrote it a moment ago
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as handle:
            handle.write(key + b"\n")
        return key
    return path.read_bytes().strip()


def _fernet():
    """Both keys while a rotation is under way, the new one first: what is saved meanwhile outlives the rotation."""
    keys = [_current_key()]
    pending = _key_path(NEW_KEY_FILE)
    if pending.exists():
        keys.insert(0, pending.read_bytes().strip())
    return MultiFernet([Fernet(key) for key in keys])


def encrypt_secrets(secrets):
    """The secrets dict as a token to store; None when there is nothing secret."""
    if not secrets:
        return None
    return _fernet().encrypt(json.dumps(secrets, sort_keys=True).encode("utf-8")).decode("ascii")


def decrypt_secrets(token):
    """The stored token as the secrets dict; raises KeyUnavailable when no known key opens it."""
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode("ascii")))
    except InvalidToken:
        raise KeyUnavailable() from None


def start_rotation():
    """Make the new key and keep it beside the current one; returns the MultiFernet that encrypts with it."""
    if current_app.config.get("CHANNEL_KEY"):
        raise KeyUnavailable("SELLERKIT_CHANNEL_KEY is set: rotate by setting a new key there after re-encrypting")
    current = _current_key()
    pending = _key_path(NEW_KEY_FILE)
    new = pending.read_bytes().strip() if pending.exists() else Fernet.generate_key()
    if not pending.exists():
        _write_key(pending, new)
    return MultiFernet([Fernet(new), Fernet(current)])


def finish_rotation():
    """Every secret is under the new key and committed: it becomes the key."""
    os.replace(_key_path(NEW_KEY_FILE), _key_path(KEY_FILE))
