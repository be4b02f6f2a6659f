"""One bad attachment does not lose the buyer's words: the message is stored, each refused file listed with why."""
import base64
import io

import pytest
from sqlalchemy import select, update

from sellerkit.attachments.models import Attachment, RefusedFile
from sellerkit.extensions import db as sqla
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Message
from tests.samples import HTML_AS_JPEG, PDF, png
from tests.test_api import make_token

#: A web page renamed to look like a photo, as a buyer's compromised phone or a prankster might send it.
EVIL = b"<html><body><script>alert(1)</script></body></html>"
MESSAGE = {"external_id": "w-1", "thread_external_id": "t-9",
           "body": "Paczka przyszła zgnieciona, zdjęcia w załączniku",
           "received_at": "2026-11-23T10:00:00Z", "buyer": {"id": "b-9", "name": "Zofia"}}


@pytest.fixture
def api(client, auth, make_user, make_shop):
    shop_id = make_shop(make_user())
    return shop_id, make_token(client, auth)


def encoded(filename, content):
    return {"filename": filename, "content_base64": base64.b64encode(content).decode()}


def test_api_keeps_the_message_and_the_good_file_and_lists_the_refused_one(client, db, api):
    shop_id, headers = api
    response = client.post(f"/api/v1/shops/{shop_id}/messages", headers=headers, json={
        **MESSAGE, "attachments": [encoded("evil.png", EVIL), encoded("karton.png", png(40, 40))]})
    assert response.status_code == 201
    assert response.json["refused_files"] == [{
        "filename": "evil.png", "code": "file_type",
        "message": "evil.png is not an allowed file type (images, PDF, text and office documents are)."}]
    assert db.scalar(select(Message.body)) == MESSAGE["body"]
    assert db.scalars(select(Attachment.filename)) == ["karton.png"]
    assert db.scalars(select(RefusedFile.filename)) == ["evil.png"]


def test_an_upload_keeps_the_message_when_its_file_is_refused(client, db, api):
    shop_id, headers = api
    import json

    response = client.post(f"/api/v1/shops/{shop_id}/messages", headers=headers, data={
        "message": json.dumps(MESSAGE), "attachments": [(io.BytesIO(HTML_AS_JPEG), "zdjęcie.jpg")]})
    assert response.status_code == 201
    assert [(f["filename"], f["code"]) for f in response.json["refused_files"]] == [("zdjęcie.jpg", "file_type")]
    assert db.count(Message) == 1


def test_files_past_the_size_and_count_limits_are_refused_one_by_one(app, client, db, api):
    shop_id, headers = api
    with app.app_context():
        sqla.session.execute(update(Shop).values(max_attachment_bytes=2000, max_message_attachment_bytes=3000))
        sqla.session.commit()
    small = png(8, 8)
    files = [encoded("big.png", png(60, 60) + b"\0" * 4000), encoded("a.png", small), encoded("faktura.pdf", PDF)]
    files += [encoded(f"{n}.png", small) for n in range(12)]
    response = client.post(f"/api/v1/shops/{shop_id}/messages", headers=headers, json={**MESSAGE, "attachments": files})
    assert response.status_code == 201
    codes = {f["filename"]: f["code"] for f in response.json["refused_files"]}
    assert codes["big.png"] == "file_too_large"
    assert "too_many_files" in codes.values() or "message_too_large" in codes.values()
    kept = db.scalars(select(Attachment.filename))
    assert "a.png" in kept
    assert len(kept) + len(codes) == len(files)
    assert db.count(Message) == 1


def test_the_thread_page_and_the_api_list_the_refused_file_with_its_reason(client, db, auth, api):
    shop_id, headers = api
    received = client.post(f"/api/v1/shops/{shop_id}/messages", headers=headers,
                           json={**MESSAGE, "attachments": [encoded("evil.png", EVIL)]}).json
    page = client.get(f"/threads/{received['thread_id']}").get_data(as_text=True)
    assert MESSAGE["body"] in page
    assert "evil.png is not an allowed file type" in page
    thread = client.get(f"/api/v1/threads/{received['thread_id']}", headers=headers).json
    assert [f["filename"] for f in thread["messages"][0]["refused_files"]] == ["evil.png"]


def test_a_redelivery_lists_nothing_new(client, db, api):
    shop_id, headers = api
    body = {**MESSAGE, "attachments": [encoded("evil.png", EVIL)]}
    client.post(f"/api/v1/shops/{shop_id}/messages", headers=headers, json=body)
    again = client.post(f"/api/v1/shops/{shop_id}/messages", headers=headers, json=body)
    assert again.status_code == 200
    assert again.json["refused_files"] == []
    assert db.count(RefusedFile) == 1


def test_a_sellers_refused_file_is_named_as_it_was_sent(client, db, auth, make_user, make_shop, make_conversation):
    owner = make_user()
    thread_id = make_conversation(make_shop(owner), owner)["thread_id"]
    auth.login()
    before = db.count(Message)
    response = client.post(f"/threads/{thread_id}/reply", data={
        "body": "Zdjęcie w załączniku", "attachments": [(io.BytesIO(EVIL), "evil.png")]},
        content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "evil.png is not an allowed file type" in page
    assert "evil.txt" not in page
    assert db.count(Message) == before
