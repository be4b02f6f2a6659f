"""Attachments in the browser: sent with a reply, shown to members only, images inline, everything else downloaded."""
import io

import pytest
from sqlalchemy import select, update

from sellerkit.attachments.models import Attachment
from sellerkit.extensions import db as sqla
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Message
from tests.samples import PDF, png


@pytest.fixture
def thread(app, auth, make_user, make_shop, make_conversation):
    owner = make_user()
    shop_id = make_shop(owner)
    ids = make_conversation(shop_id, owner)
    auth.login()
    return {**ids, "shop_id": shop_id}


def test_buyer_photo_shows_inline_with_nosniff_and_a_sandbox(client, thread):
    page = client.get(f"/threads/{thread['thread_id']}").get_data(as_text=True)
    assert f'src="/attachments/{thread["attachment_id"]}"' in page
    response = client.get(f"/attachments/{thread['attachment_id']}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response.close()
    download = client.get(f"/attachments/{thread['attachment_id']}?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")
    download.close()


def test_reply_carries_files_and_a_pdf_is_always_a_download(app, client, db, thread):
    response = client.post(f"/threads/{thread['thread_id']}/reply", data={
        "body": "Here is your invoice and a photo of the parcel.",
        "attachments": [(io.BytesIO(PDF), "faktura.pdf"), (io.BytesIO(png()), "paczka.png")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    stored = db.scalars(select(Attachment).order_by(Attachment.id))
    assert [(a.filename, a.content_type) for a in stored[1:]] == [("faktura.pdf", "application/pdf"),
                                                                  ("paczka.png", "image/png")]
    pdf = client.get(f"/attachments/{stored[1].id}")
    assert pdf.headers["Content-Disposition"].startswith("attachment") and pdf.data.startswith(b"%PDF")
    pdf.close()


def test_a_file_over_the_shops_limit_is_refused_and_nothing_is_kept(app, client, db, thread):
    with app.app_context():
        sqla.session.execute(update(Shop).values(max_attachment_bytes=1024))
        sqla.session.commit()
    before = db.count(Message)
    response = client.post(f"/threads/{thread['thread_id']}/reply", data={
        "body": "Photo attached.", "attachments": [(io.BytesIO(png(300, 300) + b"\0" * 4096), "big.png")]},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "the limit for one file" in response.get_data(as_text=True)
    assert db.count(Message) == before and db.count(Attachment) == 1


def test_a_request_over_the_instance_limit_is_refused_before_it_is_read(make_app, make_user, make_shop,
                                                                      make_conversation):
    app = make_app(MAX_CONTENT_LENGTH=10_000)
    owner = make_user()
    thread_id = make_conversation(make_shop(owner), owner)["thread_id"]
    client = app.test_client()
    client.post("/login", data={"email": "owner@example.com", "password": "correct horse battery"})
    huge = (io.BytesIO(b"\0" * 50_000), "huge.png")
    response = client.post(f"/threads/{thread_id}/reply", data={"body": "x", "attachments": [huge]},
                           content_type="multipart/form-data")
    assert response.status_code == 413 and "too large" in response.get_data(as_text=True)


def test_seller_corrects_the_buyers_language(client, db, thread):
    from sellerkit.threads.models import Thread

    client.post(f"/threads/{thread['thread_id']}/settings", data={"language": "fa"})
    assert db.get(Thread, thread["thread_id"]).language == "fa"
    history = client.get(f"/threads/{thread['thread_id']}").get_data(as_text=True)
    assert "Buyer's language changed" in history
