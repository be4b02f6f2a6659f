"""The channel key: made on first need with owner-only permissions, never the SECRET_KEY, and rotated by one command
that leaves every secret readable under the new key only."""
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select

from sellerkit.channels import crypto
from sellerkit.channels.models import Channel
from sellerkit.extensions import db as sqla


def _key_file(app):
    return Path(app.instance_path) / crypto.KEY_FILE


def test_the_key_file_is_made_on_first_need_readable_by_its_owner_only(app):
    assert not _key_file(app).exists()  # creating the app made no key
    with app.app_context():
        token = crypto.encrypt_secrets({"password": "p"})
    assert stat.S_IMODE(_key_file(app).stat().st_mode) == 0o600
    key = _key_file(app).read_bytes().strip()
    assert key != app.config["SECRET_KEY"].encode()
    assert Fernet(key).decrypt(token.encode())


def test_a_configured_key_is_used_and_no_file_is_written(make_app):
    key = Fernet.generate_key().decode()
    app = make_app(CHANNEL_KEY=key)
    with app.app_context():
        token = crypto.encrypt_secrets({"password": "p"})
        assert crypto.decrypt_secrets(token) == {"password": "p"}
    assert not _key_file(app).exists()
    assert Fernet(key.encode()).decrypt(token.encode())


def test_a_lost_key_makes_the_secrets_unreadable_not_wrong(app):
    with app.app_context():
        token = crypto.encrypt_secrets({"password": "p"})
        _key_file(app).write_bytes(Fernet.generate_key())
        with pytest.raises(crypto.KeyUnavailable):
            crypto.decrypt_secrets(token)


def test_rotating_the_key_re_encrypts_every_channel(app, make_user, make_shop, make_channel):
    shop_id = make_shop(make_user())
    ids = [make_channel(shop_id, secrets={"password": f"secret-{n}"})[0] for n in range(3)]
    old_key = _key_file(app).read_bytes().strip()
    result = app.test_cli_runner().invoke(args=["rotate-channel-key"])
    assert result.exit_code == 0, result.output
    assert "3 channel(s)" in result.output
    new_key = _key_file(app).read_bytes().strip()
    assert new_key != old_key
    assert stat.S_IMODE(_key_file(app).stat().st_mode) == 0o600
    assert not (Path(app.instance_path) / crypto.NEW_KEY_FILE).exists()
    with app.app_context():
        tokens = dict(sqla.session.execute(select(Channel.id, Channel.secrets)).all())
        assert [crypto.decrypt_secrets(tokens[i]) for i in ids] == [{"password": f"secret-{n}"} for n in range(3)]
    for token in tokens.values():
        with pytest.raises(InvalidToken):
            Fernet(old_key).decrypt(token.encode())


def test_a_rotation_cut_short_leaves_every_secret_readable(app, make_user, make_shop, make_channel):
    """The new key is written before any secret is re-encrypted: after a crash both keys are read, and the next
    rotation finishes with the same new key."""
    shop_id = make_shop(make_user())
    channel_id, _source = make_channel(shop_id, secrets={"password": "before"})
    with app.app_context():
        crypto.start_rotation()  # ... and the process dies here
        stored = sqla.session.get(Channel, channel_id).secrets
        assert crypto.decrypt_secrets(stored) == {"password": "before"}
        saved_meanwhile = crypto.encrypt_secrets({"password": "during"})
    result = app.test_cli_runner().invoke(args=["rotate-channel-key"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert crypto.decrypt_secrets(saved_meanwhile) == {"password": "during"}
        assert crypto.decrypt_secrets(sqla.session.get(Channel, channel_id).secrets) == {"password": "before"}
