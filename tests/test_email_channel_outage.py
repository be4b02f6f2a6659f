"""An e-mail channel through the poll sweep when its mail server goes away or refuses the password: it backs off
with a translated status on its page, and once the server is back the next poll brings every mail, each once."""
import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sellerkit.channels import polling
from sellerkit.channels.crypto import encrypt_secrets
from sellerkit.channels.models import Channel
from sellerkit.extensions import db as sqla
from sellerkit.threads.models import Message
from tests.conftest import NOW, Auth
from tests.mailchannel import channel_settings, mail

pytestmark = pytest.mark.dovecot
UNREACHABLE_PL = "Nie można połączyć się z serwerem: sprawdź adres i port albo poczekaj, aż"
REFUSED_PL = "Logowanie odrzucone: sprawdź nazwę użytkownika oraz hasło lub klucz."
FAILING_PL = "Błędy"


@pytest.fixture
def trusting_app(make_app, test_ca):
    return make_app(MAIL_CA_FILE=test_ca[0])


@pytest.fixture
def shop_id(trusting_app, make_user, make_shop):
    return make_shop(make_user())


@pytest.fixture
def polish_page(trusting_app, shop_id):
    """The channel's page as its owner sees it in Polish."""
    client = trusting_app.test_client()
    Auth(client).login()
    client.post("/language", data={"locale": "pl"})

    def page(channel_id):
        answer = client.get(f"/channels/{channel_id}")
        assert answer.status_code == 200
        return " ".join(answer.get_data(as_text=True).split())
    return page


def _connect(app, shop_id, dovecot, **secrets):
    """An e-mail channel on the test Dovecot, saved as the layer saves one: secrets encrypted, due at NOW."""
    settings, stored = channel_settings(dovecot)
    with app.app_context():
        channel = Channel(shop_id=shop_id, kind="email", name="Shop mailbox", is_paused=False, settings=settings,
                          secrets=encrypt_secrets({**stored, **secrets}), next_fetch_at=NOW,
                          consecutive_failures=0, fetched_today=0, is_backfilled=False, created_at=NOW,
                          updated_at=NOW)
        sqla.session.add(channel)
        sqla.session.commit()
        return channel.id


def _poll(app, now):
    with app.app_context():
        return polling.poll_due(now)


def _channel(app, channel_id):
    with app.app_context():
        channel = sqla.session.get(Channel, channel_id)
        sqla.session.expunge(channel)
        return channel


def _bodies(app):
    with app.app_context():
        return sorted(sqla.session.scalars(select(Message.body).where(Message.direction == "in")).all())


def _inbound_count(app):
    with app.app_context():
        return sqla.session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in"))


def _drop_into_maildir(dovecot, number, raw):
    """Deliver a mail as the mail server's delivery agent does while IMAP is down: a file in the inbox's new/."""
    new = Path(dovecot.root) / "home" / dovecot.user / "Maildir" / "new"
    assert new.is_dir()
    path = new / f"1795000000.M{number}P{os.getpid()}.sellerkit-test"
    path.write_bytes(raw)
    os.chown(path, dovecot.uid, dovecot.gid)


def test_a_stopped_server_backs_off_and_the_mail_of_the_outage_comes_in_once(trusting_app, shop_id, dovecot,
                                                                            polish_page):
    dovecot.deliver(mail(message_id="<before@example.net>", body="Before the outage"))
    channel_id = _connect(trusting_app, shop_id, dovecot)
    assert _poll(trusting_app, NOW) == 1
    assert _bodies(trusting_app) == ["Before the outage"]

    dovecot.stop()
    first_failure = NOW + timedelta(minutes=2)
    assert _poll(trusting_app, first_failure) == 1
    channel = _channel(trusting_app, channel_id)
    assert channel.last_error_code == "network"
    assert channel.consecutive_failures == 1
    assert channel.next_fetch_at - first_failure >= timedelta(minutes=1)
    page = polish_page(channel_id)
    assert FAILING_PL in page
    assert UNREACHABLE_PL in page

    # No retry storm: nothing is tried before the back-off ends, and each failure doubles the wait.
    assert _poll(trusting_app, first_failure + timedelta(seconds=50)) == 0
    second_failure = channel.next_fetch_at
    assert _poll(trusting_app, second_failure) == 1
    channel = _channel(trusting_app, channel_id)
    assert channel.consecutive_failures == 2
    assert timedelta(minutes=2) <= channel.next_fetch_at - second_failure < timedelta(minutes=3)
    assert _poll(trusting_app, second_failure + timedelta(seconds=110)) == 0
    assert _channel(trusting_app, channel_id).consecutive_failures == 2

    for number in range(3):
        _drop_into_maildir(dovecot, number, mail(message_id=f"<outage-{number}@example.net>",
                                                 subject=f"Outage {number}", body=f"During the outage {number}"))
    dovecot.start()
    back = channel.next_fetch_at
    assert _poll(trusting_app, back) == 1
    assert _bodies(trusting_app) == ["Before the outage", "During the outage 0", "During the outage 1",
                                     "During the outage 2"]
    channel = _channel(trusting_app, channel_id)
    assert channel.consecutive_failures == 0
    assert channel.failing_since is None
    assert channel.next_fetch_at - back < timedelta(minutes=2)
    assert FAILING_PL not in polish_page(channel_id)
    # The next poll finds nothing new: every mail was stored once.
    assert _poll(trusting_app, channel.next_fetch_at) == 1
    assert _inbound_count(trusting_app) == 4


def test_a_wrong_password_shows_the_login_was_refused_and_waits(trusting_app, shop_id, dovecot, polish_page):
    dovecot.deliver(mail())
    channel_id = _connect(trusting_app, shop_id, dovecot, password="not the mailbox password")
    assert _poll(trusting_app, NOW) == 1
    channel = _channel(trusting_app, channel_id)
    assert channel.last_error_code == "auth"
    assert channel.failing_since is not None
    assert _inbound_count(trusting_app) == 0
    page = polish_page(channel_id)
    assert FAILING_PL in page
    assert REFUSED_PL in page

    # The server is not asked again before the back-off ends, then the wait doubles.
    assert _poll(trusting_app, channel.next_fetch_at - timedelta(seconds=1)) == 0
    assert _poll(trusting_app, channel.next_fetch_at) == 1
    again = _channel(trusting_app, channel_id)
    assert again.consecutive_failures == 2
    assert again.next_fetch_at - channel.next_fetch_at >= timedelta(minutes=2)
    assert _inbound_count(trusting_app) == 0
