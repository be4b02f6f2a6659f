"""The delivery sweep under load and faults: leases, takeover, slow receivers, backlogs, and a one-way outbox."""
import ast
import threading
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select, update

import sellerkit
from sellerkit.extensions import db as sqla
from sellerkit.outbox import domain, registry
from sellerkit.outbox.delivery import deliver_due
from sellerkit.outbox.models import OutboxItem
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Message
from tests.conftest import NOW

#: What the outbox may import of sellerkit: itself and the shared plumbing, never a feature.
PLUMBING = ("sellerkit.outbox", "sellerkit.extensions", "sellerkit.database", "sellerkit.dialects", "sellerkit.errors",
            "sellerkit.i18n", "sellerkit.clock")


def webhook_shop(app, make_shop, owner, name, path, receiver):
    shop_id = make_shop(owner, name=name)
    with app.app_context():
        sqla.session.execute(update(Shop).where(Shop.id == shop_id).values(
            reply_transport="webhook", webhook_url=receiver.base + path, webhook_secret="s3cret"))
        sqla.session.commit()
    return shop_id


def in_background(app, now, senders):
    """Run one sweep in a thread of its own; returns the thread and the list its (sent, failed) lands in."""
    result = []

    def run():
        with app.app_context():
            result.append(deliver_due(now, app.config, senders=senders))
    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def statuses(app, shop_id):
    with app.app_context():
        return sqla.session.scalars(select(OutboxItem.status).where(OutboxItem.shop_id == shop_id,
                                                                    OutboxItem.transport == "webhook")).all()


def test_a_slow_receiver_does_not_hold_up_the_other_shops(make_app, make_user, make_shop, make_conversation, receiver):
    app = make_app(WEBHOOK_ALLOW_PRIVATE=True)
    owner = make_user()
    slow = webhook_shop(app, make_shop, owner, "Slow Shop", "/slow", receiver)
    fast = webhook_shop(app, make_shop, owner, "Fast Shop", "/ok", receiver)
    for shop_id in (slow, fast):  # the slow shop's replies are older: first in line
        for number in range(4):
            make_conversation(shop_id, owner, external_id=f"m{number}", buyer_id=f"b{number}")
    thread, result = in_background(app, NOW, senders=4)
    try:
        assert wait_for(lambda: sum(r["path"] == "/ok" for r in receiver.requests) == 4)
        assert wait_for(lambda: statuses(app, fast) == ["sent"] * 4)
        # Meanwhile the slow receiver holds two of the four senders (its share) and its replies wait their turn.
        assert sum(r["path"] == "/slow" for r in receiver.requests) == 2
        assert statuses(app, slow).count("sent") == 0
    finally:
        receiver.release.set()
        thread.join(60)
    assert result == [(8, 0)]


def test_a_live_sweep_renews_its_lease_and_keeps_its_items(make_app, make_user, make_shop, make_conversation, receiver,
                                                           monkeypatch):
    monkeypatch.setattr(domain, "LEASE", timedelta(seconds=1))
    monkeypatch.setattr(domain, "LEASE_RENEW_EVERY", timedelta(seconds=0.1))
    app = make_app(WEBHOOK_ALLOW_PRIVATE=True)
    owner = make_user()
    shop_id = webhook_shop(app, make_shop, owner, "Slow Shop", "/slow", receiver)
    make_conversation(shop_id, owner)

    def lease_end():
        with app.app_context():
            return sqla.session.scalar(select(OutboxItem.claimed_until).where(OutboxItem.transport == "webhook"))

    started = time.monotonic()
    thread, result = in_background(app, NOW, senders=2)
    try:
        assert wait_for(lambda: len(receiver.requests) == 1 and lease_end() is not None)
        first_lease = lease_end()
        assert wait_for(lambda: lease_end() > first_lease + timedelta(seconds=1))  # renewed past the first lease
        # Another sweep, at a moment when the first lease would have run out, finds nothing to take back.
        later = NOW + timedelta(seconds=time.monotonic() - started)
        assert later > first_lease
        with app.app_context():
            assert deliver_due(later, app.config, senders=2) == (0, 0)
    finally:
        receiver.release.set()
        thread.join(60)
    assert result == [(1, 0)] and len(receiver.requests) == 1


