"""The Yandex Market kind against the local contract server: sweeps and paging, disputes, sending, limits, tests."""
from datetime import UTC, datetime

import pydantic
import pytest
from sqlalchemy import select

from sellerkit import inbox
from sellerkit.channels.kinds import ChannelError
from sellerkit.channels.yandex_market import YandexMarket
from sellerkit.extensions import db as sqla
from sellerkit.outbox.domain import failure_kind
from sellerkit.outbox.transports import DeliveryError
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Message, Order, Thread
from tests.contracts.yandex_market import BUSINESS, YandexMarketServer
from tests.platforms import fetch_until_done, reply_delivery

#: The contract server listens on loopback: the kind is allowed private addresses, as WEBHOOK_ALLOW_PRIVATE does.
LOCAL = {"allow_private": True}
NOW = datetime(2026, 3, 2, 12, 20, tzinfo=UTC)
KEY = {"api_key": "key-with-communication"}


@pytest.fixture
def platform():
    server = YandexMarketServer().start()
    yield server
    server.stop()


def settings_for(server):
    return {"business_id": BUSINESS, "base_url": server.url}


def fetch_all(kind, server, cursor=None, limit=50, secrets=KEY):
    """Every message the kind brings until it says nothing more waits, and the last cursor."""
    return fetch_until_done(
        lambda cursor: kind.fetch(settings_for(server), dict(secrets), cursor, limit, NOW), cursor, limit)


def test_a_backlog_across_pages_arrives_once_oldest_first_and_then_only_what_is_new(platform):
    platform.overlap_pages = True  # the history repeats a message at the start of each next page
    for chat_id in range(1, 31):  # two pages of chats
        platform.add_chat(chat_id, order_id=9000 + chat_id, customer=(f"Buyer {chat_id}", f"pub-{chat_id}"),
                          minute=chat_id)
        platform.add_message(chat_id, f"Question {chat_id}", minute=chat_id)
    for number in range(250):  # a long chat: three pages of history
        platform.add_message(7, f"Long {number}", minute=40 + number)
    platform.add_message(7, "Our answer", sender="PARTNER", minute=400)
    kind = YandexMarket(**LOCAL)

    fetched, cursor = fetch_all(kind, platform)

    ids = [item.inbound.external_id for item in fetched]
    assert len(ids) == len(set(ids)) == 30 + 250
    long_chat = [item.inbound.body for item in fetched if item.inbound.thread_external_id == "yandex_market:7"]
    assert long_chat == ["Question 7"] + [f"Long {n}" for n in range(250)]
    first = next(item.inbound for item in fetched if item.inbound.thread_external_id == "yandex_market:3")
    assert (first.buyer_external_id, first.buyer_name, first.order_reference) == \
        ("yandex_market:pub-3", "Buyer 3", "9003")

    platform.add_message(12, "Any news?", minute=600)
    again, _ = fetch_all(kind, platform, cursor)
    assert [item.inbound.body for item in again] == ["Any news?"]


def test_arbitrage_chats_become_disputes_with_the_order_beside_them(app, platform, make_user, make_shop):
    shop_id = make_shop(make_user(), platform="other")
    platform.add_chat(1, order_id=555, minute=1)
    platform.add_message(1, "Where is my parcel?", minute=2)
    platform.add_chat(2, order_id=556, chat_type="ARBITRAGE", status="WAITING_FOR_ARBITER", minute=3)
    platform.add_message(2, "The item is broken, I want my money back", minute=4)
    platform.add_message(2, "Send a photo of the damage within 3 days", sender="MARKET", minute=5)
    platform.add_message(2, "We will look into it", sender="PARTNER", minute=6)
    kind = YandexMarket(**LOCAL)

    def store(cursor):
        batch = kind.fetch(settings_for(platform), dict(KEY), cursor, 50, NOW)
        with app.app_context():
            shop = sqla.session.get(Shop, shop_id)
            fetched = kind.link(shop, None, batch.messages, NOW)
            results = inbox.receive_buyer_messages(shop, [item.inbound for item in fetched], NOW,
                                                   files=[item.files for item in fetched])
            kind.after_store(shop, None, fetched, results, NOW)
            sqla.session.commit()
        return batch.cursor

    cursor = store(None)
    with app.app_context():
        threads = {t.external_id: t for t in sqla.session.scalars(select(Thread).where(Thread.shop_id == shop_id))}
        assert threads["yandex_market:2"].is_dispute and not threads["yandex_market:1"].is_dispute
        order = sqla.session.get(Order, threads["yandex_market:2"].order_id)
        assert order.platform_order_ref == "556"
        bodies = sqla.session.scalars(select(Message.body).where(Message.thread_id == threads["yandex_market:2"].id)
                                      .order_by(Message.posted_at)).all()
        assert bodies == ["The item is broken, I want my money back",
                          "[Yandex Market] Send a photo of the damage within 3 days"]

    # The first chat goes to arbitrage later: its known thread becomes a dispute with the next message.
    platform.chats[1].update(type="ARBITRAGE", status="WAITING_FOR_MARKET")
    platform.add_message(1, "I asked Market to decide", minute=30)
    store(cursor)
    with app.app_context():
        thread = sqla.session.scalar(select(Thread).where(Thread.external_id == "yandex_market:1"))
        assert thread.is_dispute


