"""Channel pages and API: connecting, testing, editing with kept secrets, pause, resume, fetch now, removing; secrets
never shown again; owners manage, agents look."""
import logging
import re

import pytest
from sqlalchemy import select

from sellerkit.channels import crypto, polling
from sellerkit.channels.models import Channel
from sellerkit.extensions import db as sqla
from tests import fakechannel
from tests.conftest import NOW, PASSWORD

SECRET = "Zq8-never-shown-again"


@pytest.fixture
def shop_id(app, make_user, make_shop):
    fakechannel.register(app)
    return make_shop(make_user())


def _channels(app):
    with app.app_context():
        rows = sqla.session.scalars(select(Channel).order_by(Channel.id)).all()
        for row in rows:
            sqla.session.expunge(row)
        return rows


def _secrets(app, channel):
    with app.app_context():
        return crypto.decrypt_secrets(channel.secrets)


def test_connecting_a_channel_in_the_browser(app, client, auth, shop_id, tmp_path):
    auth.login()
    page = client.get(f"/shops/{shop_id}/channels").get_data(as_text=True)
    assert "No channel yet" in page
    assert f'href="/shops/{shop_id}/channels/new"' in page
    assert "Fake platform" in client.get(f"/shops/{shop_id}/channels/new").get_data(as_text=True)
    form = client.get(f"/shops/{shop_id}/channels/new?kind=fake&preset=quick").get_data(as_text=True)
    assert 'name="password"' in form
    assert 'name="base_url"' in form
    source = str(tmp_path / "m.jsonl")
    data = {"name": "Support mailbox", "source": source, "password": "wrong", "delay": "0", "security": "tls",
            "base_url": ""}
    tested = client.post(f"/shops/{shop_id}/channels/new?kind=fake", data={**data, "test": "Test connection"})
    assert tested.status_code == 200
    assert "The password was refused." in tested.get_data(as_text=True)
    assert _channels(app) == []  # a test saves nothing
    saved = client.post(f"/shops/{shop_id}/channels/new?kind=fake", data={**data, "password": SECRET, "save": "Save"})
    assert saved.status_code == 302
    (channel,) = _channels(app)
    assert channel.name == "Support mailbox"
    assert channel.settings == {"source": source, "delay": 0, "security": "tls"}
    assert SECRET not in channel.secrets
    assert _secrets(app, channel) == {"password": SECRET}
    detail = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Support mailbox" in detail
    assert SECRET not in detail
    assert "Leave empty to keep it." in detail


def test_a_missing_required_setting_is_refused_next_to_its_field(app, client, auth, shop_id):
    auth.login()
    response = client.post(f"/shops/{shop_id}/channels/new?kind=fake",
                           data={"name": "x", "source": "", "password": "p", "delay": "", "security": "tls",
                                 "base_url": "", "save": "Save"})
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    assert _channels(app) == []


def test_a_blank_secret_keeps_the_stored_one(app, client, auth, shop_id, make_channel):
    channel_id, source = make_channel(shop_id, secrets={"password": SECRET})
    auth.login()
    response = client.post(f"/channels/{channel_id}", data={
        "name": "Renamed", "source": str(source), "password": "", "delay": "2", "security": "none", "base_url": "",
        "save": "Save"})
    assert response.status_code == 302
    (channel,) = _channels(app)
    assert channel.name == "Renamed"
    assert channel.settings["delay"] == 2
    assert _secrets(app, channel) == {"password": SECRET}


def test_pause_resume_and_fetch_now(app, client, auth, shop_id, make_channel):
    from sellerkit.clock import utcnow

    channel_id, _source = make_channel(shop_id, count=1, now=utcnow())
    auth.login()
    client.post(f"/channels/{channel_id}/pause")
    page = client.get(f"/shops/{shop_id}/channels").get_data(as_text=True)
    assert "Paused" in page
    with app.app_context():
        assert polling.poll_due(utcnow()) == 0
    client.post(f"/channels/{channel_id}/resume")
    assert not _channels(app)[0].is_paused
    with app.app_context():
        assert polling.poll_due(utcnow()) == 1
        assert polling.poll_due(utcnow()) == 0  # fetched a moment ago: due in a minute
    client.post(f"/channels/{channel_id}/fetch")
    with app.app_context():
        assert polling.poll_due(utcnow()) == 1


def test_a_failing_channel_shows_the_translated_reason(app, client, auth, shop_id, make_channel):
    channel_id, _source = make_channel(shop_id, fail="auth")
    with app.app_context():
        polling.poll_due(NOW)
    auth.login()
    page = client.get(f"/shops/{shop_id}/channels").get_data(as_text=True)
    assert "Failing" in page
    assert "The login was refused" in page
    client.post("/language", data={"locale": "fa"})
    page = client.get(f"/channels/{channel_id}").get_data(as_text=True)
    assert 'dir="rtl"' in page


def test_removing_a_channel_keeps_its_conversations(app, client, auth, shop_id, make_channel):
    from sellerkit.threads.models import Thread

    channel_id, _source = make_channel(shop_id, count=2)
    with app.app_context():
        polling.poll_due(NOW)
    auth.login()
    assert client.post(f"/channels/{channel_id}/delete").status_code == 302
    assert _channels(app) == []
    with app.app_context():
        assert sqla.session.scalars(select(Thread.channel_id)).all() == [None]


def test_agents_see_the_channels_but_cannot_change_them(app, client, auth, shop_id, make_user, add_member, *,
                                                         make_channel):
    channel_id, _source = make_channel(shop_id)
    add_member(shop_id, make_user("agent@example.com"))
    auth.login("agent@example.com")
    page = client.get(f"/shops/{shop_id}/channels").get_data(as_text=True)
    assert "Fake channel" in page
    assert "Connect a channel" not in page
    assert client.post(f"/channels/{channel_id}/pause").status_code == 403
    assert client.get(f"/shops/{shop_id}/channels/new").status_code == 403


