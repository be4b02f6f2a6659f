"""The inbox as a seller uses it: views, filters, search in every script, keyset pages, and a fixed query count."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from sellerkit import inbox
from sellerkit.extensions import db as sqla
from sellerkit.shops.models import Shop
from sellerkit.threads import search
from sellerkit.threads.domain import Inbound
from sellerkit.threads.models import Message, Thread
from tests.conftest import NOW


@pytest.fixture
def shop(make_user, make_shop, auth):
    owner = make_user()
    shop_id = make_shop(owner)
    auth.login()
    return {"id": shop_id, "owner": owner}


@pytest.fixture
def deliver(app, shop):
    """Deliver a buyer message to the shop, the way the API and importers do."""
    def send(number, body="Where is my order?", minutes=0, thread=None, buyer=None, **extra):
        with app.app_context():
            received = inbox.receive_buyer_message(sqla.session.get(Shop, shop["id"]), Inbound(
                external_id=f"m-{number}", body=body, received_at=NOW + timedelta(minutes=minutes),
                buyer_external_id=buyer or f"b-{number}", buyer_name=f"Buyer {number}",
                thread_external_id=thread or f"t-{number}", **extra), NOW)
            sqla.session.commit()
            return received.thread.id
    return send


def thread_ids(page):
    return [int(i) for i in re.findall(r'href="/threads/(\d+)"', page)]


def test_needs_reply_lists_the_oldest_waiting_first(client, deliver):
    late = deliver(1, minutes=30)
    early = deliver(2, minutes=5)
    page = client.get("/inbox").get_data(as_text=True)
    assert thread_ids(page) == [early, late]
    assert "waiting" in page


def test_a_reply_moves_the_thread_to_awaiting_buyer(client, deliver):
    thread = deliver(1)
    assert client.post(f"/threads/{thread}/reply", data={"body": "It ships today."}).status_code == 302
    assert thread_ids(client.get("/inbox").get_data(as_text=True)) == []
    assert thread_ids(client.get("/inbox?view=awaiting_buyer").get_data(as_text=True)) == [thread]
    deliver(2, thread="t-1", buyer="b-1", minutes=60)
    assert thread_ids(client.get("/inbox").get_data(as_text=True)) == [thread]


def test_after_a_reply_the_seller_is_told_what_happens_next(app, client, deliver, shop):
    thread = deliver(1)
    page = client.post(f"/threads/{thread}/reply", data={"body": "It ships today."}, follow_redirects=True)
    assert "Copy it to the platform, then mark it as sent." in page.get_data(as_text=True)
    with app.app_context():
        sqla.session.get(Shop, shop["id"]).reply_transport = "email"
        sqla.session.commit()
    page = client.post(f"/threads/{thread}/reply", data={"body": "Tracking follows."}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "Your reply is saved and on its way." in text and "Copy it to the platform" not in text


def test_resolve_dispute_and_labels_from_the_thread_page(client, deliver):
    thread = deliver(1)
    client.post(f"/threads/{thread}/settings", data={"is_dispute": "yes"})
    client.post(f"/threads/{thread}/settings", data={"labels": "Shipping， urgent、退款"})
    assert thread_ids(client.get("/inbox?view=disputes").get_data(as_text=True)) == [thread]
    assert thread_ids(client.get("/inbox?view=all&label=urgent").get_data(as_text=True)) == [thread]
    client.post(f"/threads/{thread}/settings", data={"status": "resolved"})
    assert thread_ids(client.get("/inbox?view=resolved").get_data(as_text=True)) == [thread]
    assert thread_ids(client.get("/inbox?view=disputes").get_data(as_text=True)) == []
    history = client.get(f"/threads/{thread}").get_data(as_text=True)
    assert thread_ids(client.get("/inbox?view=all&label=退款").get_data(as_text=True)) == [thread]
    for text in ("Marked as dispute", "Labels changed", "Status changed"):
        assert text in history
    # The settings form shows what the thread is now, each choice written once and escaped.
    selects = dict(re.findall(r'<select id="([\w-]+)"[^>]*>(.*?)</select>', history, re.DOTALL))
    selected = {name: re.findall(r'<option selected value="([^"]*)">', options) for name, options in selects.items()}
    assert selected == {"topic": [], "status": ["resolved"], "is_dispute": ["yes"], "assignee_id": [""],
                        "language": ["en"], "footer-locale": []}  # the footer marks its language its own way


def test_each_row_shows_its_own_labels_in_order(client, deliver):
    labelled, other, plain = deliver(1), deliver(2), deliver(3)
    client.post(f"/threads/{labelled}/settings", data={"labels": "urgent, Courier, 退款"})
    client.post(f"/threads/{other}/settings", data={"labels": "gift wrap"})
    page = client.get("/inbox?view=all").get_data(as_text=True)
    rows = dict(re.findall(r'<a href="/threads/(\d+)">(.*?)</a>\s*</li>', page, re.DOTALL))
    shown = {int(key): re.findall(r'<span class="badge label"><bdi>([^<]*)</bdi></span>', row)
             for key, row in rows.items()}
    assert shown == {labelled: ["courier", "urgent", "退款"], other: ["gift wrap"], plain: []}


@pytest.mark.parametrize("body, query", [
    ("我的包裹在哪里？已经十天了", "包裹"),
    ("سفارش من هنوز نرسیده است", "نرسیده"),
    ("আমার অর্ডার এখনও আসেনি", "অর্ডার"),
    ("Здравствуйте, где мой заказ?", "заказ"),
    ("Здравствуйте, где мой заказ?", "зака"),
    ("Gdzie jest moja paczka?", "PACZKA"),
    ("می‌خواهم سفارشم را لغو کنم", "میخواهم"),
])
def test_search_finds_words_in_every_script(client, deliver, body, query):
    wanted = deliver(1, body=body)
    deliver(2, body="Thank you, everything arrived fine")
    page = client.get("/inbox", query_string={"view": "all", "q": query}).get_data(as_text=True)
    assert thread_ids(page) == [wanted]


def test_search_finds_the_subject_too(client, deliver):
    wanted = deliver(1, body="hello", subject="Broken vase")
    assert thread_ids(client.get("/inbox?view=all&q=vase").get_data(as_text=True)) == [wanted]


def test_a_deleted_message_is_no_longer_found(app, client, deliver):
    kept = deliver(1, body="The parcel with the teapot")
    dropped = deliver(2, body="Another teapot, cracked")
    assert sorted(thread_ids(client.get("/inbox?view=all&q=teapot").get_data(as_text=True))) == sorted([kept, dropped])
    with app.app_context():
        # Deleting the conversation deletes its messages, and with them their search terms.
        sqla.session.delete(sqla.session.get(Thread, dropped))
        sqla.session.commit()
        assert sqla.session.scalar(select(Message.id).where(Message.thread_id == dropped)) is None
        # The index itself forgot them, not only the page (which would hide a thread that no longer exists).
        assert sqla.session.execute(search.matching_thread_ids("cracked")).all() == []
        assert sqla.session.scalars(search.matching_thread_ids("teapot")).all() == [kept]
    assert thread_ids(client.get("/inbox?view=all&q=teapot").get_data(as_text=True)) == [kept]


def test_search_with_no_match_says_so(client, deliver):
    deliver(1)
    page = client.get("/inbox?view=all&q=zebra").get_data(as_text=True)
    assert "No conversation matches your search." in page


def test_keyset_pages_cover_every_thread_once(app, client, deliver):
    created = [deliver(number, minutes=number) for number in range(1, 8)]
    seen, url = [], "/inbox?view=all"
    with app.app_context():
        from sellerkit.threads import queries

        page = queries.list_threads([1], "all", queries.InboxFilters(), limit=3)
        while True:
            seen.extend(t.id for t in page.threads)
            if not page.next_cursor:
                break
            page = queries.list_threads([1], "all", queries.InboxFilters(), cursor=page.next_cursor, limit=3)
    assert seen == list(reversed(created))
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("view", ["needs_reply", "all"])
def test_keyset_pages_across_shops_list_every_thread_once_in_order(app, shop, make_shop, view):
    """Each shop's first threads come from its own index and are merged; ties in time are ordered by id."""
    second = make_shop(shop["owner"], name="Second shop", platform="ozon")
    expected = []
    with app.app_context():
        for number in range(12):
            shop_id = (shop["id"], second)[number % 2]
            minutes = number // 3  # three messages share each minute, across both shops
            received = inbox.receive_buyer_message(sqla.session.get(Shop, shop_id), Inbound(
                external_id=f"x-{number}", body="Where is my order?", received_at=NOW + timedelta(minutes=minutes),
                buyer_external_id=f"xb-{number}", thread_external_id=f"xt-{number}"), NOW)
            sqla.session.commit()
            expected.append((minutes, received.thread.id))
        from sellerkit.threads import queries

        seen, cursor = [], None
        while True:
            page = queries.list_threads([shop["id"], second], view, queries.InboxFilters(), cursor=cursor, limit=5)
            seen.extend(thread.id for thread in page.threads)
            cursor = page.next_cursor
            if not cursor:
                break
    order = sorted(expected, reverse=view == "all")
    assert seen == [thread_id for _minutes, thread_id in order]


