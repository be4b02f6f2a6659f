"""The Ozon channel kind against a local contract server of Ozon's Seller API chat methods."""
import time
from datetime import UTC, datetime

import pytest

from sellerkit.channels.kinds import ChannelError
from sellerkit.channels.ozon import OzonKind
from sellerkit.outbox.labels import failure_label
from sellerkit.outbox.transports import DeliveryError
from tests.contracts.base import Running
from tests.contracts.ozon import SELLER, SUPPORT, OzonPlatform
from tests.platforms import reply_delivery

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SECRETS = {"api_key": "ozon-key"}


@pytest.fixture
def ozon(request):
    running = Running(OzonPlatform())
    request.addfinalizer(running.stop)
    running.settings = {"client_id": "123456", "base_url": running.base}
    return running


@pytest.fixture
def kind():
    return OzonKind(allow_private=True, timeout=10)


def fetch_all(kind, ozon, cursor=None, limit=100):
    """Fetch until the platform has nothing more, waiting a second whenever Ozon asks to: (every message, the last
    cursor, the number of fetches)."""
    messages, fetches = [], 0
    while True:
        try:
            batch = kind.fetch(ozon.settings, SECRETS, cursor, limit, NOW)
        except ChannelError as error:
            assert error.code == "rate_limited"
            time.sleep(1.05)
            continue
        messages += batch.messages
        cursor, fetches = batch.cursor, fetches + 1
        if not batch.more:
            return messages, cursor, fetches


def reply(chat_external_id, body="Thank you, it ships today.", attachments=()):
    return reply_delivery(chat_external_id, body, attachments)


def test_only_buyer_messages_of_buyer_chats_come_in_as_plain_text_with_their_order(kind, ozon):
    platform = ozon.platform
    platform.add_chat("chat-a")
    platform.add_message("chat-a", "**Hello!** Does [this case](https://ozon.ru/p/1) fit the A03s?",
                         order_number="0123456789-0001-1", sku="987654321")
    platform.add_message("chat-a", "Yes, it does.", user_type=SELLER, user_id="seller")
    platform.add_message("chat-a", "Then I'll take _two_.\n\n> quoted\n- one\n- two")
    platform.add_chat("support", chat_type="SELLER_SUPPORT")
    platform.add_message("support", "Your ticket was answered", user_type=SUPPORT)
    platform.add_chat("news", chat_type="SELLER_API_NOTIFICATIONS")
    platform.add_message("news", "New Seller API methods", user_type="NotificationUser")

    batch = kind.fetch(ozon.settings, SECRETS, None, 100, NOW)

    assert not batch.more
    inbounds = [item.inbound for item in batch.messages]
    assert [i.body for i in inbounds] == ["Hello! Does this case (https://ozon.ru/p/1) fit the A03s?",
                                          "Then I'll take two.\n\nquoted\n- one\n- two"]
    first = inbounds[0]
    assert first.external_id.startswith("ozon:chat-a:") and first.thread_external_id == "ozon:chat-a"
    assert first.buyer_external_id == "ozon:115568"
    assert first.order_reference == "0123456789-0001-1" and first.order == {"items_summary": "SKU 987654321"}
    assert first.received_at.tzinfo is not None and first.received_at < inbounds[1].received_at
    assert inbounds[1].order_reference is None


def test_a_second_fetch_brings_only_what_is_new(kind, ozon):
    platform = ozon.platform
    platform.add_chat("chat-a")
    platform.add_message("chat-a", "First question")
    batch = kind.fetch(ozon.settings, SECRETS, None, 100, NOW)
    assert [item.inbound.body for item in batch.messages] == ["First question"]

    platform.add_message("chat-a", "Second question")
    platform.add_chat("chat-b")
    platform.add_message("chat-b", "Another buyer")
    again = kind.fetch(ozon.settings, SECRETS, batch.cursor, 100, NOW)
    assert sorted(item.inbound.body for item in again.messages) == ["Another buyer", "Second question"]

    histories = len([p for p in platform.requests if p == "/v3/chat/history"])
    quiet = kind.fetch(ozon.settings, SECRETS, again.cursor, 100, NOW)
    assert quiet.messages == [] and not quiet.more
    # A quiet poll lists the chats and reads no history.
    assert len([p for p in platform.requests if p == "/v3/chat/history"]) == histories


def test_chat_list_and_history_pages_are_followed_without_losing_or_doubling_a_message(kind, ozon):
    platform = ozon.platform
    platform.per_second = 10_000
    for number in range(130):  # two pages of the chat list
        platform.add_chat(f"chat-{number:03}")
        platform.add_message(f"chat-{number:03}", f"Question {number}")
    platform.add_chat("long")
    for number in range(1200):  # two pages of history, 1,000 at most each
        platform.add_message("long", f"Long {number}", user_type=SELLER if number % 4 == 3 else "Customer")

    messages, cursor, fetches = fetch_all(kind, ozon, limit=250)

    ids = [item.inbound.external_id for item in messages]
    assert len(ids) == len(set(ids)) == 130 + 900
    assert fetches > 4  # the limit of each fetch was kept
    assert kind.fetch(ozon.settings, SECRETS, cursor, 250, NOW).messages == []


