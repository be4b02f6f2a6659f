"""What the marketplace kinds fetch is stored by the inbox's batch path exactly once: threads per platform chat,
the order card, the buyer's files; fetching the same messages again (a fetch whose commit was lost) adds nothing."""
import io

import pytest
from sqlalchemy import func, select

from sellerkit import inbox
from sellerkit.attachments.models import Attachment
from sellerkit.channels.ozon import OzonKind
from sellerkit.channels.wildberries import WildberriesKind
from sellerkit.extensions import db as sqla
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Message, Order, Thread
from tests.conftest import NOW
from tests.contracts.base import Running
from tests.contracts.ozon import OzonPlatform
from tests.contracts.wildberries import WildberriesPlatform

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def store(app, shop_id, batch):
    with app.app_context():
        shop = sqla.session.get(Shop, shop_id)
        files = [[(name, io.BytesIO(content)) for name, _type, content in item.files] for item in batch.messages]
        results = inbox.receive_buyer_messages(shop, [item.inbound for item in batch.messages], NOW, files=files)
        sqla.session.commit()
        return [result.status for result in results]


def count(app, model, *where):
    with app.app_context():
        return sqla.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def platforms(request):
    ozon, wb = Running(OzonPlatform()), Running(WildberriesPlatform(limit=1000))
    request.addfinalizer(ozon.stop)
    request.addfinalizer(wb.stop)
    ozon.platform.add_chat("chat-a")
    ozon.platform.add_message("chat-a", "Is it **waterproof**?", order_number="0123456789-0001-1", sku="55")
    ozon.platform.add_message("chat-a", "And the size?")
    wb.platform.add_chat("1:aaa")
    wb.platform.add_event("1:aaa", "The receipt, please", files=(("scan.pdf", "application/pdf", PDF),),
                          good_card={"rid": "rid-77", "nmID": 1, "price": 10, "priceCurrency": "RUB"})
    return {"ozon": (OzonKind(allow_private=True), {"client_id": "123456", "base_url": ozon.base},
                     {"api_key": "ozon-key"}),
            "wildberries": (WildberriesKind(allow_private=True), {"base_url": wb.base}, {"token": "wb-token"})}


@pytest.mark.parametrize("name, chat, order, messages, files", [
    ("ozon", "ozon:chat-a", "0123456789-0001-1", 2, 0), ("wildberries", "wb:1:aaa", "rid-77", 1, 1)])
def test_fetched_messages_are_stored_once_with_their_thread_order_and_files(app, make_user, make_shop, platforms,
                                                                            name, chat, *, order, messages, files):
    shop_id = make_shop(make_user(), platform=name)
    kind, settings, secrets = platforms[name]
    batch = kind.fetch(settings, secrets, None, 100, NOW)
    assert store(app, shop_id, batch) == ["created"] * messages
    assert store(app, shop_id, kind.fetch(settings, secrets, None, 100, NOW)) == ["duplicate"] * messages
    assert count(app, Thread, Thread.shop_id == shop_id) == 1
    assert count(app, Thread, Thread.external_id == chat) == 1
    assert count(app, Message, Message.shop_id == shop_id) == messages
    assert count(app, Order, Order.platform_order_ref == order) == 1
    assert count(app, Attachment, Attachment.shop_id == shop_id) == files