@pytest.mark.parametrize("probe", [500, 4])
def test_search_pages_list_every_match_newest_first_once(app, deliver, monkeypatch, probe):
    """A search first looks for a page of matches among the view's next `probe` conversations; with many
    (500) it finds the page there, with few (4) it falls back to every match. Either way the pages are the
    same: every matching conversation once, newest first."""
    from sellerkit.threads import queries

    monkeypatch.setattr(queries, "SEARCH_PROBE", probe)
    matching = []
    for number in range(1, 16):
        body = "Is the parcel on its way?" if number % 4 else "Thank you, all good"
        thread_id = deliver(number, body=body, minutes=number)
        if number % 4:
            matching.append(thread_id)
    seen, cursor = [], None
    with app.app_context():
        while True:
            page = queries.list_threads([1], "all", queries.InboxFilters(query="parcel"), cursor=cursor, limit=3)
            assert len(page.threads) <= 3
            seen.extend(thread.id for thread in page.threads)
            cursor = page.next_cursor
            if not cursor:
                break
    assert seen == list(reversed(matching))


#: Conversations (their messages) and what searching them must find, by both of search's ways of asking.
SEARCHED = (("Where is my ORDER?", "It is late"), ("Order number 7 is late",), ("The disorder of my parcel",),
            ("Мой заказ не пришёл",), ("我的包裹在哪里",), ("پيگيري سفارش",), ("পার্সেল কোথায়?",))
