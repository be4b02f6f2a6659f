"""The guided first fetch of a mailbox: the seller chooses how many past days to import when connecting, the first
fetch brings only those (in batches that keep their place), and the channel's page shows the import until done."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from sellerkit.channels import polling
from sellerkit.channels.email.kind import EmailKind
from sellerkit.channels.models import Channel
from sellerkit.clock import utcnow
from sellerkit.extensions import db as sqla
from sellerkit.threads.models import Message
from tests.conftest import Auth
from tests.mailchannel import channel_settings, mail

pytestmark = pytest.mark.dovecot
KIND = EmailKind()


@pytest.fixture
def trusting_app(make_app, test_ca):
    return make_app(MAIL_CA_FILE=test_ca[0])


@pytest.fixture
def owner(trusting_app, make_user, make_shop):
    """(shop id, a test client signed in as its owner)."""
    shop_id = make_shop(make_user())
    client = trusting_app.test_client()
    Auth(client).login()
    return shop_id, client


def _append(dovecot, *dated):
    """Mails (message id, days ago) arrived in the inbox that many days before now."""
    with dovecot.client() as client:
        for message_id, days in dated:
            client.append("INBOX", mail(message_id=message_id, body=f"Body of {message_id}"),
                          msg_time=utcnow() - timedelta(days=days))


def _connect(client, shop_id, dovecot, history_days):
    settings, secrets = channel_settings(dovecot)
    data = {**settings, **secrets, "name": "Shop mailbox", "history_days": history_days, "save": "Save"}
    saved = client.post(f"/shops/{shop_id}/channels/new?kind=email", data=data)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    return int(saved.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _bodies(app):
    with app.app_context():
        return sorted(sqla.session.scalars(select(Message.body).where(Message.direction == "in")).all())


def _page(client, channel_id):
    return " ".join(client.get(f"/channels/{channel_id}").get_data(as_text=True).split())


def test_connecting_asks_how_far_back_and_the_first_fetch_brings_only_those_days(trusting_app, owner, dovecot):
    shop_id, client = owner
    form = client.get(f"/shops/{shop_id}/channels/new?kind=email&preset=gmail").get_data(as_text=True)
    assert 'name="history_days"' in form
    for days in ("0", "7", "30", "90"):
        assert f'value="{days}"' in form
    assert "The last 30 days" in form
    _append(dovecot, ("<old@example.net>", 45), ("<recent@example.net>", 20), ("<today@example.net>", 0))
    channel_id = _connect(client, shop_id, dovecot, "30")
    assert "Starts with the first fetch." in _page(client, channel_id)

    with trusting_app.app_context():
        assert polling.poll_due(utcnow()) == 1
    assert _bodies(trusting_app) == ["Body of <recent@example.net>", "Body of <today@example.net>"]
    page = _page(client, channel_id)
    assert "First import" not in page
    # The choice only matters for the first fetch: editing the channel no longer offers it.
    assert 'name="history_days"' not in page
    # Later mail comes in as usual, and the mail passed over stays passed over.
    _append(dovecot, ("<later@example.net>", 0))
    with trusting_app.app_context():
        assert polling.poll_due(utcnow() + timedelta(minutes=2)) == 1
    assert _bodies(trusting_app) == ["Body of <later@example.net>", "Body of <recent@example.net>",
                                          "Body of <today@example.net>"]


def test_none_of_the_past_brings_only_mail_that_arrives_afterwards(trusting_app, owner, dovecot):
    shop_id, client = owner
    _append(dovecot, ("<before@example.net>", 0))
    _connect(client, shop_id, dovecot, "0")
    with trusting_app.app_context():
        assert polling.poll_due(utcnow()) == 1
    assert _bodies(trusting_app) == []
    _append(dovecot, ("<after@example.net>", 0))
    with trusting_app.app_context():
        assert polling.poll_due(utcnow() + timedelta(minutes=2)) == 1
    assert _bodies(trusting_app) == ["Body of <after@example.net>"]


def test_a_choice_not_offered_is_refused_and_connects_nothing(trusting_app, owner, dovecot):
    shop_id, client = owner
    settings, secrets = channel_settings(dovecot)
    answer = client.post(f"/shops/{shop_id}/channels/new?kind=email",
                         data={**settings, **secrets, "history_days": "3650", "save": "Save"})
    assert answer.status_code == 422
    assert "Not a valid choice." in answer.get_data(as_text=True)
    with trusting_app.app_context():
        assert sqla.session.scalars(select(Channel)).all() == []


def test_the_page_shows_the_first_import_until_it_is_done(trusting_app, owner, dovecot, monkeypatch):
    shop_id, client = owner
    _append(dovecot, *((f"<m{number}@example.net>", 1) for number in range(3)))
    channel_id = _connect(client, shop_id, dovecot, "7")
    monkeypatch.setattr(polling, "BATCH", 2)
    now = utcnow()
    with trusting_app.app_context():
        ids, token = polling.claim_due(now)
        sqla.session.commit()
        polling.poll_one(channel_id, token, lambda: now, budget_seconds=0)  # one batch, then out of time
        assert ids == [channel_id]
    assert "In progress: 1 message still to fetch." in _page(client, channel_id)
    assert len(_bodies(trusting_app)) == 2
    with trusting_app.app_context():
        assert polling.poll_due(now) == 1
    assert len(_bodies(trusting_app)) == 3
    assert "First import" not in _page(client, channel_id)


def test_a_first_import_in_batches_keeps_its_day_and_never_reads_older_mail(trusting_app, dovecot):
    now = utcnow()
    _append(dovecot, ("<new1@example.net>", 1), ("<old@example.net>", 40), ("<new2@example.net>", 2))
    settings, secrets = channel_settings(dovecot)
    since = {"since": (now - timedelta(days=7)).date().isoformat()}
    with trusting_app.app_context():
        first = KIND.fetch(settings, secrets, since, 1, now)
        assert [item.hints["message_id"] for item in first.messages] == ["<new1@example.net>"]
        assert first.more and first.backlog == 1
        second = KIND.fetch(settings, secrets, first.cursor, 1, now)
        assert [item.hints["message_id"] for item in second.messages] == ["<new2@example.net>"]
        assert not second.more
        assert KIND.fetch(settings, secrets, second.cursor, 10, now).messages == []
        # A first import that finds nothing still leaves the older mail behind it for good.
        empty = KIND.fetch(settings, secrets, {"since": now.date().isoformat()}, 10, now)
        assert empty.messages == []
        assert KIND.fetch(settings, secrets, empty.cursor, 10, now).messages == []