def test_files_of_a_buyer_message_come_with_it(platform):
    platform.add_chat(1, minute=1)
    picture = platform.add_file("photo.png", b"\x89PNG\r\n\x1a\nfake")
    platform.add_message(1, "", minute=2, payload=[picture])
    (item,), _ = fetch_all(YandexMarket(**LOCAL), platform)
    assert item.inbound.body == "📎 photo.png"
    assert item.files == (("photo.png", "image/png", b"\x89PNG\r\n\x1a\nfake"),)


def test_a_reply_reaches_the_chat_and_one_too_long_is_refused_before_sending(platform):
    platform.add_chat(5, minute=1)
    kind = YandexMarket(**LOCAL)

    kind.send(settings_for(platform), dict(KEY), reply_delivery("yandex_market:5", "Sent today, track 123"), NOW)
    assert platform.sent == [(5, "Sent today, track 123")]

    with pytest.raises(DeliveryError) as refused:
        kind.send(settings_for(platform), dict(KEY), reply_delivery("yandex_market:5", "x" * 4097), NOW)
    assert refused.value.permanent and failure_kind(refused.value.reason) == "platform_too_long"
    assert len(platform.calls("/chats/message")) == 1  # nothing went out

    with pytest.raises(DeliveryError) as wrong:
        kind.send(settings_for(platform), dict(KEY), reply_delivery("allegro:thread:x", "Hello"), NOW)
    assert wrong.value.permanent


def test_a_file_is_sent_after_the_words(platform):
    platform.add_chat(5, minute=1)
    invoice = (("invoice.pdf", "application/pdf", b"%PDF"),)
    YandexMarket(**LOCAL).send(settings_for(platform), dict(KEY),
                               reply_delivery("yandex_market:5", "The invoice", invoice), NOW)
    assert platform.sent[0] == (5, "The invoice")
    assert b'filename="invoice.pdf"' in platform.sent[1][1] and b"%PDF" in platform.sent[1][1]


def test_the_hourly_limits_are_waited_out(platform):
    platform.add_chat(5, minute=1)
    platform.send_limit = 0
    with pytest.raises(DeliveryError) as limited:
        YandexMarket(**LOCAL).send(settings_for(platform), dict(KEY), reply_delivery("yandex_market:5", "Hello"), NOW)
    assert not limited.value.permanent and failure_kind(limited.value.reason) == "platform_rate_limited"

    platform.faults.append((429, {"status": "ERROR", "errors": [{"code": "TOO_MANY_REQUESTS"}]}, {}))
    with pytest.raises(ChannelError) as error:
        YandexMarket(**LOCAL).fetch(settings_for(platform), dict(KEY), None, 50, NOW)
    assert error.value.code == "rate_limited" and error.value.retry_after == 40 * 60  # the top of the hour

    platform.faults.append((429, {"status": "ERROR"}, {"Retry-After": "120"}))
    with pytest.raises(ChannelError) as told:
        YandexMarket(**LOCAL).fetch(settings_for(platform), dict(KEY), None, 50, NOW)
    assert told.value.retry_after == 120


def test_server_errors_and_a_revoked_key_are_channel_errors(platform):
    platform.faults.append((503, {"status": "ERROR"}, {}))
    with pytest.raises(ChannelError) as down:
        YandexMarket(**LOCAL).fetch(settings_for(platform), dict(KEY), None, 50, NOW)
    assert down.value.code == "unavailable"
    with pytest.raises(ChannelError) as revoked:
        YandexMarket(**LOCAL).fetch(settings_for(platform), {"api_key": "revoked"}, None, 50, NOW)
    assert revoked.value.code == "auth"


