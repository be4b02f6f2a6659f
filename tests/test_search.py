"""Search as buyers and sellers type: identifiers find their conversation, and the ways of writing a word find it."""
import re
from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from sellerkit import inbox
from sellerkit.extensions import db as sqla
from sellerkit.shops.models import Shop
from sellerkit.threads import search
from sellerkit.threads.domain import Inbound
from sellerkit.threads.models import Thread
from sellerkit.tickets import services as tickets
from tests.conftest import NOW

#: The revision before threads had search rows of their own and terms were folded.
BEFORE_FOLDING = "f1c9a2e4b7d3"  # the revision the folding migration follows


@pytest.fixture
def shop(make_user, make_shop, auth):
    owner = make_user()
    shop_id = make_shop(owner)
    auth.login()
    return shop_id


@pytest.fixture
def deliver(app, shop):
    """Deliver a buyer message to the shop as the API does; returns the thread id."""
    def send(number, body, minutes=0, **extra):
        values = {"buyer_external_id": f"b-{number}", "buyer_name": f"Buyer {number}",
                  "thread_external_id": f"t-{number}", **extra}
        with app.app_context():
            received = inbox.receive_buyer_message(sqla.session.get(Shop, shop), Inbound(
                external_id=f"m-{number}-{minutes}", body=body, received_at=NOW + timedelta(minutes=minutes),
                **values), NOW)
            sqla.session.commit()
            return received.thread.id
    return send


def found(client, query, view="all"):
    page = client.get("/inbox", query_string={"view": view, "q": query}).get_data(as_text=True)
    return [int(i) for i in re.findall(r'href="/threads/(\d+)"', page)]


@pytest.fixture
def kate(deliver):
    """Kate's conversation about order DKC-558812, and another buyer's about another order."""
    wanted = deliver(1, "Hello, the parcel has not arrived yet.", buyer_name="Kate Morgan",
                     buyer_email="Emma@Example.com", buyer_external_id="dk-buyer-77031",
                     order_reference="DKC-558812", order={"tracking_number": "RR482105PL"})
    deliver(2, "Hello, the parcel has not arrived yet.", buyer_name="Olga Nowak", buyer_email="olga@example.org",
            buyer_external_id="dk-buyer-51002", order_reference="DKC-660417", order={"tracking_number": "RR990311PL"})
    return wanted


@pytest.mark.parametrize("query", ["DKC-558812", "dkc-558812", "558812", "DKC558812", "Kate", "kate morgan",
                                   "emma@example.com", "emma", "dk-buyer-77031", "77031", "RR482105PL"])
def test_order_number_buyer_and_tracking_find_their_conversation(client, kate, query):
    assert found(client, query) == [kate]


def test_an_order_number_finds_its_own_conversation_only(client, deliver):
    """The parts of "00-0012503" before the last were typed whole: "00" is not a prefix of "0012503" here."""
    wanted = deliver(1, "Where is my parcel?", order_reference="00-0012503")
    deliver(2, "Where is my parcel?", order_reference="01-0012503")
    assert found(client, "00-0012503") == [wanted]
    assert found(client, "00-00125") == [wanted]


def test_a_new_tracking_number_or_e_mail_address_is_found_once_a_message_brings_it(client, deliver, kate):
    assert found(client, "LX770012345CN") == [] and found(client, "kate.m@mail.example") == []
    deliver(3, "It shipped again?", minutes=5, buyer_name="Kate Morgan", buyer_email="kate.m@mail.example",
            buyer_external_id="dk-buyer-77031", order_reference="DKC-558812", thread_external_id="t-1",
            order={"tracking_number": "LX770012345CN"})
    assert found(client, "LX770012345CN") == [kate]
    assert found(client, "kate.m@mail.example") == [kate]
    assert found(client, "RR482105PL") == []  # the order's tracking number is the new one now


def test_ticket_numbers_find_their_conversation(app, client, kate):
    with app.app_context():
        thread = sqla.session.get(Thread, kate)
        ticket = tickets.escalate(sqla.session.get(Shop, thread.shop_id), thread, NOW)
        sqla.session.commit()
        number = ticket.number
        tickets.record_platform_ref(ticket, "CS-2026-88412", NOW)
        sqla.session.commit()
    assert found(client, number) == [kate]
    assert found(client, "CS-2026-88412") == [kate]


#: Messages and what a buyer or seller types to find them: the same word written another way.
FOLDED = [
    ("Здравствуйте! Ещё не пришла посылка", "еще"),
    ("Здравствуйте! Еще не пришла посылка", "ЕЩЁ"),
    ("Gdzie jest moje zamówienie? Czekam od tygodnia", "zamowienie"),
    ("Paczka przyszła do Łodzi", "lodzi"),
    ("سلام، سفارش من کی می‌رسه؟", "می رسه"),
    ("سلام، سفارش من کی می‌رسه؟", "میرسه"),
    ("سلام، سفارش من کی میرسه؟", "می‌رسه"),
    ("سلام، سفارش من کی می‌رسه؟", "كي"),
    ("لطفا پیگیری کنید", "پيگيري"),
    ("کد سفارش ۵۵۸۸۱۲ است", "558812"),
    ("کد سفارش 558812 است", "۵۵۸۸۱۲"),
    ("請問我的訂單什麼時候發貨？", "订单"),
    ("我的包裹还没到", "包裹還沒到"),
]


