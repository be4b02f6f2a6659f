"""Saved replies as a seller uses them: write once in several languages, insert filled in, counted when sent."""
import io
import json
import re
from datetime import UTC

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from sellerkit.replies.models import SavedReply


@pytest.fixture
def shop(auth, make_user, make_shop, make_conversation):
    owner = make_user(name="Ana")
    shop_id = make_shop(owner, name="Amber Studio")
    ids = make_conversation(shop_id, owner)
    auth.login()
    return {"id": shop_id, **ids}


def form(title="Shipping time", shortcut="ship", folder="Shipping", **bodies):
    data = {"title": title, "shortcut": shortcut, "folder": folder}
    data.update({f"body_{language}": text for language, text in bodies.items()})
    return data


def test_create_a_reply_in_two_languages_and_find_it_in_the_list(client, db, shop):
    response = client.post(f"/shops/{shop['id']}/replies/new", data=form(
        en="Hi {buyer_name|there}, it ships within 2 days.", pl="Cześć {buyer_name|}, wysyłka w 2 dni."))
    assert response.status_code == 302
    reply = db.scalar(select(SavedReply).options(selectinload(SavedReply.variants)))
    assert reply.bodies == {"en": "Hi {buyer_name|there}, it ships within 2 days.",
                            "pl": "Cześć {buyer_name|}, wysyłka w 2 dni."}
    page = client.get(f"/shops/{shop['id']}/replies?q=wysyłka").get_data(as_text=True)
    assert "Shipping time" in page and "/ship" in page


