"""sellerkit demo-data: a living inbox for a newcomer, in every language and on every platform, made once."""
from sqlalchemy import select

from sellerkit.attachments.models import Attachment
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Message, Thread


def test_demo_data_fills_every_platform_and_language_once(app, db, client):
    first = app.test_cli_runner().invoke(args=["demo-data"])
    assert first.exit_code == 0 and "password" in first.output
    password = first.output.strip().split()[-1]
    counts = (db.count(Shop), db.count(Thread), db.count(Message), db.count(Attachment))
    assert sorted(db.scalars(select(Shop.platform))) == sorted(
        ["etsy", "ozon", "digikala", "wildberries", "amazon", "ebay", "other"])
    assert set(db.scalars(select(Thread.language))) >= {"en", "ru", "pl", "zh", "bn", "fa"}
    assert db.count(Thread, Thread.is_dispute.is_(True)) >= 3 and counts[3] >= 3
    assert db.count(Message, Message.kind == "note") >= 3 and db.count(Message, Message.kind == "reply") >= 3
    again = app.test_cli_runner().invoke(args=["demo-data"])
    assert again.exit_code == 0 and "password" not in again.output
    assert (db.count(Shop), db.count(Thread), db.count(Message), db.count(Attachment)) == counts
    client.post("/login", data={"email": "demo@sellerkit.local", "password": password})
    page = client.get("/inbox").get_data(as_text=True)
    assert "Ольга Иванова" in page and "مریم احمدی" in page
