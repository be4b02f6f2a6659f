"""Ozon's pure rules: a chat message's Markdown as the text a seller reads, and until when a reply is accepted."""
from datetime import UTC, datetime, timedelta

import pytest

from sellerkit.channels.ozon_rules import plain_text, reply_window

BUYER_WROTE = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("markdown, text", [
    ("**Hello**, is it __in stock__?", "Hello, is it in stock?"),
    ("See [the case](https://ozon.ru/p/1) and <https://x>", "See the case (https://ozon.ru/p/1) and <https://x>"),
    ("![photo](https://cdn.ozon.ru/1.jpg)", "https://cdn.ozon.ru/1.jpg"),
    ("[https://ozon.ru/p/2](https://ozon.ru/p/2)", "https://ozon.ru/p/2"),
    ("# Return\n> my words\n* one\n+ two", "Return\nmy words\n- one\n- two"),
    ("file_name_v2.pdf and 2*3*4", "file_name_v2.pdf and 2*3*4"),
    ("*really* ~~not~~ `code_here`", "really not code_here"),
    ("Price \\*50% off\\* &amp; more", "Price *50% off* & more"),
    ("a\n\n\n\nb\n---\nc", "a\n\nb\n\nc"),
])
def test_markdown_becomes_the_text_a_seller_reads(markdown, text):
    assert plain_text([markdown]) == text


def test_several_parts_are_lines_of_one_message():
    assert plain_text(["First", "**Second**", None]) == "First\nSecond"


def test_fbo_takes_a_reply_for_48_hours_after_the_buyers_last_message():
    window = reply_window("FBO", BUYER_WROTE, paid_at=BUYER_WROTE - timedelta(days=3))
    assert window.until == BUYER_WROTE + timedelta(hours=48)
    assert window.is_open(BUYER_WROTE + timedelta(hours=47)) and not window.is_open(BUYER_WROTE + timedelta(hours=49))


def test_fbs_is_open_from_payment_until_72_hours_after_delivery():
    paid = BUYER_WROTE - timedelta(days=5)
    assert reply_window("fbs", BUYER_WROTE, paid_at=paid).is_open(BUYER_WROTE + timedelta(days=30))
    delivered = BUYER_WROTE + timedelta(days=2)
    window = reply_window("rfbs", BUYER_WROTE, paid_at=paid, delivered_at=delivered)
    assert window.until == delivered + timedelta(hours=72)


def test_fbs_after_its_delivery_window_takes_replies_48_hours_after_the_buyer_wrote():
    delivered = BUYER_WROTE - timedelta(days=10)
    window = reply_window("FBS", BUYER_WROTE, paid_at=delivered - timedelta(days=3), delivered_at=delivered)
    assert window.until == BUYER_WROTE + timedelta(hours=48)


def test_an_unknown_scheme_gets_the_rule_every_scheme_shares_and_no_buyer_message_no_window():
    assert reply_window(None, BUYER_WROTE).until == BUYER_WROTE + timedelta(hours=48)
    assert not reply_window("fbo", None).is_open(BUYER_WROTE)


def test_the_thread_says_until_when_ozon_accepts_a_reply(app):
    from sellerkit.channels.ozon import reply_notice

    window = reply_window("fbo", BUYER_WROTE)
    with app.test_request_context():
        assert reply_notice(window, BUYER_WROTE, lambda moment: moment.strftime("%d.%m %H:%M")) == \
            "Ozon accepts a reply until 22.11 10:00."
        assert reply_notice(window, BUYER_WROTE + timedelta(days=3), str) == \
            "Ozon no longer accepts a reply in this chat."