FOUND = {"order": [0, 1], "ord": [0, 1], "rder": [], "order late": [1], "late order": [1], "ЗАКАЗ": [3],
         "заказ пр": [3], "包裹": [4], "裹在": [4], "包": [4], "在包": [], "پیگیری": [5], "سفار": [5],
         "পার্সেল": [6], "পার": [6], "parcel disorder": [2], "7": [1]}


def test_checking_given_conversations_finds_what_the_index_finds(app, deliver):
    """The inbox checks the view's next conversations one by one (thread_has_match) and falls back to every match
    of the index (matching_thread_ids): both find a word typed as a prefix, a Chinese pair, folded Persian, and
    words together only in one message."""
    conversations = []
    for number, messages in enumerate(SEARCHED):
        for index, body in enumerate(messages):
            thread = deliver(f"{number}-{index}", body=body, thread=f"t-{number}", buyer=f"b-{number}")
        conversations.append(thread)
    with app.app_context():
        for query, expected in FOUND.items():
            one_by_one = sqla.session.scalars(
                select(Thread.id).where(search.thread_has_match(query, Thread.id)).order_by(Thread.id)).all()
            indexed = sqla.session.scalars(
                select(Thread.id).where(Thread.id.in_(search.matching_thread_ids(query))).order_by(Thread.id)).all()
            assert (query, one_by_one) == (query, indexed) == (query, [conversations[i] for i in expected])


def test_compacting_the_search_index_finds_the_same_conversations(app, client, deliver):
    from sellerkit import jobs

    with app.app_context():
        # Earlier tests leave the index in any shape (their writes, FTS5's own automerge): start from a compact one.
        while jobs.compact_search_indexes():
            pass
    for number in range(1, 13):  # each delivery commits on its own, so the index grows a b-tree each time
        deliver(number, body=f"Parcel number {number} is late" if number % 3 else "All good, thanks")
    before = thread_ids(client.get("/inbox?view=all&q=parcel").get_data(as_text=True))
    with app.app_context():
        merged = jobs.compact_search_indexes()
        again = jobs.compact_search_indexes()
        sqlite = sqla.engine.dialect.name == "sqlite"
    assert (merged > 0, again) == (sqlite, 0)  # PostgreSQL has nothing to compact
    assert len(before) == 8
    assert thread_ids(client.get("/inbox?view=all&q=parcel").get_data(as_text=True)) == before