def test_the_connection_test_says_what_is_wrong_with_the_key(app, platform):
    kind = YandexMarket(**LOCAL)
    with app.test_request_context():
        assert [(c.step, c.ok) for c in kind.test(settings_for(platform), dict(KEY), NOW)] == [("login", True)]
        for key in ("wrong", "key-without-scope"):
            (check,) = kind.test(settings_for(platform), {"api_key": key}, NOW)
            assert not check.ok and "chat permission" in str(check.message)
        down = YandexMarket(**LOCAL).test({"business_id": BUSINESS, "base_url": "http://127.0.0.1:9"}, dict(KEY), NOW)
        assert not down[0].ok and "could not be reached" in str(down[0].message)


def test_settings_refuse_a_plain_http_address_elsewhere_than_this_computer():
    model = YandexMarket.settings_model
    assert model(business_id=1, api_key="k", base_url="https://sandbox.example.com/").base_url == \
        "https://sandbox.example.com"
    assert model(business_id=1, api_key="k", base_url="http://127.0.0.1:8080").base_url == "http://127.0.0.1:8080"
    for bad in ({"business_id": 1, "api_key": "k", "base_url": "http://example.com"},
                {"business_id": 0, "api_key": "k"}, {"business_id": 1, "api_key": ""}):
        with pytest.raises(pydantic.ValidationError):
            model(**bad)


def test_a_fetch_whose_batch_was_never_stored_is_repeated_whole(platform):
    """A scheduler killed before its commit keeps the old cursor: the same cursor brings the same messages."""
    for chat_id in range(1, 4):
        platform.add_chat(chat_id, minute=chat_id)
        for number in range(10):
            platform.add_message(chat_id, f"Chat {chat_id} message {number}", minute=10 + number)
    kind = YandexMarket(**LOCAL)
    first = kind.fetch(settings_for(platform), dict(KEY), None, 15, NOW)
    lost = kind.fetch(settings_for(platform), dict(KEY), first.cursor, 15, NOW)  # killed before storing this
    retried = kind.fetch(settings_for(platform), dict(KEY), first.cursor, 15, NOW)
    assert [m.inbound.external_id for m in retried.messages] == [m.inbound.external_id for m in lost.messages]
    rest, _ = fetch_all(kind, platform, retried.cursor)
    every = [m.inbound.external_id for m in first.messages + retried.messages + rest]
    assert len(every) == len(set(every)) == 30


def test_an_untrusted_certificate_is_refused(self_signed_certificate):
    server = YandexMarketServer(tls=[str(path) for path in self_signed_certificate]).start()
    try:
        with pytest.raises(ChannelError) as refused:
            YandexMarket(**LOCAL).fetch(settings_for(server), dict(KEY), None, 10, NOW)
        assert refused.value.code == "tls" and server.log == []
    finally:
        server.stop()


def test_a_limit_met_halfway_keeps_what_came_before_it(platform):
    for chat_id in range(1, 4):
        platform.add_chat(chat_id, minute=chat_id)
        platform.add_message(chat_id, f"Question {chat_id}", minute=10 + chat_id)
    platform.planned[3] = (429, {"status": "ERROR", "errors": [{"code": "TOO_MANY_REQUESTS"}]}, {})  # 3rd request
    kind = YandexMarket(**LOCAL)

    first = kind.fetch(settings_for(platform), dict(KEY), None, 50, NOW)
    assert len(first.messages) == 1 and first.more  # the list, one chat's history, then the limit

    with pytest.raises(ChannelError):  # nothing new came before the limit this time: the error is told
        platform.faults.append((429, {"status": "ERROR"}, {"Retry-After": "5"}))
        kind.fetch(settings_for(platform), dict(KEY), first.cursor, 50, NOW)
    rest, _ = fetch_all(kind, platform, first.cursor)
    assert sorted(m.inbound.body for m in first.messages + rest) == ["Question 1", "Question 2", "Question 3"]


def test_a_file_address_in_the_private_network_is_never_fetched(platform):
    platform.add_chat(1, minute=1)
    platform.add_message(1, "See the photo", minute=2, payload=[
        {"name": "x.png", "url": "https://169.254.169.254/latest/meta-data", "size": 10}])
    (item,), _ = fetch_all(YandexMarket(**LOCAL), platform)
    assert item.inbound.body == "See the photo" and item.files == ()
