"""Buyer messages in: one path for every source, stored exactly once, threads found the way a seller expects."""
import base64

import pytest
from sqlalchemy import select

from sellerkit.attachments.models import Attachment
from sellerkit.threads.models import Buyer, Message, Order, Thread, ThreadEvent
from tests.concurrency import run_together
from tests.samples import HTML_AS_JPEG, png


@pytest.fixture
def api(client, auth, make_user, make_shop):
    """A shop and an API client for its owner: returns (post, shop_id)."""
    owner = make_user()
    shop_id = make_shop(owner, platform="digikala", default_language="fa", timezone_name="Asia/Tehran")
    result = client.application.test_cli_runner().invoke(args=["create-token", "owner@example.com", "--name", "t"])
    headers = {"Authorization": f"Bearer {result.output.strip().splitlines()[-1]}"}

    def post(body, **kwargs):
        return client.post(f"/api/v1/shops/{shop_id}/messages", json=body, headers=headers, **kwargs)

    post.headers = headers
    return post, shop_id


def message(number=1, **changes):
    body = {"external_id": f"m-{number}", "thread_external_id": "t-1", "body": f"سلام، سفارش من کجاست؟ ({number})",
            "received_at": f"2026-11-23T10:{number:02d}:00Z", "subject": "سفارش",
            "buyer": {"id": "b-1", "name": "Maryam"}, "order": {"reference": "DK-100", "total": "120.50",
                                                                "currency": "IRR"}}
    body.update(changes)
    return body


def test_new_message_creates_buyer_order_thread_and_event(api, db):
    post, shop_id = api
    response = post(message())
    assert response.status_code == 201
    assert response.json["duplicate"] is False and response.json["language"] == "fa"
    thread = db.get(Thread, response.json["thread_id"])
    assert (thread.shop_id, thread.status, thread.subject, thread.language) == (shop_id, "open", "سفارش", "fa")
    assert thread.waiting_since is not None
    assert db.scalar(select(Buyer.display_name)) == "Maryam"
    assert str(db.scalar(select(Order.total))) == "120.50"
    assert db.scalar(select(ThreadEvent.kind)) == "message_received"


def test_redelivery_stores_nothing_new(api, db):
    post, _shop_id = api
    first = post(message())
    for _ in range(4):
        again = post(message())
        assert again.status_code == 200
        assert again.json["duplicate"] is True and again.json["conflict"] is False
        assert again.json["message_id"] == first.json["message_id"]
    assert db.count(Message) == 1 and db.count(ThreadEvent) == 1 and db.count(Buyer) == 1


def test_redelivery_with_other_text_keeps_the_stored_one_and_says_so(api, db):
    post, _shop_id = api
    post(message())
    response = post(message(body="a different text"))
    assert response.status_code == 200 and response.json["conflict"] is True
    assert "different text" in response.json["warning"]
    assert db.scalar(select(Message.body)).startswith("سلام")


@pytest.mark.parametrize("order", [[1, 2, 3], [3, 1, 2], [2, 3, 1, 3, 2, 1]])
def test_messages_in_any_order_land_in_one_thread_sorted_by_time(api, db, order):
    post, _shop_id = api
    for number in order:
        post(message(number))
    assert db.count(Thread) == 1 and db.count(Message) == 3
    thread = db.scalar(select(Thread))
    assert thread.waiting_since.minute == 1  # the oldest unanswered buyer message
    assert thread.last_message_at.minute == 3


def test_thread_found_by_buyer_and_order_when_the_platform_has_no_thread_id(api, db):
    post, _shop_id = api
    base = {"thread_external_id": None}
    post(message(1, **base))
    post(message(2, **base))
    post(message(3, **base, order={"reference": "DK-200"}))
    assert db.count(Thread) == 2


def test_language_is_detected_when_missing_and_kept_when_given(api, db):
    post, _shop_id = api
    assert post(message(1, body="Где мой заказ?", thread_external_id="t-ru")).json["language"] == "ru"
    given = post(message(2, body="Where is my order?", thread_external_id="t-x", buyer={"id": "b-2", "language": "pl"}))
    assert given.json["language"] == "pl"


