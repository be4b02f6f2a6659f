"""The live workspace without a browser: the event stream and its catch-up, unread state, counts, notifications."""
from datetime import timedelta

import pytest

from sellerkit import inbox
from sellerkit.accounts.models import User
from sellerkit.extensions import db as database
from sellerkit.live.models import LiveEvent
from sellerkit.shops.models import Shop
from sellerkit.sla import services as sla
from sellerkit.threads.domain import Inbound
from sellerkit.threads.models import Thread
from tests.conftest import NOW, PASSWORD


@pytest.fixture
def team(app, make_user, make_shop, add_member):
    """A shop with an owner and an agent, each with a client logged in."""
    owner = make_user()
    agent = make_user("agent@example.com", name="Arash")
    shop_id = make_shop(owner)
    add_member(shop_id, agent)
    clients = {}
    for name, email in (("owner", "owner@example.com"), ("agent", "agent@example.com")):
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        clients[name] = client
    return {"shop_id": shop_id, "owner_id": owner, "agent_id": agent, **clients}


def receive(app, shop_id, external_id, body="Where is my parcel?", now=NOW):
    with app.app_context():
        received = inbox.receive_buyer_message(database.session.get(Shop, shop_id), Inbound(
            external_id=external_id, body=body, received_at=now, buyer_external_id="buyer-1", buyer_name="Maryam",
            subject="Parcel"), now)
        database.session.commit()
        return received.thread.id