def _token(client, auth, email="owner@example.com"):
    auth.login(email)
    page = client.post("/settings/tokens", data={"name": "channels"}).get_data(as_text=True)
    token = re.search(r"(sk_[\w-]+)</code>", page).group(1)
    return {"Authorization": f"Bearer {token}"}


def test_the_api_never_returns_a_secret(app, client, auth, shop_id, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    headers = _token(client, auth)
    source = str(tmp_path / "m.jsonl")
    (tmp_path / "m.jsonl").touch()
    created = client.post(f"/api/v1/shops/{shop_id}/channels", headers=headers, json={
        "kind": "fake", "name": "API channel",
        "settings": {"source": source, "password": SECRET, "base_url": "http://127.0.0.1:9/"}})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["kind"] == "fake"
    assert body["status"] == "active"
    assert body["settings"]["base_url"] == "http://127.0.0.1:9/"
    assert body["has_secrets"] is True
    channel_url = f"/api/v1/channels/{body['id']}"
    patched = client.patch(channel_url, headers=headers, json={"settings": {"password": ""}, "paused": True})
    assert patched.get_json()["status"] == "paused"
    tested = client.post(channel_url + "/test", headers=headers, json={})
    assert tested.get_json()["checks"][-1]["ok"] is False  # the stored password is SECRET, not "right"
    fetched = client.post(channel_url + "/fetch", headers=headers)
    assert fetched.status_code == 202
    assert fetched.get_json()["status"] == "active"
    answers = [created, patched, tested, fetched, client.get(channel_url, headers=headers),
               client.get(f"/api/v1/shops/{shop_id}/channels", headers=headers)]
    for answer in answers:
        assert SECRET not in answer.get_data(as_text=True)
    assert SECRET not in caplog.text
    (channel,) = _channels(app)
    assert _secrets(app, channel) == {"password": SECRET}
    assert client.delete(channel_url, headers=headers).status_code == 204
    assert client.get(channel_url, headers=headers).status_code == 404


@pytest.mark.parametrize("payload, field", [
    ({"kind": "nope"}, "kind"),
    ({"kind": "fake", "settings": {"source": "/x", "password": "p", "admin": True}}, "admin"),
    ({"kind": "fake", "settings": {"password": "p"}}, "source"),
    ({"kind": "fake", "settings": {"source": "/x", "password": "p", "delay": "soon"}}, "delay"),
    ({"kind": "fake", "settings": {"source": "/x", "password": "p", "security": "ssl3"}}, "security"),
    ({"kind": "fake", "settings": {"source": "/x", "password": "p", "base_url": "ftp://x"}}, "base_url"),
])
def test_bad_settings_are_refused_and_change_nothing(app, client, auth, shop_id, payload, field):
    headers = _token(client, auth)
    response = client.post(f"/api/v1/shops/{shop_id}/channels", headers=headers, json=payload)
    assert response.status_code == 400
    assert field in response.get_json()["error"].get("fields", {})
    assert _channels(app) == []


def test_agents_cannot_change_channels_through_the_api(app, client, auth, shop_id, make_user, add_member, *,
                                                         make_channel):
    channel_id, _source = make_channel(shop_id)
    add_member(shop_id, make_user("agent@example.com", password=PASSWORD))
    headers = _token(client, auth, "agent@example.com")
    assert client.get(f"/api/v1/channels/{channel_id}", headers=headers).status_code == 200
    assert client.patch(f"/api/v1/channels/{channel_id}", headers=headers, json={"paused": True}).status_code == 403
    assert client.delete(f"/api/v1/channels/{channel_id}", headers=headers).status_code == 403


def test_oauth_sign_in_saves_the_token_for_this_channel_only(app, client, auth, shop_id, make_channel, make_user, *,
                                                             make_shop):
    from urllib.parse import parse_qs, urlsplit

    channel_id, _source = make_channel(shop_id, kind=fakechannel.OAUTH_NAME, secrets={})
    auth.login()
    response = client.get(f"/channels/{channel_id}/authorize")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["redirect_uri"] == [app.config["PUBLIC_URL"] + "/channels/oauth/callback"]  # never the Host
    state = query["state"][0]
    refused = client.get("/channels/oauth/callback", query_string={"state": state, "code": "bad"})
    assert refused.status_code == 302
    assert "The login was refused" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert client.get("/channels/oauth/callback", query_string={"state": state + "x", "code": "good"}).status_code \
        == 400
    granted = client.get("/channels/oauth/callback", query_string={"state": state, "code": "good"})
    assert granted.status_code == 302
    (channel,) = _channels(app)
    assert _secrets(app, channel) == {"token": "granted"}
    # Another user's browser cannot use the state: it was signed for the owner who asked.
    make_user("other@example.com")
    auth.logout()
    auth.login("other@example.com")
    assert client.get("/channels/oauth/callback", query_string={"state": state, "code": "good"}).status_code == 400


def test_a_kind_that_breaks_in_its_test_shows_a_failed_check(app, client, auth, shop_id, make_channel, monkeypatch):
    def broken(self, settings, secrets, now):
        raise RuntimeError("a bug in the kind")

    monkeypatch.setattr(fakechannel.FakeKind, "test", broken)
    channel_id, _source = make_channel(shop_id)
    headers = _token(client, auth)
    answer = client.post(f"/api/v1/channels/{channel_id}/test", headers=headers, json={})
    assert answer.status_code == 200
    assert answer.get_json()["ok"] is False
    page = client.post(f"/channels/{channel_id}/test")
    assert page.status_code == 200
    assert "The platform answered with an error" in page.get_data(as_text=True)
