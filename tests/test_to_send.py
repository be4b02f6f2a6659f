"""The inbox as a shop that sends replies by hand sees it: "To send" until marked sent, rows in the buyer's words."""
import re
from datetime import timedelta

from sqlalchemy import select

from sellerkit import inbox
from sellerkit.extensions import db as sqla
from sellerkit.shops.models import Shop
from sellerkit.threads.domain import Inbound
from sellerkit.threads.models import Thread
from tests.conftest import NOW


def rows(client, view):
    """(thread id, text of its row) of an inbox view, in order."""
    page = client.get("/inbox", query_string={"view": view}).get_data(as_text=True)
    return [(int(thread_id), re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip())
            for thread_id, text in re.findall(r'<a href="/threads/(\d+)">(.*?)</a>\s*</li>', page, re.S)]


def test_a_reply_sent_by_hand_keeps_its_conversation_in_to_send_until_marked_sent(client, auth, make_user, make_shop,
                                                                                  make_conversation):
    owner = make_user()
    shop_id = make_shop(owner)
    ids = make_conversation(shop_id, owner)
    auth.login()
    ((thread_id, row),) = rows(client, "to_send")
    assert thread_id == ids["thread_id"]
    assert "Reply not sent yet" in row
    client.post(f"/outbox/{ids['item_id']}/sent")
    assert rows(client, "to_send") == []
    assert "Reply not sent yet" not in rows(client, "awaiting_buyer")[0][1]


def test_to_send_lists_the_oldest_unsent_reply_first_page_by_page(app, client, auth, make_user, make_shop):
    owner = make_user()
    shop_id = make_shop(owner)
    with app.app_context():
        from sellerkit.accounts.models import User

        shop, user = sqla.session.get(Shop, shop_id), sqla.session.get(User, owner)
        for number in range(3):
            received = inbox.receive_buyer_message(shop, Inbound(
                external_id=f"m{number}", body=f"Question {number}", received_at=NOW, buyer_external_id=f"b{number}"),
                NOW)
            inbox.send_reply(shop, received.thread, user, "Answer", NOW + timedelta(minutes=10 - number))
        sqla.session.commit()
        order = [t.id for t in sqla.session.scalars(select(Thread).order_by(Thread.unsent_reply_at))]
    auth.login()
    from sellerkit.threads import queries

    with app.app_context():
        first = queries.list_threads([shop_id], "to_send", queries.InboxFilters(), limit=2)
        second = queries.list_threads([shop_id], "to_send", queries.InboxFilters(), first.next_cursor, limit=2)
    assert [row.id for row in first.threads + second.threads] == order
    assert second.next_cursor is None


def test_the_row_shows_the_buyers_latest_words_and_a_title_from_their_first_message(app, client, auth, make_user,
                                                                                     make_shop):
    owner = make_user()
    shop_id = make_shop(owner)
    with app.app_context():
        from sellerkit.accounts.models import User

        shop = sqla.session.get(Shop, shop_id)
        first = inbox.receive_buyer_message(shop, Inbound(
            external_id="m1", body="Dzień dobry, czy ta lampa jest dostępna w kolorze zielonym?", received_at=NOW,
            buyer_external_id="b1", buyer_name="Kasia"), NOW)
        inbox.receive_buyer_message(shop, Inbound(
            external_id="m2", body="I jeszcze: ile kosztuje wysyłka do Gdańska?",
            received_at=NOW + timedelta(minutes=5),
            buyer_external_id="b1"), NOW)
        inbox.send_reply(shop, first.thread, sqla.session.get(User, owner), "Tak, jest dostępna. Wysyłka 15 zł.",
                         NOW + timedelta(minutes=20))
        sqla.session.commit()
    auth.login()
    ((_thread_id, row),) = rows(client, "all")
    assert row.count("ile kosztuje wysyłka do Gdańska?") == 1  # the buyer's latest words, not our reply
    assert "Wysyłka 15 zł" not in row
    assert "czy ta lampa jest dostępna w kolorze zielonym?" in row  # the title, from the first message


def test_an_auto_reply_is_never_the_rows_preview(app, client, auth, make_user, make_shop, make_vacation):
    owner = make_user()
    shop_id = make_shop(owner)
    make_vacation(shop_id, starts_at=NOW - timedelta(days=1), days=7,
                  bodies={"en": "Away until {vacation_return_date}."})
    with app.app_context():
        received = inbox.receive_buyer_message(sqla.session.get(Shop, shop_id), Inbound(
            external_id="m1", body="Is the blue mug back in stock?", received_at=NOW, buyer_external_id="b1",
            subject="Blue mug"), NOW)
        assert received.auto_reply is not None
        sqla.session.commit()
    auth.login()
    ((_thread_id, row),) = rows(client, "all")
    assert "Is the blue mug back in stock?" in row
    assert "Away until" not in row
