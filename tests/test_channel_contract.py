"""One contract suite for every marketplace kind, each against its local contract server: first fetch and resume
with nothing lost or doubled, a fetch whose commit was lost gives the same messages again, a reply sent exactly once,
limits refused before sending, errors to back off from, and the status a wrong key shows."""
from datetime import UTC, datetime

import pytest

from sellerkit.channels.kinds import ChannelError
from sellerkit.channels.ozon import OzonKind
from sellerkit.channels.wildberries import WildberriesKind
from sellerkit.outbox.transports import DeliveryError
from tests.contracts.base import Running
from tests.contracts.ozon import OzonPlatform
from tests.contracts.wildberries import WildberriesPlatform
from tests.platforms import reply_delivery

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class OzonAdapter:
    prefix, secret_name = "ozon", "api_key"

    def __init__(self):
        self.running = Running(OzonPlatform(per_second=10_000))
        self.kind = OzonKind(allow_private=True, timeout=10)
        self.settings = {"client_id": "123456", "base_url": self.running.base}
        self.secrets = {"api_key": "ozon-key"}

    def buyer_writes(self, chat, text):
        if chat not in self.running.platform.chats:
            self.running.platform.add_chat(chat)
        self.running.platform.add_message(chat, text)

    def sent(self):
        return len(self.running.platform.sent)

    def requests(self):
        return len(self.running.platform.requests)

    def fail_next(self, status):
        self.running.platform.fail.append(status)


class WildberriesAdapter:
    prefix, secret_name = "wb", "token"

    def __init__(self):
        self.running = Running(WildberriesPlatform(limit=10_000, page=4))
        self.kind = WildberriesKind(allow_private=True, timeout=10)
        self.settings = {"base_url": self.running.base}
        self.secrets = {"token": "wb-token"}

    def buyer_writes(self, chat, text):
        if chat not in self.running.platform.chats:
            self.running.platform.add_chat(chat)
        self.running.platform.add_event(chat, text)

    def sent(self):
        return len(self.running.platform.sent)

    def requests(self):
        return len(self.running.platform.moments) + self.running.platform.refused

    def fail_next(self, status):
        self.running.platform.fail.append(status)


@pytest.fixture(params=[OzonAdapter, WildberriesAdapter], ids=["ozon", "wildberries"])
def platform(request):
    adapter = request.param()
    request.addfinalizer(adapter.running.stop)
    return adapter


def fetch(platform, cursor, limit=100):
    return platform.kind.fetch(platform.settings, platform.secrets, cursor, limit, NOW)


def fetch_all(platform, cursor=None, limit=100):
    bodies = []
    while True:
        batch = fetch(platform, cursor, limit)
        bodies += [item.inbound.body for item in batch.messages]
        cursor = batch.cursor
        if not batch.more:
            return bodies, cursor


def reply(platform, chat, body):
    return reply_delivery(f"{platform.prefix}:{chat}", body)


def test_first_fetch_and_resume_lose_nothing_and_double_nothing(platform):
    for chat in ("c1", "c2", "c3"):
        for number in range(5):
            platform.buyer_writes(chat, f"{chat} question {number}")
    bodies, cursor = fetch_all(platform, limit=4)
    assert sorted(bodies) == sorted(f"{chat} question {n}" for chat in ("c1", "c2", "c3") for n in range(5))
    platform.buyer_writes("c2", "c2 follow-up")
    platform.buyer_writes("c4", "c4 first")
    assert sorted(fetch_all(platform, cursor)[0]) == ["c2 follow-up", "c4 first"]


def test_a_fetch_whose_commit_was_lost_brings_the_same_messages_again(platform):
    for number in range(3):
        platform.buyer_writes("c1", f"question {number}")
    first = fetch(platform, None, limit=2)
    ids = [item.inbound.external_id for item in first.messages]
    again = fetch(platform, None, limit=2)  # the scheduler died before it stored the first batch and its cursor
    assert [item.inbound.external_id for item in again.messages] == ids
    assert all(external.startswith(f"{platform.prefix}:c1:") for external in ids)


def test_a_reply_is_sent_exactly_once(platform):
    platform.buyer_writes("c1", "Hello?")
    platform.kind.send(platform.settings, platform.secrets, reply(platform, "c1", "Hello!"), NOW)
    assert platform.sent() == 1


def test_a_reply_over_the_platforms_limit_is_refused_before_any_request(platform):
    platform.buyer_writes("c1", "Hello?")
    before = platform.requests()
    assert platform.kind.check_reply("x" * 1001, ())
    with pytest.raises(DeliveryError) as refused:
        platform.kind.send(platform.settings, platform.secrets, reply(platform, "c1", "x" * 1001), NOW)
    assert refused.value.permanent and platform.requests() == before and platform.sent() == 0


@pytest.mark.parametrize("status, code", [(500, "unavailable"), (503, "unavailable")])
def test_errors_are_raised_for_the_layer_to_back_off_and_nothing_is_skipped(platform, status, code):
    platform.buyer_writes("c1", "Hello?")
    platform.fail_next(status)
    with pytest.raises(ChannelError) as failed:
        fetch(platform, None)
    assert failed.value.code == code
    assert fetch_all(platform)[0] == ["Hello?"]


def test_a_wrong_key_shows_what_to_fix(platform):
    checks = platform.kind.test(platform.settings, {platform.secret_name: "revoked"}, NOW)
    assert not checks[-1].ok and checks[-1].message == "The key was revoked or lacks the chat permission."
    assert all(check.ok for check in platform.kind.test(platform.settings, platform.secrets, NOW))
