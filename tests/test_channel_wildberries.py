"""The Wildberries channel kind against a local contract server of the buyer chat API."""
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from sellerkit.channels.kinds import ChannelError
from sellerkit.channels.wildberries import WildberriesKind
from sellerkit.outbox.labels import failure_label
from sellerkit.outbox.transports import DeliveryError
from tests.contracts.base import Running
from tests.contracts.wildberries import WildberriesPlatform
from tests.platforms import reply_delivery

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SECRETS = {"token": "wb-token"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
PDF = b"%PDF-1.7\n" + b"\0" * 100
CARD = {"date": "2026-11-18T08:30:00Z", "needRefund": False, "nmID": 184532, "price": 1499, "priceCurrency": "RUB",
        "rid": "1d2c3b4a5e.0.0", "size": "M", "statusID": 3}


@pytest.fixture
def wb(request):
    running = Running(WildberriesPlatform(limit=1000, period=10.0))
    request.addfinalizer(running.stop)
    running.settings = {"base_url": running.base}
    return running


@pytest.fixture
def kind():
    return WildberriesKind(allow_private=True, timeout=10)


def fetch_all(kind, wb, cursor=None, limit=100):
    messages, fetches = [], 0
    while True:
        batch = kind.fetch(wb.settings, SECRETS, cursor, limit, NOW)
        messages += batch.messages
        cursor, fetches = batch.cursor, fetches + 1
        if not batch.more:
            return messages, cursor, fetches


def reply(chat, body="Your parcel left today.", attachments=()):
    return reply_delivery(f"wb:{chat}", body, attachments)


def test_buyer_messages_come_in_with_their_order_card_and_files(kind, wb):
    platform = wb.platform
    platform.add_chat("1:aaa")
    platform.add_event("1:aaa", "Where is my jacket?", good_card=CARD, files=(("receipt.pdf", "application/pdf", PDF),))
    platform.add_event("1:aaa", "We sent it.", sender="seller")
    platform.add_event("1:aaa", "Chat rules changed", sender="wb")
    platform.add_event("1:aaa", "Thanks!")

    batch = kind.fetch(wb.settings, SECRETS, None, 100, NOW)

    assert [item.inbound.body for item in batch.messages] == ["Where is my jacket?", "Thanks!"]
    first = batch.messages[0].inbound
    assert first.external_id.startswith("wb:1:aaa:ev-") and first.thread_external_id == "wb:1:aaa"
    assert (first.buyer_external_id, first.buyer_name) == ("wb:buyer-7", "Alyona")
    assert first.order_reference == "1d2c3b4a5e.0.0"
    assert first.order == {"placed_at": datetime(2026, 11, 18, 8, 30, tzinfo=UTC), "total": Decimal("1499.00"),
                           "currency": "RUB", "items_summary": "nmID 184532, M"}
    assert batch.messages[0].files == (("receipt.pdf", "application/pdf", PDF),)
    assert not batch.more and batch.cursor["next"] > 0


def test_the_feed_is_followed_page_by_page_and_a_message_in_two_pages_is_taken_once(kind, wb):
    platform = wb.platform
    platform.page, platform.repeat_last = 3, True
    platform.add_chat("1:aaa")
    for number in range(20):
        platform.add_event("1:aaa", f"Message {number}")

    messages, cursor, fetches = fetch_all(kind, wb, limit=7)

    assert [item.inbound.body for item in messages] == [f"Message {number}" for number in range(20)]
    assert fetches >= 3
    platform.add_event("1:aaa", "One more")
    assert [i.inbound.body for i in kind.fetch(wb.settings, SECRETS, cursor, 100, NOW).messages] == ["One more"]


def test_the_first_fetch_asks_without_next_and_an_empty_feed_keeps_no_cursor(kind, wb):
    batch = kind.fetch(wb.settings, SECRETS, None, 100, NOW)
    assert batch.messages == [] and batch.cursor is None and not batch.more


def test_a_reply_goes_out_with_the_chats_reply_sign_and_its_files(kind, wb):
    wb.platform.add_chat("1:aaa")
    kind.send(wb.settings, SECRETS, reply("1:aaa", attachments=(("label.png", "image/png", PNG),
                                                                 ("invoice.pdf", "application/pdf", PDF))), NOW)
    (sent,) = wb.platform.sent
    assert sent["chat"] == "1:aaa" and sent["message"] == "Your parcel left today."
    assert [(name, kind_) for name, kind_, _content in sent["files"]] == [("label.png", "image/png"),
                                                                          ("invoice.pdf", "application/pdf")]


@pytest.mark.parametrize("attachments, words", [
    ((("clip.gif", "image/gif", b"GIF89a" + b"\0" * 10),), "takes only JPEG, PNG and PDF"),
    ((("big.png", "image/png", PNG + b"\0" * (5 * 1024 * 1024)),), "at most 5 MB"),
    (tuple((f"p{n}.pdf", "application/pdf", PDF + b"\0" * (4 * 1024 * 1024)) for n in range(8)), "at most 30 MB"),
])
def test_files_wildberries_does_not_take_are_refused_before_sending_with_the_reason(kind, wb, attachments, words):
    wb.platform.add_chat("1:aaa")
    problems = [str(problem) for problem in kind.check_reply("Hello", attachments)]
    assert len(problems) == 1 and words in problems[0]
    with pytest.raises(DeliveryError) as refused:
        kind.send(wb.settings, SECRETS, reply("1:aaa", attachments=attachments), NOW)
    assert refused.value.permanent
    assert "JPEG, PNG and PDF" in str(failure_label(refused.value.reason))
    assert wb.platform.sent == [] and wb.platform.moments == []


def test_a_reply_over_1000_characters_is_refused_before_sending(kind, wb):
    assert "at most 1000 characters" in str(kind.check_reply("x" * 1001, ())[0])
    with pytest.raises(DeliveryError) as refused:
        kind.send(wb.settings, SECRETS, reply("1:aaa", body="x" * 1001), NOW)
    assert refused.value.permanent and wb.platform.moments == []


def test_a_chat_that_is_gone_is_a_permanent_failure(kind, wb):
    with pytest.raises(DeliveryError) as refused:
        kind.send(wb.settings, SECRETS, reply("1:gone"), NOW)
    assert refused.value.permanent
    assert str(failure_label(refused.value.reason)) == "The platform no longer takes replies in this conversation."


def test_a_wrong_token_payment_due_and_the_limit_are_told_apart(kind, wb):
    checks = kind.test(wb.settings, {"token": "revoked"}, NOW)
    assert [(c.step, c.ok, c.message) for c in checks] == [
        ("login", False, "The key was revoked or lacks the chat permission.")]
    wb.platform.payment_due = True
    with pytest.raises(ChannelError) as failed:
        kind.fetch(wb.settings, SECRETS, None, 100, NOW)
    assert failed.value.code == "payment_required"
    wb.platform.payment_due, wb.platform.limit, wb.platform.moments = False, 2, []
    kind.test(wb.settings, SECRETS, NOW)
    kind.test(wb.settings, SECRETS, NOW)
    with pytest.raises(ChannelError) as limited:
        kind.fetch(wb.settings, SECRETS, None, 100, NOW)
    assert limited.value.code == "rate_limited" and limited.value.retry_after >= 1
    with pytest.raises(DeliveryError) as waiting:
        kind.send(wb.settings, SECRETS, reply("1:aaa"), NOW)
    assert not waiting.value.permanent and waiting.value.reason.startswith("the platform asks to wait")


def test_connection_test_passes_with_a_working_token(kind, wb):
    assert [(c.step, c.ok) for c in kind.test(wb.settings, SECRETS, NOW)] == [("login", True)]


def test_an_outage_is_an_error_to_back_off_from_and_nothing_is_skipped(kind, wb):
    wb.platform.add_chat("1:aaa")
    wb.platform.add_event("1:aaa", "Hello?")
    wb.platform.fail = [503]
    with pytest.raises(ChannelError) as failed:
        kind.fetch(wb.settings, SECRETS, None, 100, NOW)
    assert failed.value.code == "unavailable"
    assert [item.inbound.body for item in kind.fetch(wb.settings, SECRETS, None, 100, NOW).messages] == ["Hello?"]