def count_statements(app, url, client):
    with app.app_context():
        engine = sqla.engine
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_inbox_and_thread_cost_the_same_queries_with_more_rows(app, client, deliver):
    first = deliver(1)
    client.post(f"/threads/{first}/note", data={"note-body": "First note."})
    client.post(f"/threads/{first}/settings", data={"labels": "a"})
    client.post(f"/threads/{first}/reply", data={"body": "First reply."})
    few_inbox = count_statements(app, "/inbox?view=all", client)
    few_thread = count_statements(app, f"/threads/{first}", client)
    for number in range(2, 25):
        deliver(number, thread="t-1", buyer="b-1", minutes=number)
        deliver(100 + number, minutes=number)
        client.post(f"/threads/{first}/note", data={"note-body": f"Checked with the courier ({number})."})
        client.post(f"/threads/{first}/reply", data={"body": f"Reply {number}."})
    client.post(f"/threads/{first}/settings", data={"labels": "a, b, c"})
    assert count_statements(app, "/inbox?view=all", client) == few_inbox
    assert count_statements(app, f"/threads/{first}", client) == few_thread


def test_buyer_text_is_escaped_and_marked_for_mixed_scripts(client, deliver):
    thread = deliver(1, body='<script>alert("x")</script> سلام order #12', subject="<b>bold</b>")
    page = client.get(f"/threads/{thread}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<b>bold</b>" not in page
    assert re.search(r'<div class="body" dir="auto"[^>]*>&lt;script', page)


def test_notes_are_set_apart_and_never_queued_for_the_buyer(client, deliver, db):
    from sellerkit.outbox.models import OutboxItem

    thread = deliver(1)
    client.post(f"/threads/{thread}/note", data={"note-body": "Buyer called, refund agreed."})
    page = client.get(f"/threads/{thread}").get_data(as_text=True)
    assert 'class="message message-internal"' in page and "Buyer called" in page
    assert db.count(OutboxItem) == 0


def test_seller_pastes_a_buyer_message_into_a_thread(client, deliver, db):
    from sellerkit.threads.models import Message

    thread = deliver(1)
    response = client.post(f"/threads/{thread}/pasted", data={"pasted-body": "Also, can you gift wrap it?",
                                                              "pasted-received_at": "2026-11-23T14:05"})
    assert response.status_code == 302
    bodies = [m.body for m in db.scalars(select(Message).order_by(Message.id))]
    assert bodies[-1] == "Also, can you gift wrap it?"


def test_new_conversation_by_hand(client, shop):
    response = client.post(f"/shops/{shop['id']}/threads/new", data={"buyer_name": "Olga",
                                                         "body": "Привет! Есть в наличии?",
                                                         "language": "ru", "subject": "", "buyer_id": "",
                                                         "order_reference": ""})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Olga" in page and "Есть в наличии" in page


def test_reply_form_refuses_an_empty_reply(client, deliver):
    thread = deliver(1)
    response = client.post(f"/threads/{thread}/reply", data={"body": "   "})
    assert response.status_code == 422 and "This field is required." in response.get_data(as_text=True)


def test_manual_reply_can_be_copied_and_marked_sent(client, deliver, db):
    from sellerkit.outbox.models import OutboxItem

    thread = deliver(1)
    client.post(f"/threads/{thread}/reply", data={"body": "Tracking: RR123"})
    page = client.get(f"/threads/{thread}").get_data(as_text=True)
    assert "Copy text" in page and "Waiting to be sent" in page
    item = db.scalar(select(OutboxItem))
    assert item.transport == "manual" and item.due_at is None
    client.post(f"/outbox/{item.id}/sent")
    assert db.get(OutboxItem, item.id).status == "sent"
    assert "Copy text" not in client.get(f"/threads/{thread}").get_data(as_text=True)


def test_a_batch_stores_each_message_once_and_a_refused_one_keeps_the_others(app, shop):
    with app.app_context():
        the_shop = sqla.session.get(Shop, shop["id"])
        batch = [Inbound("m-1", "Where is my parcel?", NOW, buyer_external_id="b1", buyer_name="Ann"),
                 Inbound("m-2", "   ", NOW, buyer_external_id="b2"),
                 Inbound("m-1", "Where is my parcel?", NOW, buyer_external_id="b1"),
                 Inbound("m-3", "And the invoice?", NOW + timedelta(minutes=1), buyer_external_id="b1")]
        results = inbox.receive_buyer_messages(the_shop, batch, NOW)
        sqla.session.commit()
        assert [r.status for r in results] == ["created", "refused", "duplicate", "created"]
        assert results[1].error.field == "body"
        assert results[0].received.thread.id == results[3].received.thread.id
        stored = sqla.session.scalars(select(Message.external_id).where(Message.shop_id == shop["id"])
                                      .order_by(Message.id)).all()
        assert stored == ["m-1", "m-3"]
