"""Suggested replies: learned from the seller's own answers, sinking when ignored, scoped, in the buyer's language."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from sellerkit import inbox
from sellerkit.accounts.models import User
from sellerkit.extensions import db as _db
from sellerkit.replies.models import SavedReply
from sellerkit.shops.models import Shop
from sellerkit.suggestions import domain
from sellerkit.suggestions import services as suggestions
from sellerkit.suggestions.models import AnsweredMessage
from sellerkit.threads.domain import Inbound
from sellerkit.threads.textsearch import terms
from tests.conftest import NOW
from tests.test_api import make_token

SHIPPING = {"en": "Hi {buyer_name|there}, your parcel is on its way: {tracking_number|tracking follows}.",
            "ru": "Здравствуйте, {buyer_name|}! Посылка уже в пути."}
REFUND = {"en": "We are sorry. Send us a photo and we will refund you."}


# Pure ranking -------------------------------------------------------------------------------------------------

def doc(reply_id, text):
    return domain.Document(reply_id, tuple(terms(text)))


def test_the_buyer_messages_a_reply_answered_bring_it_first():
    index = domain.Index([doc(1, "Tracking"), doc(1, "where is my parcel"), doc(1, "parcel not arrived yet"),
                          doc(2, "Damaged item"), doc(2, "the mug came broken")])
    assert [s.reply_id for s in domain.rank(index, terms("my parcel still not arrived"), {1, 2})][:1] == [1]


def test_a_reply_without_history_is_found_by_its_title_and_text():
    index = domain.Index([doc(1, "where is my parcel"), doc(2, "Refund policy: money back in 14 days")])
    assert domain.rank(index, terms("i want my money back"), {1, 2})[0].reply_id == 2


def test_word_forms_and_typos_meet_through_their_letters():
    index = domain.Index([doc(1, "где моя посылка"), doc(2, "хочу вернуть деньги")])
    assert domain.rank(index, terms("посылку так и не получила"), {1, 2})[0].reply_id == 1
    index = domain.Index([doc(1, "where is my parcel"), doc(2, "refund my money")])
    assert domain.rank(index, terms("parcle"), {1, 2})[0].reply_id == 1


def test_an_ignored_suggestion_sinks_below_an_equal_one():
    index = domain.Index([doc(1, "parcel late"), doc(2, "parcel late")])
    assert domain.rank(index, terms("parcel late"), {1, 2}, {1: (5, 0)})[0].reply_id == 2
    assert domain.acceptance(0, 0) == 1.0
    assert domain.acceptance(10, 10) == 1.0
    assert domain.acceptance(5, 0) < domain.acceptance(1, 0) < 1.0


def test_only_allowed_replies_are_suggested():
    index = domain.Index([doc(1, "where is my parcel"), doc(2, "where is my parcel")])
    assert [s.reply_id for s in domain.rank(index, terms("parcel"), {2})] == [2]


def test_the_matched_words_are_the_buyers_own():
    index = domain.Index([doc(1, "where is my parcel"), doc(2, "我的包裹在哪里")])
    words = "Parcel?? where"
    found = domain.rank(index, terms(words), {1})[0]
    assert domain.matched_words([(w, terms(w)) for w in words.split()], found.matched) == ["Parcel", "where"]
    chinese = "包裹还没到"
    found = domain.rank(index, terms(chinese), {2})[0]
    assert domain.matched_words([(chinese, terms(chinese))], found.matched) == ["包裹"]


# Services: learning from replies the seller sends ----------------------------------------------------------------

@pytest.fixture
def seller(app, make_user, make_shop, make_saved_reply):
    owner = make_user(name="Ana")
    shop_id = make_shop(owner)
    ids = {"owner": owner, "shop": shop_id,
           "shipping": make_saved_reply(shop_id, title="Tracking", bodies=SHIPPING),
           "refund": make_saved_reply(shop_id, title="Damaged item", bodies=REFUND)}
    return ids


@pytest.fixture
def ctx(app):
    """An app context for service calls; page and API tests make their requests outside it."""
    with app.app_context():
        yield


def receive(shop_id, text, number, language="en", minutes=0):
    shop = _db.session.get(Shop, shop_id)
    received = inbox.receive_buyer_message(shop, Inbound(
        external_id=f"m-{number}", body=text, received_at=NOW + timedelta(minutes=minutes),
        buyer_external_id=f"b-{number}", buyer_name="Maryam", buyer_language=language), NOW)
    _db.session.commit()
    return received.thread


def answer(shop_id, user_id, thread, reply_ids, body="Done.", shown=()):
    inbox.send_reply(_db.session.get(Shop, shop_id), thread, _db.session.get(User, user_id), body, NOW,
                     saved_reply_ids=[str(i) for i in reply_ids], suggested_reply_ids=[str(i) for i in shown])
    _db.session.commit()


def suggested_ids(thread, user_id):
    return [item.reply_id for item, _reply in suggestions.suggest_for_thread(thread, _db.session.get(User, user_id))[1]]


def test_a_sent_saved_reply_is_learned_for_the_next_similar_message(seller, ctx):
    owner, shop = seller["owner"], seller["shop"]
    first = receive(shop, "hello, the parcel hasnt come, any news??", 1)
    answer(shop, owner, first, [seller["refund"]])  # this seller answers late parcels with a refund
    second = receive(shop, "parcel still hasnt come", 2)
    assert suggested_ids(second, owner)[0] == seller["refund"]
    stored = _db.session.scalars(select(AnsweredMessage)).all()
    assert [(a.saved_reply_id, a.buyer_text) for a in stored] == [
        (seller["refund"], "hello, the parcel hasnt come, any news??")]


def test_without_history_the_replies_own_text_is_matched(seller, ctx):
    thread = receive(seller["shop"], "the mug arrived damaged, can i get a refund", 1)
    assert suggested_ids(thread, seller["owner"])[0] == seller["refund"]


def test_a_suggestion_the_seller_keeps_ignoring_sinks(seller, ctx):
    owner, shop = seller["owner"], seller["shop"]
    first = receive(shop, "where is my parcel, tracking please", 0)
    answer(shop, owner, first, [seller["shipping"]], shown=suggested_ids(first, owner))
    for number in range(1, 6):  # the same question, answered by hand every time
        thread = receive(shop, "where is my parcel", number, minutes=number)
        shown = suggested_ids(thread, owner)
        assert shown[0] == seller["shipping"] or number > 1
        answer(shop, owner, thread, [], body="It left today, here is the link.", shown=shown)
    thread = receive(shop, "where is my parcel", 9, minutes=9)
    found = suggestions.suggest_for_thread(thread, _db.session.get(User, owner))[1]
    scores = {item.reply_id: item.score for item, _reply in found}
    fresh = domain.rank(suggestions.shop_index(shop).index, terms("where is my parcel"), {seller["shipping"]})[0].score
    assert scores[seller["shipping"]] < fresh * 0.6  # suggested six times, taken once


def test_another_members_personal_reply_and_other_shops_are_never_suggested(seller, ctx, make_user, make_shop,
                                                                              add_member, make_saved_reply):
    owner, shop = seller["owner"], seller["shop"]
    agent = make_user("agent@example.com", name="Bo")
    add_member(shop, agent)
    personal = make_saved_reply(shop, title="Refund damaged broken")
    _db.session.get(SavedReply, personal).owner_id = agent
    _db.session.commit()
    other_shop = make_shop(make_user("other@example.com"), name="Other")
    make_saved_reply(other_shop, title="Refund broken damaged", bodies={"en": "refund broken damaged mug"})
    thread = receive(shop, "mug broken and damaged, refund?", 1)
    assert personal not in suggested_ids(thread, owner)
    assert suggested_ids(thread, agent)[0] == personal
    assert set(suggested_ids(thread, owner)) <= {seller["shipping"], seller["refund"]}


# Pages and API ---------------------------------------------------------------------------------------------------

@pytest.fixture
def russian_thread(app, seller, auth):
    with app.app_context():
        thread_id = receive(seller["shop"], "где моя посылка? трек номер", 1, language="ru").id
    auth.login()
    return thread_id


def test_the_composer_shows_the_suggestion_filled_in_in_the_buyers_language(client, seller, russian_thread):
    page = client.get(f"/threads/{russian_thread}").get_data(as_text=True)
    assert "Suggested replies" in page
    link = re.search(r'<a [^>]*data-suggestion="1"[^>]*>(.*?)</a>', page, re.S)
    assert 'data-text="Здравствуйте, Maryam! Посылка уже в пути."' in link.group(0)
    assert "matched: посылка" in link.group(1)


def test_without_javascript_a_suggestion_link_starts_the_reply_with_it(client, seller, russian_thread):
    page = client.get(f"/threads/{russian_thread}?use={seller['shipping']}").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="body"[^>]*>\s*Здравствуйте, Maryam! Посылка уже в пути.</textarea>', page)
    assert re.search(rf'name="saved_reply_ids"[^>]*value="{seller["shipping"]}"|value="{seller["shipping"]}"[^>]*'
                     r'name="saved_reply_ids"', page)


def test_the_api_answers_the_suggestions_scoped_like_the_thread(client, auth, seller, russian_thread, make_user,
                                                                 make_shop):
    headers = make_token(client, auth)
    answer_json = client.get(f"/api/v1/threads/{russian_thread}/suggestions", headers=headers).get_json()
    first = answer_json["suggestions"][0]
    assert first["saved_reply_id"] == seller["shipping"]
    assert first["language"] == "ru"
    assert first["text"] == "Здравствуйте, Maryam! Посылка уже в пути."
    assert "посылка" in first["matched"]
    stranger = make_user("stranger@example.com")
    make_shop(stranger, name="Elsewhere")
    auth.logout()
    auth.login("stranger@example.com")
    assert client.get(f"/api/v1/threads/{russian_thread}/suggestions",
                      headers=make_token(client, auth)).status_code == 404


def test_a_reply_sent_from_the_page_counts_the_suggestions_it_passed_over(client, db, seller, russian_thread):
    from sellerkit.suggestions.models import SuggestionFeedback

    page = client.get(f"/threads/{russian_thread}").get_data(as_text=True)
    shown = re.search(r'<input[^>]*name="suggested_reply_ids"[^>]*>', page).group(0)
    assert f'value="{seller["shipping"]}' in shown
    response = client.post(f"/threads/{russian_thread}/reply", data={
        "body": "Отправили вчера.", "saved_reply_ids": "", "suggested_reply_ids": str(seller["shipping"])})
    assert response.status_code == 302
    counted = db.scalars(select(SuggestionFeedback))
    assert [(row.saved_reply_id, row.shown_count, row.taken_count) for row in counted] == [(seller["shipping"], 1, 0)]


def test_a_change_made_by_another_process_is_seen_by_the_next_suggestion(app, db, seller):
    with app.app_context():
        thread = receive(seller["shop"], "can i pay by invoice for my company", 1)
        assert suggested_ids(thread, seller["owner"])[:1] != [seller["refund"]]  # and the index is now cached

    def retitle(session):  # as another worker would: straight to the database, past this process's cache
        reply = session.get(SavedReply, seller["refund"])
        reply.title, reply.updated_at = "Invoice for your company", NOW + timedelta(seconds=1)
    db.update(retitle)
    with app.app_context():
        assert suggested_ids(_db.session.get(type(thread), thread.id), seller["owner"])[0] == seller["refund"]


def test_new_history_added_to_a_cached_index_ranks_as_a_fresh_index_would(app, seller, ctx):
    owner, shop = seller["owner"], seller["shop"]
    answer(shop, owner, receive(shop, "parcel never arrived", 1), [seller["refund"]])
    cached = suggestions.shop_index(shop).index
    answer(shop, owner, receive(shop, "mug broken in the box", 2, minutes=1), [seller["refund"]])
    answer(shop, owner, receive(shop, "tracking says delivered but nothing", 3, minutes=2), [seller["shipping"]])
    grown = suggestions.shop_index(shop).index
    assert grown is not cached
    app.extensions.pop("sellerkit.suggestion_indexes")  # as a process that starts now would build it
    fresh = suggestions.shop_index(shop).index
    question = terms("the box came broken and tracking says delivered")
    assert domain.rank(grown, question, {1, 2}) == domain.rank(fresh, question, {1, 2})
    assert grown.merged == fresh.merged
