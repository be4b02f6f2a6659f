"""One suite run against every marketplace kind on its contract server: fetch, resume, send, limits, errors."""
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from sellerkit.channels.allegro import Allegro
from sellerkit.channels.ebay import Ebay
from sellerkit.channels.kinds import ChannelError
from sellerkit.channels.yandex_market import YandexMarket
from sellerkit.outbox.domain import failure_kind
from sellerkit.outbox.transports import DeliveryError
from tests.contracts.allegro import AllegroServer
from tests.contracts.ebay import EbayServer
from tests.contracts.yandex_market import BUSINESS, YandexMarketServer
from tests.platforms import fetch_until_done, reply_delivery

#: The contract server listens on loopback: the kind is allowed private addresses, as WEBHOOK_ALLOW_PRIVATE does.
LOCAL = {"allow_private": True}
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@dataclass
class Platform:
    """A kind, its running contract server, and how to seed it and talk to it."""

    kind: object
    server: object
    settings: dict
    secrets: dict
    conversation: str  # the thread external id a reply goes to
    max_message: int

    def seed(self, conversations, messages):
        """`conversations` buyer conversations of `messages` buyer messages each."""
        for number in range(conversations):
            for index in range(messages):
                SEEDERS[type(self.kind)](self.server, number, index)

    def sent(self):
        return len(self.server.sent)


def _seed_yandex(server, number, index):
    if number + 1 not in server.chats:
        server.add_chat(number + 1, order_id=500 + number, customer=(f"Buyer {number}", f"pub-{number}"),
                        minute=number)
    server.add_message(number + 1, f"Conversation {number} message {index}", minute=10 + number + index)


def _seed_allegro(server, number, index):
    if f"t{number}" not in server.threads:
        server.add_thread(f"t{number}", f"buyer_{number}")
    server.add_message(f"t{number}", f"Conversation {number} message {index}", minute=10 + number + index)


def _seed_ebay(server, number, index):
    if f"c{number}" not in server.conversations:
        server.add_conversation(f"c{number}", f"buyer{number}")
    server.add_message(f"c{number}", f"Conversation {number} message {index}", minute=10 + number + index)


SEEDERS = {YandexMarket: _seed_yandex, Allegro: _seed_allegro, Ebay: _seed_ebay}


def _yandex():
    server = YandexMarketServer().start()
    server.add_chat(1, minute=0)
    return Platform(YandexMarket(**LOCAL), server, {"business_id": BUSINESS, "base_url": server.url},
                    {"api_key": "key-with-communication"}, "yandex_market:1", 4096)


def _allegro():
    server = AllegroServer().start()
    server.add_thread("t0", "buyer_0")
    return Platform(Allegro(**LOCAL), server, {"client_id": "app-1", "base_url": server.url},
                    {"client_secret": "s3cret", "refresh_token": server.issue_refresh_token()},
                    "allegro:thread:t0", 2000)


def _ebay():
    server = EbayServer().start()
    server.add_conversation("c0", "buyer0")
    return Platform(Ebay(**LOCAL), server, {"client_id": "App-1", "ru_name": "Amber-Studio-App-1-abcd",
                                     "base_url": server.url},
                    {"client_secret": "Cert-1", "refresh_token": server.issue_refresh_token()}, "ebay:c0", 2000)


@pytest.fixture(params=[_yandex, _allegro, _ebay], ids=["yandex_market", "allegro", "ebay"])
def platform(request):
    made = request.param()
    yield made
    made.server.stop()


def fetch_all(platform, cursor=None, limit=20):
    return fetch_until_done(lambda cursor: platform.kind.fetch(platform.settings, platform.secrets, cursor, limit, NOW),
                            cursor, limit, rounds=500)


def delivery(platform, body):
    return reply_delivery(platform.conversation, body)


def test_a_first_fetch_brings_every_message_once_and_a_second_nothing(platform):
    platform.seed(conversations=25, messages=4)
    fetched, cursor = fetch_all(platform)
    ids = [item.inbound.external_id for item in fetched]
    assert len(ids) == len(set(ids)) == 100
    assert all(item.inbound.thread_external_id and item.inbound.buyer_external_id for item in fetched)
    again, _ = fetch_all(platform, cursor)
    assert again == []


def test_a_batch_never_stored_comes_again_whole(platform):
    platform.seed(conversations=6, messages=5)
    first = platform.kind.fetch(platform.settings, platform.secrets, None, 12, NOW)
    lost = platform.kind.fetch(platform.settings, platform.secrets, first.cursor, 12, NOW)  # killed: not stored
    retried = platform.kind.fetch(platform.settings, platform.secrets, first.cursor, 12, NOW)
    assert [m.inbound.external_id for m in retried.messages] == [m.inbound.external_id for m in lost.messages]
    rest, _ = fetch_all(platform, retried.cursor)
    every = [m.inbound.external_id for m in first.messages + retried.messages + rest]
    assert len(every) == len(set(every)) == 30


def test_a_reply_reaches_the_platform_once_and_a_long_one_never_leaves(platform):
    platform.kind.send(platform.settings, platform.secrets, delivery(platform, "Thank you, it ships today."), NOW)
    assert platform.sent() == 1
    with pytest.raises(DeliveryError) as refused:
        platform.kind.send(platform.settings, platform.secrets, delivery(platform, "x" * (platform.max_message + 1)),
                           NOW)
    assert refused.value.permanent and failure_kind(refused.value.reason) == "platform_too_long"
    assert platform.sent() == 1


def test_outages_and_limits_become_the_channels_codes(platform):
    platform.seed(conversations=1, messages=1)
    fetch_all(platform)  # signed in: the faults below meet the API, not the sign-in
    for status, code in ((503, "unavailable"), (429, "rate_limited")):
        platform.server.faults.append((status, {"errors": []}, {"Retry-After": "7"}))
        with pytest.raises(ChannelError) as error:
            platform.kind.fetch(platform.settings, platform.secrets, None, 10, NOW)
        assert error.value.code == code
        assert code != "rate_limited" or error.value.retry_after == 7


def test_the_connection_test_passes_and_then_says_what_is_wrong(app, platform):
    with app.test_request_context():
        assert [check.ok for check in platform.kind.test(platform.settings, platform.secrets, NOW)] == [True]
        broken = {name: "revoked" for name in platform.secrets if name in ("api_key", "refresh_token")}
        (check,) = platform.kind.test(platform.settings, {**platform.secrets, **broken, "access_token": None}, NOW)
        assert not check.ok and str(check.message)


def test_a_redirect_is_refused_not_followed(platform):
    platform.server.faults.append((302, {}, {"Location": "http://127.0.0.1:9/steal"}))
    with pytest.raises(ChannelError) as refused:
        platform.kind.fetch(platform.settings, platform.secrets, None, 10, NOW)
    assert refused.value.code == "refused"


def test_a_platform_on_a_private_address_is_refused_unless_the_app_allows_it(app, platform):
    kind = type(platform.kind)()  # as registered without WEBHOOK_ALLOW_PRIVATE
    with pytest.raises(ChannelError) as refused:
        kind.fetch(platform.settings, dict(platform.secrets), None, 10, NOW)
    assert refused.value.code == "base_url" and platform.server.log == []
    with app.test_request_context():
        (check,) = kind.test(platform.settings, dict(platform.secrets), NOW)
        assert not check.ok and str(check.message).startswith("The platform's address cannot be used")
