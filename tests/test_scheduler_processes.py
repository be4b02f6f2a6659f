"""Several scheduler processes over the same database: every due reply is delivered exactly once."""
import os
import subprocess
import sys
import textwrap

from sqlalchemy import insert, select, update

from sellerkit.extensions import db as sqla
from sellerkit.outbox.domain import SENDERS
from sellerkit.outbox.models import OutboxItem
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Message
from tests.conftest import NOW

SWEEPER = textwrap.dedent("""
    import sys
    from datetime import datetime
    from sellerkit import create_app
    from sellerkit.outbox.delivery import deliver_due
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "ENV": "development", "DATABASE_URL": sys.argv[1],
                      "INSTANCE_PATH": sys.argv[2], "WEBHOOK_ALLOW_PRIVATE": True})
    now = datetime.fromisoformat(sys.argv[3])
    with app.app_context():
        while True:
            sent, failed = deliver_due(now, app.config, senders=4)
            if not sent and not failed:
                break
""")


def test_three_scheduler_processes_deliver_1000_replies_exactly_once(app, database_url, tmp_path, make_user, make_shop,
                                                                     make_conversation, *, receiver):
    owner = make_user()
    shop_id = make_shop(owner)
    thread_id = make_conversation(shop_id, owner)["thread_id"]
    with app.app_context():
        sqla.session.execute(update(Shop).values(reply_transport="webhook", webhook_url=receiver.base + "/ok",
                                                 webhook_secret="s3cret"))
        sqla.session.execute(insert(Message), [
            {"shop_id": shop_id, "thread_id": thread_id, "direction": "out", "kind": "reply", "body": f"Reply {n}",
             "body_sha256": "0" * 64, "posted_at": NOW, "is_automatic": False, "headers": {}, "created_at": NOW}
            for n in range(1000)])
        ids = sqla.session.scalars(select(Message.id).where(Message.body.like("Reply %"))).all()
        sqla.session.execute(insert(OutboxItem), [
            {"shop_id": shop_id, "kind": "reply", "message_id": message_id, "transport": "webhook", "status": "pending",
             "attempts": 0, "due_at": NOW, "created_at": NOW} for message_id in ids])
        sqla.session.execute(update(OutboxItem).where(OutboxItem.transport == "manual").values(due_at=None))
        sqla.session.commit()
    script = tmp_path / "sweeper.py"
    script.write_text(SWEEPER)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    processes = [subprocess.Popen([sys.executable, str(script), database_url, str(tmp_path / f"instance{n}"),
                                   NOW.isoformat()], env=env, stderr=subprocess.PIPE, text=True) for n in range(3)]
    for process in processes:
        _out, errors = process.communicate(timeout=240)
        assert process.returncode == 0, errors
    delivered = [request["headers"]["X-Sellerkit-Delivery"] for request in receiver.requests]
    assert len(delivered) == 1000 and len(set(delivered)) == 1000
    with app.app_context():
        statuses = sqla.session.scalars(select(OutboxItem.status).where(OutboxItem.transport == "webhook")).all()
    assert statuses.count("sent") == 1000


def _queue_replies(app, shop_id, thread_id, count, url):
    with app.app_context():
        sqla.session.execute(update(Shop).values(reply_transport="webhook", webhook_url=url, webhook_secret="s3cret"))
        sqla.session.execute(insert(Message), [
            {"shop_id": shop_id, "thread_id": thread_id, "direction": "out", "kind": "reply", "body": f"Reply {n}",
             "body_sha256": "0" * 64, "posted_at": NOW, "is_automatic": False, "headers": {}, "created_at": NOW}
            for n in range(count)])
        ids = sqla.session.scalars(select(Message.id).where(Message.body.like("Reply %"))).all()
        sqla.session.execute(insert(OutboxItem), [
            {"shop_id": shop_id, "kind": "reply", "message_id": message_id, "transport": "webhook", "status": "pending",
             "attempts": 0, "due_at": NOW, "created_at": NOW} for message_id in ids])
        sqla.session.commit()


def test_a_scheduler_killed_mid_sweep_loses_nothing(app, database_url, tmp_path, make_user, make_shop,
                                                   make_conversation, *, receiver):
    """SIGKILL in the middle of a sweep, then a new scheduler a minute later, when the dead one's leases have run
    out: every reply arrives, and only what the dead sweep had not yet marked sent is repeated, under the same
    delivery ids: the requests in flight (at most half the senders for one receiver) and the sent items waiting
    to be marked in one batch (half the senders)."""
    import signal
    import time
    from datetime import timedelta

    owner = make_user()
    shop_id = make_shop(owner)
    _queue_replies(app, shop_id, make_conversation(shop_id, owner)["thread_id"], 200, receiver.base + "/steady")
    script = tmp_path / "sweeper.py"
    script.write_text(SWEEPER)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    first = subprocess.Popen([sys.executable, str(script), database_url, str(tmp_path / "a"), NOW.isoformat()],
                             env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(receiver.requests) < 40 and time.monotonic() < deadline:
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert 0 < len(receiver.requests) < 200, "the kill must land in the middle of the work"

    later = (NOW + timedelta(seconds=60)).isoformat()  # the dead sweep's leases (30 s, not renewed) have run out
    second = subprocess.run([sys.executable, str(script), database_url, str(tmp_path / "b"), later], env=env,
                            capture_output=True, text=True, timeout=240)
    assert second.returncode == 0, second.stderr
    delivered = [request["headers"]["X-Sellerkit-Delivery"] for request in receiver.requests]
    assert len(set(delivered)) == 200  # nothing lost
    assert len(delivered) - 200 <= SENDERS  # in flight, or sent and not yet marked: the same delivery ids
    with app.app_context():
        statuses = sqla.session.scalars(select(OutboxItem.status).where(OutboxItem.transport == "webhook")).all()
    assert statuses.count("sent") == 200