def test_a_limit_reached_mid_fetch_keeps_what_came_and_the_rest_follows(kind, ozon):
    platform = ozon.platform
    platform.per_second = 25
    for number in range(60):
        platform.add_chat(f"chat-{number:02}")
        platform.add_message(f"chat-{number:02}", f"Question {number}")
    first = kind.fetch(ozon.settings, SECRETS, None, 100, NOW)
    assert first.more and 0 < len(first.messages) < 60
    rest, _cursor, _fetches = fetch_all(kind, ozon, first.cursor)
    bodies = [item.inbound.body for item in first.messages + rest]
    assert sorted(bodies) == sorted(f"Question {number}" for number in range(60))


def test_a_chat_ozon_will_not_show_holds_up_none_of_the_others(kind, ozon):
    platform = ozon.platform
    for chat in ("chat-a", "chat-b", "chat-c"):
        platform.add_chat(chat)
        platform.add_message(chat, f"Hello from {chat}")
    platform.hidden.add("chat-b")
    batch = kind.fetch(ozon.settings, SECRETS, None, 100, NOW)
    assert [item.inbound.body for item in batch.messages] == ["Hello from chat-a", "Hello from chat-c"]
    platform.hidden.clear()
    later = kind.fetch(ozon.settings, SECRETS, batch.cursor, 100, NOW)
    assert [item.inbound.body for item in later.messages] == ["Hello from chat-b"]


def test_a_reply_goes_to_the_chat_as_text_and_file(kind, ozon):
    platform = ozon.platform
    platform.add_chat("chat-a")
    kind.send(ozon.settings, SECRETS, reply("ozon:chat-a", attachments=(("photo.png", "image/png", b"\x89PNG.."),)),
              NOW)
    assert platform.sent == [("text", "chat-a", "Thank you, it ships today."),
                             ("file", "chat-a", "photo.png", b"\x89PNG..")]


def test_a_plan_without_chat_replies_is_a_clear_status_not_a_retry(kind, ozon):
    platform = ozon.platform
    platform.plan = "PREMIUM"
    platform.add_chat("chat-a")
    with pytest.raises(DeliveryError) as refused:
        kind.send(ozon.settings, SECRETS, reply("ozon:chat-a"), NOW)
    assert refused.value.permanent
    assert "replies stay by hand" in str(failure_label(refused.value.reason))
    checks = kind.test(ozon.settings, SECRETS, NOW)
    assert [(check.step, check.ok) for check in checks] == [("login", True), ("send", False)]
    assert "replies stay by hand" in checks[1].message
    assert platform.sent == []


def test_connection_test_passes_on_a_premium_plus_account(kind, ozon):
    assert [(c.step, c.ok) for c in kind.test(ozon.settings, SECRETS, NOW)] == [("login", True), ("send", True)]


def test_a_wrong_key_says_so_in_the_test_and_in_the_fetch(kind, ozon):
    checks = kind.test(ozon.settings, {"api_key": "revoked"}, NOW)
    assert [(c.step, c.ok) for c in checks] == [("login", False)]
    assert checks[0].message == "The key was revoked or lacks the chat permission."
    with pytest.raises(ChannelError) as failed:
        kind.fetch(ozon.settings, {"api_key": "revoked"}, None, 100, NOW)
    assert failed.value.code == "auth"


@pytest.mark.parametrize("status, code", [(429, "rate_limited"), (500, "unavailable")])
def test_limits_and_outages_are_errors_the_layer_backs_off_from(kind, ozon, status, code):
    ozon.platform.add_chat("chat-a")
    ozon.platform.add_message("chat-a", "Hello")
    ozon.platform.fail = [status]
    with pytest.raises(ChannelError) as failed:
        kind.fetch(ozon.settings, SECRETS, None, 100, NOW)
    assert failed.value.code == code
    if status == 429:
        assert failed.value.retry_after > 0
    assert len(kind.fetch(ozon.settings, SECRETS, None, 100, NOW).messages) == 1


def test_a_reply_longer_than_ozon_takes_is_refused_before_sending(kind, ozon):
    ozon.platform.add_chat("chat-a")
    assert kind.check_reply("x" * 1000, ()) == []
    assert str(kind.check_reply("x" * 1001, ())[0]) == \
        "Ozon takes replies of at most 1000 characters; this one has 1001."
    with pytest.raises(DeliveryError) as refused:
        kind.send(ozon.settings, SECRETS, reply("ozon:chat-a", body="x" * 1001), NOW)
    assert refused.value.permanent and str(failure_label(refused.value.reason)).startswith("The reply is longer")
    assert ozon.platform.requests == []


def test_a_reply_to_a_thread_from_elsewhere_is_not_sent_to_ozon(kind, ozon):
    with pytest.raises(DeliveryError) as refused:
        kind.send(ozon.settings, SECRETS, reply("wb:1:abc"), NOW)
    assert refused.value.permanent and ozon.platform.requests == []


def test_a_private_base_url_is_refused_unless_the_instance_allows_it(ozon):
    with pytest.raises(ChannelError) as refused:
        OzonKind(allow_private=False).fetch(ozon.settings, SECRETS, None, 100, NOW)
    assert refused.value.code == "base_url" and ozon.platform.requests == []


def test_a_certificate_nobody_trusts_is_refused(kind, self_signed_certificate, request):
    running = Running(OzonPlatform(), tls=self_signed_certificate)
    request.addfinalizer(running.stop)
    settings = {"client_id": "123456", "base_url": running.base}
    with pytest.raises(ChannelError) as refused:
        kind.fetch(settings, SECRETS, None, 100, NOW)
    assert refused.value.code == "tls" and running.platform.requests == []