@pytest.mark.parametrize("data, message", [
    (form(title="", en="x"), "This field is required."),
    (form(en=""), "This field is required."),
    (form(en="Your code: {coupon_code}"), "Unknown placeholder: coupon_code."),
    (form(shortcut="two words", en="x"), "Use letters, digits and - only"),
    (form(en="x" * 10_001), "This text is too long."),
])
def test_bad_replies_are_refused_with_a_clear_message(client, db, shop, data, message):
    response = client.post(f"/shops/{shop['id']}/replies/new", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.count(SavedReply) == 0


def test_a_shortcut_is_unique_in_the_shop(client, db, shop, make_saved_reply):
    make_saved_reply(shop["id"], shortcut="ship")
    response = client.post(f"/shops/{shop['id']}/replies/new", data=form(en="Other text"))
    assert response.status_code == 422 and "already uses the shortcut /ship" in response.get_data(as_text=True)
    assert db.count(SavedReply) == 1


def test_the_composer_offers_the_reply_filled_in_for_the_buyer(client, shop, make_saved_reply):
    make_saved_reply(shop["id"], title="Thanks", shortcut="thx", bodies={
        "en": "Thank you {buyer_name}! Order {order_reference} — {shop_name}. {return_window}"})
    page = client.get(f"/threads/{shop['thread_id']}").get_data(as_text=True)
    # The page only says where its picker loads from (it shows suggested replies, never the whole list); the
    # replies come filled in for this buyer.
    assert f'data-picker="/threads/{shop["thread_id"]}/saved-replies"' in page and "data-shortcut=" not in page
    page = client.get(f"/threads/{shop['thread_id']}/saved-replies").get_data(as_text=True)
    button = re.search(r'<button[^>]*data-insert-reply="\d+"[^>]*>', page).group(0)
    assert "Thank you Maryam! Order ORD-" in button and "Amber Studio" in button
    assert 'data-shortcut="thx"' in button
    assert "Left empty (no value): return_window" in page


def test_a_shop_without_saved_replies_offers_to_write_one(client, shop):
    page = client.get(f"/threads/{shop['thread_id']}/saved-replies").get_data(as_text=True)
    assert "No saved replies yet." in page and f'href="/shops/{shop["id"]}/replies/new"' in page


def test_the_picker_of_another_shops_conversation_is_not_found(client, shop, make_user, make_shop,
                                                                make_conversation, auth):
    stranger = make_user("stranger@example.com")
    other_thread = make_conversation(make_shop(stranger), stranger, external_id="other-1")["thread_id"]
    assert client.get(f"/threads/{other_thread}/saved-replies").status_code == 404


def test_the_buyers_language_wins_and_the_seller_sees_when_it_cannot(client, db, shop, make_saved_reply):
    make_saved_reply(shop["id"], title="Greeting", bodies={"pl": "Dzień dobry!", "fa": "سلام!"})
    client.post(f"/threads/{shop['thread_id']}/settings", data={"language": "fa"})
    page = client.get(f"/threads/{shop['thread_id']}/saved-replies").get_data(as_text=True)
    assert 'data-text="سلام!"' in page and "No version in the buyer" not in page
    client.post(f"/threads/{shop['thread_id']}/settings", data={"language": "de"})  # neither German nor English
    page = client.get(f"/threads/{shop['thread_id']}/saved-replies").get_data(as_text=True)
    assert 'data-text="سلام!"' in page and "No version in the buyer" in page


def test_usage_is_counted_when_the_message_is_sent(client, db, shop, make_saved_reply):
    reply_id = make_saved_reply(shop["id"])
    client.post(f"/threads/{shop['thread_id']}/reply", data={"body": "Hi Maryam, it ships in 2 days.",
                                                             "saved_reply_ids": f"{reply_id},{reply_id},999"})
    saved = db.get(SavedReply, reply_id)
    assert saved.usage_count == 1 and saved.last_used_at is not None


def test_a_reply_with_saved_reply_ids_that_are_no_ids_is_still_sent(client, db, shop, make_saved_reply):
    """The composer's hidden field is the browser's to send: a superscript digit or a number past any id is no
    saved reply, and the reply goes out with the real one counted."""
    reply_id = make_saved_reply(shop["id"])
    answer = client.post(f"/threads/{shop['thread_id']}/reply", data={
        "body": "Hi Maryam, it ships in 2 days.", "saved_reply_ids": f"\u00b2,{2**31},{'9' * 5000},{reply_id}"})
    assert answer.status_code == 302
    assert db.get(SavedReply, reply_id).usage_count == 1


def test_agents_keep_personal_replies_that_nobody_else_sees(app, client, db, shop, make_user, add_member):
    add_member(shop["id"], make_user("agent@example.com"))
    agent = app.test_client()
    agent.post("/login", data={"email": "agent@example.com", "password": "correct horse battery"})
    shared = agent.post(f"/shops/{shop['id']}/replies/new", data=form(en="Shared?"))
    assert shared.status_code == 403
    personal = agent.post(f"/shops/{shop['id']}/replies/new", data={**form(en="My own words"), "personal": "y"})
    assert personal.status_code == 302
    reply_id = db.scalar(select(SavedReply.id))
    assert "My own words" not in client.get(f"/shops/{shop['id']}/replies").get_data(as_text=True)
    assert client.get(f"/replies/{reply_id}/edit").status_code == 404


def test_export_then_import_into_another_shop(client, db, shop, make_shop, make_saved_reply):
    make_saved_reply(shop["id"], title="Thanks", shortcut="thx", bodies={"en": "Thanks!", "ru": "Спасибо!"})
    exported = client.get(f"/shops/{shop['id']}/replies/export")
    assert exported.headers["Content-Disposition"].startswith("attachment")
    other = make_shop(1, name="Birch Goods")
    response = client.post(f"/shops/{other}/replies/import", data={"file": (io.BytesIO(exported.data), "r.json")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    imported = db.scalar(select(SavedReply).where(SavedReply.shop_id == other)
                         .options(selectinload(SavedReply.variants)))
    assert imported.title == "Thanks" and imported.bodies["ru"] == "Спасибо!" and imported.shortcut == "thx"
    broken = client.post(f"/shops/{other}/replies/import", data={"file": (io.BytesIO(b"{}"), "r.json")},
                         content_type="multipart/form-data")
    assert broken.status_code == 422 and "not a sellerkit saved-replies export" in broken.get_data(as_text=True)
    assert db.count(SavedReply, SavedReply.shop_id == other) == 1


def test_api_create_render_and_count(client, db, shop):
    token = client.application.test_cli_runner().invoke(
        args=["create-token", "owner@example.com", "--name", "t"]).output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post(f"/api/v1/shops/{shop['id']}/saved-replies", headers=headers, json={
        "title": "Order", "bodies": {"en": "Order {order_reference}, {buyer_name|friend}."}})
    assert created.status_code == 201
    bad = client.post(f"/api/v1/shops/{shop['id']}/saved-replies", headers=headers, json={
        "title": "Bad", "bodies": {"en": "{password}"}})
    assert bad.status_code == 400 and "password" in bad.json["error"]["message"]
    rendered = client.post(f"/api/v1/threads/{shop['thread_id']}/render", headers=headers,
                           json={"saved_reply_id": created.json["id"]})
    assert rendered.json["text"].startswith("Order ORD-") and rendered.json["missing"] == []
    client.post(f"/api/v1/threads/{shop['thread_id']}/replies", headers=headers,
                json={"body": rendered.json["text"], "saved_reply_ids": [created.json["id"]]})
    listed = client.get(f"/api/v1/shops/{shop['id']}/saved-replies", headers=headers).json["saved_replies"]
    assert listed[0]["usage_count"] == 1
    assert json.loads(json.dumps(listed))  # plain JSON all the way


def test_dates_in_a_reply_are_written_in_the_buyers_language(app, client, shop, make_saved_reply):
    from sqlalchemy import update

    from sellerkit.extensions import db as sqla
    from sellerkit.threads.models import Order
    from tests.conftest import NOW

    with app.app_context():
        sqla.session.execute(update(Order).values(placed_at=NOW))
        sqla.session.commit()
    make_saved_reply(shop["id"], title="Date", bodies={"fa": "سفارش شما در {order_date} ثبت شد.",
                                                       "en": "You ordered on {order_date}."})
    client.post(f"/threads/{shop['thread_id']}/settings", data={"language": "fa"})
    page = client.get(f"/threads/{shop['thread_id']}/saved-replies").get_data(as_text=True)
    assert "سفارش شما در ۲ آذر ۱۴۰۵ ثبت شد." in page  # 23 November 2026 in the Solar Hijri calendar
    client.post(f"/threads/{shop['thread_id']}/settings", data={"language": "en"})
    assert "You ordered on November 23, 2026." in client.get(f"/threads/{shop['thread_id']}/saved-replies").get_data(
        as_text=True)


def test_the_return_date_comes_from_the_planned_vacation(client, shop, make_saved_reply, make_vacation):
    from datetime import datetime, timedelta

    from sellerkit.clock import utcnow

    make_saved_reply(shop["id"], title="Away", bodies={"en": "I'm back on {vacation_return_date|Monday}."})
    client.post(f"/threads/{shop['thread_id']}/settings", data={"language": "en"})
    assert 'data-text="I&#39;m back on Monday."' in client.get(
        f"/threads/{shop['thread_id']}/saved-replies").get_data(as_text=True)
    start = utcnow() + timedelta(days=10)
    make_vacation(shop["id"], starts_at=datetime(start.year, start.month, start.day, 12, tzinfo=UTC), days=5)
    back = (start + timedelta(days=5)).strftime("%B %-d, %Y")
    assert f"I&#39;m back on {back}." in client.get(f"/threads/{shop['thread_id']}/saved-replies").get_data(
        as_text=True)


def test_api_ids_too_large_for_a_database_id_get_a_clear_answer(client, db, shop):
    """An id past the largest one an INTEGER column holds (PostgreSQL would refuse to compare with it) is just
    an id that does not exist: no server error, nothing changed."""
    token = client.application.test_cli_runner().invoke(
        args=["create-token", "owner@example.com", "--name", "t"]).output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    too_large = 2**31
    rendered = client.post(f"/api/v1/threads/{shop['thread_id']}/render", headers=headers,
                           json={"saved_reply_id": too_large})
    assert rendered.status_code == 404 and rendered.json["error"]["message"]
    sent = client.post(f"/api/v1/threads/{shop['thread_id']}/replies", headers=headers,
                       json={"body": "Thank you!", "saved_reply_ids": [too_large]})
    assert sent.status_code == 201
    assigned = client.patch(f"/api/v1/threads/{shop['thread_id']}", headers=headers, json={"assignee_id": too_large})
    assert assigned.status_code in (400, 422)
    assert assigned.json["error"]["fields"]["assignee_id"] == "Only members of the shop can be assigned."
    assert client.get(f"/api/v1/threads/{shop['thread_id']}", headers=headers).json["assignee_id"] is None
    for number in ("\u00b2", str(too_large), "9" * 5000):  # in a query string too: no id, a clear 400
        listed = client.get(f"/api/v1/shops/{shop['id']}/threads", headers=headers, query_string={"assignee": number})
        assert listed.status_code == 400 and "assignee" in listed.json["error"]["fields"]