def test_concurrent_workers_store_each_message_once(make_app, make_user, make_shop):
    """Eight workers deliver the same five messages at the same moment: five messages, one thread, one buyer."""
    from sellerkit import inbox
    from sellerkit.extensions import db as sqla
    from sellerkit.shops.models import Shop
    from sellerkit.threads.domain import Inbound
    from tests.conftest import NOW

    shop_id = make_shop(make_user())
    apps = [make_app() for _ in range(8)]

    def worker(app):
        def deliver():
            for number in range(5):
                with app.app_context():
                    inbox.receive_buyer_message(sqla.session.get(Shop, shop_id), Inbound(
                        external_id=f"same-{number}", body=f"hello {number}", received_at=NOW,
                        buyer_external_id="b-1", thread_external_id="t-1", order_reference="O-1"), NOW)
                    sqla.session.commit()
        return deliver

    assert run_together([worker(app) for app in apps]) == []
    with apps[0].app_context():
        counts = [sqla.session.scalar(select(sqla.func.count()).select_from(model))
                  for model in (Message, Thread, Buyer, Order, ThreadEvent)]
    assert counts == [5, 1, 1, 1, 5]


def test_attachments_in_base64_are_stored_with_their_sniffed_type(api, db):
    post, _shop_id = api
    response = post(message(attachments=[{"filename": "../../etc/broken‮gpj.exe", "content_base64":
                                           base64.b64encode(png()).decode()}]))
    assert response.status_code == 201
    stored = db.scalar(select(Attachment))
    assert stored.content_type == "image/png" and stored.filename.endswith(".png")
    assert "/" not in stored.filename and "\u202e" not in stored.filename


@pytest.mark.parametrize("body, status, field", [
    ({"body": "hi"}, 400, "received_at"),
    (message(body=""), 400, "body"),
    (message(body="x" * 20_001), 400, "body"),
    (message(received_at="2026-11-23T10:00:00"), 400, "received_at"),
    (message(received_at="yesterday"), 400, "received_at"),
    (message(buyer={"id": "b", "language": "xx"}), 400, "buyer.language"),
    (message(order={"reference": "R", "total": "-5"}), 400, "order.total"),
    (message(order={"reference": "R", "total": "NaN"}), 400, "order.total"),
    (message(body=7), 400, "body"),
])
def test_bad_input_is_refused_with_a_field_and_nothing_is_written(api, db, body, status, field):
    post, _shop_id = api
    response = post(body)
    assert response.status_code == status
    assert field in response.json["error"].get("fields", {}), response.json
    assert db.count(Message) == 0 and db.count(Thread) == 0 and db.count(Buyer) == 0


def test_unknown_fields_and_malformed_json_are_refused(api, client, db):
    post, shop_id = api
    assert post(message(secret_admin=True)).json["error"]["code"] == "unknown_fields"
    assert post(message(buyer={"id": "b", "role": "owner"})).json["error"]["code"] == "unknown_fields"
    malformed = client.post(f"/api/v1/shops/{shop_id}/messages", data=b'{"body": "unterminated',
                            content_type="application/json", headers=post.headers)
    assert malformed.status_code == 400 and malformed.json["error"]["code"] == "malformed"
    assert db.count(Message) == 0


def test_disallowed_or_oversized_files_are_refused_and_the_message_is_kept(api, db, app):
    post, shop_id = api
    disguised = post(message(attachments=[{"filename": "photo.jpg",
                                           "content_base64": base64.b64encode(HTML_AS_JPEG).decode()}]))
    assert disguised.status_code == 201
    assert [refused["code"] for refused in disguised.json["refused_files"]] == ["file_type"]
    assert "photo.jpg is not an allowed file type" in disguised.json["refused_files"][0]["message"]

    def shrink(session):
        from sellerkit.shops.models import Shop

        session.get(Shop, shop_id).max_attachment_bytes = 1000

    db.update(shrink)
    oversized = post(message(2, attachments=[{"filename": "big.png", "content_base64":
                                              base64.b64encode(png(200, 200) + b"\0" * 5000).decode()}]))
    assert oversized.status_code == 201
    assert [refused["code"] for refused in oversized.json["refused_files"]] == ["file_too_large"]
    assert db.count(Message) == 2 and db.count(Attachment) == 0
    folder = app.config["ATTACHMENTS_DIR"]
    import os

    assert not os.path.isdir(folder) or os.listdir(folder) == []


def test_another_shops_id_answers_like_a_missing_one(api, client, make_user, make_shop):
    post, _shop_id = api
    other = make_shop(make_user("other@example.com"), name="Other")
    foreign = client.post(f"/api/v1/shops/{other}/messages", json=message(), headers=post.headers)
    missing = client.post("/api/v1/shops/999999/messages", json=message(), headers=post.headers)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json == missing.json