def stream_text(client, **headers):
    """What the stream sends until it ends (LIVE_STREAM_SECONDS in these tests)."""
    response = client.get("/events", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["X-Accel-Buffering"] == "no"
    return response.get_data(as_text=True)


@pytest.fixture
def app(make_app):
    return make_app(LIVE_STREAM_SECONDS=0.6)


def test_a_new_message_reaches_the_stream_and_a_reconnect_catches_up(app, team, db):
    thread_id = receive(app, team["shop_id"], "m-1")
    first = db.scalar(LiveEvent.__table__.select().with_only_columns(LiveEvent.id).order_by(LiveEvent.id.desc()))
    # The page was rendered before the message: it asks for what came after, and gets the message's events.
    sent = stream_text(team["agent"], **{"Last-Event-ID": str(first - 1)})
    assert sent.startswith("retry: ")
    assert "event: inbox\n" in sent
    assert f"event: thread-{thread_id}\n" in sent
    assert f"id: {first}\n" in sent
    # Reconnecting with the last id it got, the browser gets only what it missed.
    second_thread = receive(app, team["shop_id"], "m-2", body="And the tracking number?")
    caught_up = stream_text(team["owner"], **{"Last-Event-ID": str(first)})
    assert f"id: {first}\n" not in caught_up
    assert f"event: thread-{second_thread}\n" in caught_up


def test_the_stream_sends_only_the_members_shops(app, team, make_user, make_shop):
    stranger = make_user("other@example.com")
    make_shop(stranger, name="Other")
    receive(app, team["shop_id"], "m-1")
    client = app.test_client()
    client.post("/login", data={"email": "other@example.com", "password": PASSWORD})
    assert "event:" not in stream_text(client, **{"Last-Event-ID": "0"})


def test_the_stream_needs_a_login(app):
    assert app.test_client().get("/events").status_code == 302


def test_unread_until_each_member_opens_the_conversation(app, team):
    thread_id = receive(app, team["shop_id"], "m-1")
    for name in ("owner", "agent"):
        assert "Unread:" in team[name].get("/inbox").get_data(as_text=True)
    assert team["agent"].get(f"/threads/{thread_id}").status_code == 200
    assert "Unread:" not in team["agent"].get("/inbox").get_data(as_text=True)
    assert "Unread:" in team["owner"].get("/inbox").get_data(as_text=True)
    # The buyer writes again: unread again for the agent too.
    receive(app, team["shop_id"], "m-2", body="Hello?")
    assert "Unread:" in team["agent"].get("/inbox").get_data(as_text=True)


def test_the_live_refresh_of_the_list_and_the_thread_are_partials(app, team):
    thread_id = receive(app, team["shop_id"], "m-1")
    rows = team["owner"].get("/inbox", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert rows.startswith("{#") is False
    assert 'id="inbox-rows"' in rows
    assert "<html" not in rows
    messages = team["owner"].get(f"/threads/{thread_id}/messages").get_data(as_text=True)
    assert "Where is my parcel?" in messages
    assert "<html" not in messages
    # Seeing the messages refreshed marks them read.
    assert "Unread:" not in team["owner"].get("/inbox").get_data(as_text=True)


def test_counts_on_the_tabs_and_the_shop_switcher(app, team):
    receive(app, team["shop_id"], "m-1")
    with app.app_context():
        shop = database.session.get(Shop, team["shop_id"])
        received = inbox.receive_buyer_message(shop, Inbound(
            external_id="m-2", body="Another question", received_at=NOW, buyer_external_id="buyer-2",
            buyer_name="Lena"), NOW)
        database.session.commit()
        assert received.is_new
    page = team["owner"].get("/inbox").get_data(as_text=True)
    assert 'Needs reply <span class="count">2</span>' in page
    assert "2 conversations need a reply" in page


def test_a_reply_due_soon_clears_once_the_buyer_is_answered(app, team, db):
    thread_id = receive(app, team["shop_id"], "m-1")
    with app.app_context():
        sla.sweep(NOW + timedelta(hours=23, minutes=30))  # Etsy: 24 hours, warned before the end
        database.session.commit()
    page = team["agent"].get("/notifications").get_data(as_text=True)
    assert "Reply due soon" in page
    assert "1 unread" in page
    with app.app_context():
        shop = database.session.get(Shop, team["shop_id"])
        thread = database.session.get(Thread, thread_id)
        reply = inbox.send_reply(shop, thread, database.session.get(User, team["owner_id"]), "On its way", NOW)
        database.session.flush()
        from sellerkit.outbox.models import OutboxItem
        item = database.session.scalar(OutboxItem.__table__.select().with_only_columns(OutboxItem.id)
                                       .where(OutboxItem.message_id == reply.id))
        inbox.mark_reply_sent(database.session.get(OutboxItem, item), NOW + timedelta(hours=1))
        database.session.commit()
    page = team["agent"].get("/notifications").get_data(as_text=True)
    assert "Reply due soon" not in page
    assert "unread" not in page


def test_mark_all_notifications_read(app, team):
    receive(app, team["shop_id"], "m-1")
    with app.app_context():
        sla.sweep(NOW + timedelta(hours=23, minutes=30))
        database.session.commit()
    assert "1 unread" in team["agent"].get("/notifications").get_data(as_text=True)
    assert team["agent"].post("/notifications/read").status_code == 302
    assert "1 unread" not in team["agent"].get("/notifications").get_data(as_text=True)
    # Read by one member only: the owner's badge still counts it.
    assert "1 unread" in team["owner"].get("/notifications").get_data(as_text=True)


def test_a_new_message_in_a_conversation_assigned_to_you_is_your_notification(app, team):
    thread_id = receive(app, team["shop_id"], "m-1")
    response = team["owner"].post(f"/threads/{thread_id}/settings", data={"assignee_id": str(team["agent_id"])})
    assert response.status_code == 302
    receive(app, team["shop_id"], "m-2", body="Anyone there?")
    assert "New message in a conversation assigned to you" in team["agent"].get("/notifications").get_data(
        as_text=True)
    assert "New message in a conversation assigned to you" not in team["owner"].get("/notifications").get_data(
        as_text=True)
    # Reading the conversation reads the notification.
    team["agent"].get(f"/threads/{thread_id}")
    page = team["agent"].get("/notifications").get_data(as_text=True)
    assert "unread" not in page.split("<main", 1)[1].split("</main>", 1)[0].lower().replace("mark all as read", "")