def test_one_sweep_delivers_a_backlog_beyond_a_batch(app, make_user, make_shop, make_conversation, receiver):
    owner = make_user()
    shop_id = webhook_shop(app, make_shop, owner, "Busy Shop", "/ok", receiver)
    thread_id = make_conversation(shop_id, owner)["thread_id"]
    with app.app_context():
        sqla.session.execute(insert(Message), [
            {"shop_id": shop_id, "thread_id": thread_id, "direction": "out", "kind": "reply", "body": f"Reply {n}",
             "body_sha256": "0" * 64, "posted_at": NOW, "is_automatic": False, "headers": {}, "created_at": NOW}
            for n in range(150)])
        ids = sqla.session.scalars(select(Message.id).where(Message.body.like("Reply %"))).all()
        sqla.session.execute(insert(OutboxItem), [
            {"shop_id": shop_id, "kind": "reply", "message_id": message_id, "transport": "webhook",
             "status": "pending", "attempts": 0, "due_at": NOW, "created_at": NOW} for message_id in ids])
        sqla.session.commit()
        # 150 and the reply make_conversation queued: more than one claim, and more than the 100 an old sweep took.
        assert deliver_due(NOW, {**app.config, "WEBHOOK_ALLOW_PRIVATE": True}) == (151, 0)
    assert len({r["headers"]["X-Sellerkit-Delivery"] for r in receiver.requests}) == 151


def test_sent_items_are_marked_sent_even_when_what_follows_one_delivery_fails(app, make_user, make_shop,
                                                                             make_conversation, receiver, caplog):
    owner = make_user()
    shop_id = webhook_shop(app, make_shop, owner, "Shop", "/ok", receiver)
    thread_id = make_conversation(shop_id, owner)["thread_id"]
    kinds = app.extensions[registry.EXTENSION]
    reply_kind = kinds["reply"]
    with app.app_context():
        sqla.session.execute(insert(Message), [
            {"shop_id": shop_id, "thread_id": thread_id, "direction": "out", "kind": "reply", "body": f"Reply {n}",
             "body_sha256": "0" * 64, "posted_at": NOW, "is_automatic": False, "headers": {}, "created_at": NOW}
            for n in range(9)])
        ids = sqla.session.scalars(select(Message.id).where(Message.body.like("Reply %"))).all()
        sqla.session.execute(insert(OutboxItem), [
            {"shop_id": shop_id, "kind": "reply", "message_id": message_id, "transport": "webhook",
             "status": "pending", "attempts": 0, "due_at": NOW, "created_at": NOW} for message_id in ids])
        sqla.session.commit()
        broken = ids[4]

        def delivered(item, now):
            if item.message_id == broken:
                raise RuntimeError("a broken follow-up of one delivery")
            reply_kind.delivered(item, now)

        kinds["reply"] = registry.Kind(reply_kind.build, delivered)
        try:
            assert deliver_due(NOW, {**app.config, "WEBHOOK_ALLOW_PRIVATE": True}, senders=4) == (10, 0)
        finally:
            kinds["reply"] = reply_kind
        status = dict(sqla.session.execute(select(OutboxItem.message_id, OutboxItem.status)).all())
    # Every other reply is marked sent; the broken one keeps its claim, which runs out and is sent again.
    assert [message_id for message_id, value in status.items() if value != "sent"] == [broken]
    assert status[broken] == "sending"
    assert "could not be marked sent" in caplog.text


def test_a_retried_webhook_carries_the_same_delivery_key(app, make_user, make_shop, make_conversation, receiver):
    owner = make_user()
    shop_id = webhook_shop(app, make_shop, owner, "Shop", "/503", receiver)
    item_id = make_conversation(shop_id, owner)["item_id"]
    config = {**app.config, "WEBHOOK_ALLOW_PRIVATE": True}
    with app.app_context():
        assert deliver_due(NOW, config) == (0, 1)
        sqla.session.execute(update(Shop).values(webhook_url=receiver.base + "/ok"))
        sqla.session.commit()
        assert deliver_due(NOW + timedelta(minutes=2), config) == (1, 0)
    assert [r["headers"]["X-Sellerkit-Delivery"] for r in receiver.requests] == [str(item_id)] * 2


def test_the_outbox_imports_no_feature():
    """Imports go one way: features register their kinds with the outbox, the outbox knows none of them."""
    wrong = []
    for path in sorted(Path(sellerkit.__file__).parent.joinpath("outbox").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            wrong += [f"{path.name}: {name}" for name in names
                      if name.startswith("sellerkit") and not name.startswith(PLUMBING)]
    assert wrong == []