@pytest.mark.parametrize("body, query", FOLDED)
def test_a_word_is_found_however_it_is_written(client, deliver, body, query):
    wanted = deliver(1, body)
    deliver(2, "Thank you, everything arrived fine")
    assert found(client, query) == [wanted]


@pytest.mark.parametrize("body, query", FOLDED)
def test_checking_given_conversations_folds_as_the_index_does(app, deliver, body, query):
    """The inbox's two ways of asking (the view's next conversations one by one, every match of the index)."""
    wanted = deliver(1, body)
    deliver(2, "Thank you, everything arrived fine")
    with app.app_context():
        one_by_one = sqla.session.scalars(select(Thread.id).where(search.thread_has_match(query, Thread.id))).all()
        indexed = sqla.session.scalars(select(Thread.id).where(Thread.id.in_(search.matching_thread_ids(query)))).all()
    assert one_by_one == indexed == [wanted]


def test_tickets_are_found_however_a_word_is_written(app, client, kate):
    with app.app_context():
        thread = sqla.session.get(Thread, kate)
        ticket = tickets.escalate(sqla.session.get(Shop, thread.shop_id), thread, NOW)
        tickets.update_draft(ticket, "Zamówienie nie dotarło", "Kupująca czeka na przesyłkę od dwóch tygodni.",
                             ticket.topic_key, [], NOW)
        sqla.session.commit()
        number = ticket.number
    for query in ("zamowienie", "KUPUJACA", "przesylke"):
        assert number in client.get("/tickets", query_string={"q": query}).get_data(as_text=True), query


def _migrate(app, step, revision):
    with app.app_context():
        sqla.session.remove()
        step(revision=revision)
        sqla.engine.dispose()


def _indexed_rows(words):
    """How many rows of the search index hold all these (folded) words."""
    if sqla.engine.dialect.name == "sqlite":
        where = " AND ".join(f"(' ' || terms || ' ') LIKE :w{i}" for i in range(len(words)))
        values = {f"w{i}": f"% {word} %" for i, word in enumerate(words)}
    else:
        where = " AND ".join(f"document @@ to_tsquery('simple', :w{i})" for i in range(len(words)))
        values = {f"w{i}": word for i, word in enumerate(words)}
    return sqla.session.scalar(text(f"SELECT count(*) FROM {search.SEARCH_TABLE} WHERE {where}"), values)


def test_the_upgrade_indexes_existing_conversations_anew(app, client, deliver):
    """Conversations stored before: their words as they were indexed then (not folded), no row of their own."""
    wanted = deliver(1, "Gdzie jest moje zamówienie?", buyer_name="Kate Morgan", order_reference="DKC-558812")
    deliver(2, "Dziękuję, wszystko doszło")
    try:
        _migrate(app, downgrade, BEFORE_FOLDING)
        with app.app_context():
            if sqla.engine.dialect.name == "sqlite":
                sqla.session.execute(text(f"UPDATE {search.SEARCH_TABLE} SET terms = 'gdzie jest moje zamówienie' "
                                          "WHERE thread_id = :thread"), {"thread": wanted})
            else:
                sqla.session.execute(text(f"UPDATE {search.SEARCH_TABLE} SET document = "
                                          "array_to_tsvector(ARRAY['gdzie', 'jest', 'moje', 'zamówienie']) "
                                          "WHERE thread_id = :thread"), {"thread": wanted})
            sqla.session.commit()
            # Read from the index itself: today's pages read columns the old schema does not have.
            assert _indexed_rows(["zamowienie"]) == _indexed_rows(["dkc", "558812"]) == 0
    finally:
        _migrate(app, upgrade, "head")
    assert found(client, "zamowienie") == found(client, "DKC-558812") == found(client, "Kate") == [wanted]


@pytest.mark.parametrize("probe, reach", [(4, 4), (4, 40), (500, 5000)])
def test_search_pages_are_the_same_whichever_look_finds_them(app, deliver, monkeypatch, probe, reach):
    """A first look at the next `probe` conversations, a wider one up to `reach` for a word found there too seldom
    to fill a page, or every match: each page lists the matching conversations newest first, each once."""
    from sellerkit.threads import queries

    monkeypatch.setattr(queries, "SEARCH_PROBE", probe)
    monkeypatch.setattr(queries, "SEARCH_REACH", reach)
    matching = []
    for number in range(1, 31):
        refund = number % 5 == 0
        thread_id = deliver(number, "Can I get a refund? It came cracked" if refund else "Where is my parcel?",
                            minutes=number)
        if refund:
            matching.append(thread_id)
    seen, cursor = [], None
    with app.app_context():
        while True:
            page = queries.list_threads([1], "all", queries.InboxFilters(query="refund"), cursor=cursor, limit=2)
            seen.extend(thread.id for thread in page.threads)
            cursor = page.next_cursor
            if not cursor:
                break
    assert seen == list(reversed(matching))
