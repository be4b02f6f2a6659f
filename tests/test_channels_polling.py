"""Polling channels: messages and cursor committed together, leases, back-off and its status, history first."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sellerkit.channels import polling
from sellerkit.channels.models import Channel
from sellerkit.extensions import db as sqla
from sellerkit.threads.models import Message, Thread
from tests import fakechannel
from tests.conftest import NOW


@pytest.fixture
def shop_id(make_user, make_shop):
    return make_shop(make_user())


def _poll(app, now=NOW, **options):
    with app.app_context():
        return polling.poll_due(now, **options)


def _channel(app, channel_id):
    with app.app_context():
        channel = sqla.session.get(Channel, channel_id)
        sqla.session.expunge(channel)
        return channel


def _inbound_count(app):
    with app.app_context():
        return sqla.session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in"))


def test_a_poll_stores_the_messages_with_their_cursor_and_figures(app, shop_id, make_channel):
    channel_id, source = make_channel(shop_id, count=250)
    assert _poll(app) == 1
    channel = _channel(app, channel_id)
    assert _inbound_count(app) == 250
    assert channel.cursor == {"after": 250}
    assert channel.fetched_today == 250
    assert channel.backlog == 0
    assert channel.is_backfilled
    assert channel.last_success_at is not None
    assert channel.next_fetch_at == channel.last_success_at + timedelta(minutes=1)
    with app.app_context():
        assert sqla.session.scalars(select(Thread.channel_id)).all() == [channel_id]
    # Not due again until a minute has passed; then only what is new is stored.
    assert _poll(app, NOW + timedelta(seconds=30)) == 0
    fakechannel.write_messages(source, 3, start=250)
    assert _poll(app, NOW + timedelta(minutes=2)) == 1
    assert _inbound_count(app) == 253
    assert _channel(app, channel_id).fetched_today == 253


def test_messages_and_cursor_are_committed_together_or_not_at_all(app, shop_id, make_channel, monkeypatch):
    """A store that breaks half-way leaves neither the messages nor the cursor: the next poll starts again from the
    same cursor and stores each message once."""
    channel_id, _source = make_channel(shop_id, count=5)
    kind = fakechannel.FakeKind
    seen = []

    def breaking_after_store(self, shop, channel, fetched, results, now):
        # The messages are in the session by now: the failure must take them back with the cursor.
        seen.extend(result.status for result in results)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(kind, "after_store", breaking_after_store)
    _poll(app)
    assert seen == ["created"] * 5
    assert _inbound_count(app) == 0
    channel = _channel(app, channel_id)
    assert channel.cursor is None
    assert channel.last_error_code == "server"
    monkeypatch.undo()
    # After its back-off the next poll stores everything, once.
    assert _poll(app, NOW + timedelta(minutes=2)) == 1
    assert _inbound_count(app) == 5
    assert _channel(app, channel_id).cursor == {"after": 5}


def test_a_claimed_channel_is_not_claimed_again_until_its_lease_ends(app, shop_id, make_channel):
    make_channel(shop_id, count=1)
    with app.app_context():
        first, _token = polling.claim_due(NOW)
        sqla.session.commit()
        again, _token = polling.claim_due(NOW + timedelta(minutes=1))
        later, _token = polling.claim_due(NOW + timedelta(minutes=6))
        sqla.session.commit()
    assert len(first) == 1
    assert again == []
    assert later == first


def test_a_poller_that_lost_its_lease_stores_nothing(app, shop_id, make_channel):
    channel_id, _source = make_channel(shop_id, count=2)
    with app.app_context():
        _ids, stale = polling.claim_due(NOW)
        sqla.session.commit()
        _ids, fresh = polling.claim_due(NOW + timedelta(minutes=6))
        sqla.session.commit()
        polling.poll_one(channel_id, stale, lambda: NOW + timedelta(minutes=6))
    assert _inbound_count(app) == 0


def test_failures_back_off_from_a_minute_to_an_hour_and_show_on_the_status(app, shop_id, make_channel, caplog):
    channel_id, _source = make_channel(shop_id, count=2, fail="auth", secrets={"password": "hunter2-secret"})
    now, waits = NOW, []
    for _attempt in range(9):
        _poll(app, now)
        channel = _channel(app, channel_id)
        waits.append(channel.next_fetch_at - now)
        now = channel.next_fetch_at
    assert [int(wait.total_seconds() // 60) for wait in waits] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert channel.last_error_code == "auth"
    assert NOW <= channel.failing_since < NOW + timedelta(seconds=5)
    assert channel.consecutive_failures == 9
    assert "hunter2-secret" not in caplog.text
    with app.app_context():
        channel = sqla.session.get(Channel, channel_id)
        channel.settings = {**channel.settings, "fail": ""}
        sqla.session.commit()
    _poll(app, now)
    channel = _channel(app, channel_id)
    assert channel.failing_since is None
    assert channel.consecutive_failures == 0
    assert _inbound_count(app) == 2


def test_the_platforms_retry_after_is_followed(app, shop_id, make_channel):
    channel_id, _source = make_channel(shop_id, fail="rate_limited", retry_after=600)
    _poll(app)
    assert timedelta(seconds=600) <= _channel(app, channel_id).next_fetch_at - NOW < timedelta(seconds=605)


def test_a_paused_channel_is_not_polled(app, shop_id, make_channel):
    channel_id, _source = make_channel(shop_id, count=1)
    with app.app_context():
        sqla.session.get(Channel, channel_id).is_paused = True
        sqla.session.commit()
    assert _poll(app) == 0
    assert _inbound_count(app) == 0


def test_the_first_fetch_is_history_without_auto_replies(app, shop_id, make_channel, monkeypatch):
    """The past brought in by the first fetch gets no auto-reply; later messages are live."""
    from sellerkit import inbox

    calls = []
    original = inbox.receive_buyer_messages

    def spy(shop, inbounds, now, files=None, history=False):
        calls.append((len(inbounds), history))
        return original(shop, inbounds, now, files=files, history=history)

    monkeypatch.setattr(inbox, "receive_buyer_messages", spy)
    _channel_id, source = make_channel(shop_id, count=150)
    _poll(app)
    fakechannel.write_messages(source, 1, start=150)
    _poll(app, NOW + timedelta(minutes=2))
    assert calls == [(50, True), (50, True), (50, True), (1, False)]


def test_a_token_the_kind_refreshed_is_saved_encrypted(app, shop_id, make_channel):
    from sellerkit.channels import crypto

    channel_id, _source = make_channel(shop_id, count=1, secrets={"password": "right", "token": "stale"})
    _poll(app)
    with app.app_context():
        stored = sqla.session.get(Channel, channel_id).secrets
        assert "fresh" not in stored
        assert crypto.decrypt_secrets(stored) == {"password": "right", "token": "fresh"}


def test_a_channel_failing_for_over_an_hour_makes_the_instance_not_ready(app, client, shop_id, make_channel):
    from sellerkit.clock import utcnow

    make_channel(shop_id, name="support@amber.example", fail="network")
    _poll(app, utcnow() - timedelta(hours=2))
    checks = client.get("/readyz").json["checks"]
    # Named by id and kind: the probe answers anyone, and a channel's name may be an address.
    assert checks["channels"] == {"ok": False, "detail": "failing for over an hour: #1 fake"}
