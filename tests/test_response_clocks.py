"""Response clocks: opened by buyer messages under each platform's rule, stopped by replies, swept once."""
import email
from datetime import timedelta
from email.policy import default

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from sellerkit import inbox
from sellerkit.accounts.models import User
from sellerkit.extensions import db as sqla
from sellerkit.shops.models import Shop
from sellerkit.sla import services as sla
from sellerkit.sla.models import Notification, ResponseClock
from sellerkit.threads.domain import Inbound
from tests.concurrency import run_together
from tests.conftest import NOW


@pytest.fixture
def shop(make_user, make_shop, auth):
    def make(platform="ozon"):
        owner = make_user(f"{platform}@example.com")
        shop_id = make_shop(owner, platform=platform)
        auth.login(f"{platform}@example.com")
        return {"id": shop_id, "owner": owner}
    return make


def deliver(app, shop_id, number, minutes=0, thread="t-1"):
    with app.app_context():
        received = inbox.receive_buyer_message(sqla.session.get(Shop, shop_id), Inbound(
            external_id=f"m-{number}", body="Where is my order?", received_at=NOW + timedelta(minutes=minutes),
            buyer_external_id="b-1", thread_external_id=thread), NOW)
        sqla.session.commit()
        return received.thread.id


def reply(app, shop_id, thread_id, owner, at, sent_at=None):
    """A reply written by hand at `at` and marked sent at `sent_at` (by default at once; False: never)."""
    with app.app_context():
        from sellerkit.outbox.models import OutboxItem
        from sellerkit.threads.models import Thread

        message = inbox.send_reply(sqla.session.get(Shop, shop_id), sqla.session.get(Thread, thread_id),
                                   sqla.session.get(User, owner), "Ships today.", at)
        sqla.session.flush()
        if sent_at is not False:
            item = sqla.session.scalar(select(OutboxItem).where(OutboxItem.message_id == message.id))
            inbox.mark_reply_sent(item, sent_at or at)
        sqla.session.commit()


def clocks(db, thread_id):
    return db.scalars(select(ResponseClock).where(ResponseClock.thread_id == thread_id).order_by(ResponseClock.id))


def sweep(app, at):
    with app.app_context():
        result = sla.sweep(at)
        sqla.session.commit()
        return result


def test_a_buyer_message_opens_one_clock_and_a_timely_reply_meets_it(app, db, shop):
    s = shop()
    thread_id = deliver(app, s["id"], 1)
    deliver(app, s["id"], 2, minutes=30)
    (clock,) = clocks(db, thread_id)
    assert clock.due_at == NOW + timedelta(hours=24) and clock.warn_at == NOW + timedelta(hours=20)
    reply(app, s["id"], thread_id, s["owner"], NOW + timedelta(hours=3))
    assert [(c.status, c.stopped_by) for c in clocks(db, thread_id)] == [("met", "reply")]


def test_a_late_reply_is_a_breach(app, db, shop):
    s = shop()
    thread_id = deliver(app, s["id"], 1)
    reply(app, s["id"], thread_id, s["owner"], NOW + timedelta(hours=25))
    assert clocks(db, thread_id)[0].status == "breached"


def test_etsy_counts_only_a_new_threads_first_message_amazon_counts_every_one(app, db, shop):
    etsy, amazon = shop("etsy"), shop("amazon")
    for platform in (etsy, amazon):
        thread_id = deliver(app, platform["id"], f"{platform['id']}-1", thread=f"t-{platform['id']}")
        reply(app, platform["id"], thread_id, platform["owner"], NOW + timedelta(hours=1))
        deliver(app, platform["id"], f"{platform['id']}-2", minutes=120, thread=f"t-{platform['id']}")
        platform["clocks"] = [c.status for c in clocks(db, thread_id)]
    assert etsy["clocks"] == ["met"]
    assert amazon["clocks"] == ["met", "open"]


def test_the_database_refuses_a_second_open_clock(app, db, shop):
    s = shop()
    thread_id = deliver(app, s["id"], 1)
    existing = clocks(db, thread_id)[0]
    with app.app_context(), pytest.raises(IntegrityError):
        sqla.session.execute(insert(ResponseClock).values(
            shop_id=s["id"], thread_id=thread_id, message_id=existing.message_id, started_at=NOW, due_at=NOW,
            warn_at=NOW, status="open"))
        sqla.session.commit()


def test_warnings_and_breaches_are_recorded_once_however_often_the_sweep_runs(app, db, client, shop):
    s = shop()
    thread_id = deliver(app, s["id"], 1)
    assert sweep(app, NOW + timedelta(hours=19)) == (0, 0)
    assert sweep(app, NOW + timedelta(hours=21)) == (1, 0)
    assert sweep(app, NOW + timedelta(hours=22)) == (0, 0)
    assert sweep(app, NOW + timedelta(hours=25)) == (0, 1)
    assert sweep(app, NOW + timedelta(hours=26)) == (0, 0)
    assert sorted(db.scalars(select(Notification.kind))) == ["breach", "warning"]
    page = client.get("/notifications").get_data(as_text=True)
    assert "Reply due soon" in page and "Reply deadline passed" in page
    history = client.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert "Reply deadline passed" in history  # the breach is in the thread's history


def test_a_scheduler_back_after_a_day_sends_no_stale_warnings(app, db, shop):
    s = shop()
    answered = deliver(app, s["id"], 1, thread="t-answered")
    waiting = deliver(app, s["id"], 2, thread="t-waiting")
    reply(app, s["id"], answered, s["owner"], NOW + timedelta(hours=2))
    assert sweep(app, NOW + timedelta(days=2)) == (0, 1)  # the waiting one breached; no warning for anybody
    notes = db.scalars(select(Notification))
    assert [(n.thread_id, n.kind) for n in notes] == [(waiting, "breach")]


def test_concurrent_sweeps_record_each_warning_once(make_app, db, shop):
    s = shop()
    app = make_app()
    for number in range(10):
        deliver(app, s["id"], number, thread=f"t-{number}")
    sweepers = [make_app() for _ in range(4)]

    def sweeper(other):
        def run():
            with other.app_context():
                sla.sweep(NOW + timedelta(hours=21))
                sqla.session.commit()
        return run

    assert run_together([sweeper(other) for other in sweepers]) == []
    assert db.count(Notification) == 10


def test_no_reply_needed_takes_the_thread_out_of_waiting_and_the_statistics(app, db, client, shop):
    s = shop()
    thread_id = deliver(app, s["id"], 1)
    # The clock opened at the fixed NOW, so whether it reads "reply within" or "overdue by" depends on today.
    inbox_page = client.get("/inbox").get_data(as_text=True)
    assert f'href="/threads/{thread_id}"' in inbox_page and 'class="waiting-time' in inbox_page
    client.post(f"/threads/{thread_id}/no-reply-needed")
    assert [(c.status, c.stopped_by) for c in clocks(db, thread_id)] == [("exempt", "no_reply_needed")]
    assert f'href="/threads/{thread_id}"' not in client.get("/inbox").get_data(as_text=True)
    assert client.post(f"/threads/{thread_id}/no-reply-needed").status_code == 400


def test_each_warning_is_mailed_once_to_the_owners_through_the_outbox(make_app, db, shop, smtp_server, monkeypatch):
    from sellerkit import jobs
    from sellerkit.outbox.delivery import deliver_due
    from sellerkit.outbox.models import OutboxItem

    s = shop()
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.config["port"], SERVER_NAME="shop.example")
    deliver(app, s["id"], 1)
    later = NOW + timedelta(hours=21)
    monkeypatch.setattr(jobs, "utcnow", lambda: later)
    with app.app_context():
        sqla.session.execute(update(User).values(locale="pl"))
        sqla.session.commit()
        jobs.sweep_response_clocks()
        jobs.sweep_response_clocks()
    # Queued, not sent by the clock sweep: a mail server that is down delays the mail, it cannot lose it.
    assert smtp_server.envelopes == []
    assert [item.kind for item in db.scalars(select(OutboxItem))] == ["notification"]
    with app.app_context():
        assert deliver_due(later, app.config) == (1, 0)
        assert deliver_due(later, app.config) == (0, 0)
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["ozon@example.com"]
    sent = email.message_from_bytes(envelope.content, policy=default)
    assert sent["Subject"] == "Kupujący czeka na Twoją odpowiedź (Amber Studio)"  # the owner's language
    assert "/threads/" in sent.get_content()


def test_a_reply_counts_from_when_it_was_marked_sent_not_when_it_was_written(app, db, shop):
    s = shop()
    thread_id = deliver(app, s["id"], 1)
    reply(app, s["id"], thread_id, s["owner"], NOW + timedelta(hours=3), sent_at=False)
    (clock,) = clocks(db, thread_id)
    assert clock.status == "open"  # written, but the buyer cannot see it yet
    with app.app_context():
        from sellerkit.outbox.models import OutboxItem

        inbox.mark_reply_sent(sqla.session.scalar(select(OutboxItem)), NOW + timedelta(hours=26))
        sqla.session.commit()
    (clock,) = clocks(db, thread_id)
    assert (clock.status, clock.stopped_at) == ("breached", NOW + timedelta(hours=26))
    with app.app_context():
        from sellerkit.sla.models import ResponseDay

        (day,) = sqla.session.scalars(select(ResponseDay)).all()
        assert (day.on_time, day.breaches, day.response_seconds) == (0, 1, str(26 * 3600))


def test_a_reply_sent_by_the_scheduler_counts_from_its_delivery(make_app, db, shop, smtp_server, monkeypatch):
    from sqlalchemy import update

    from sellerkit import jobs
    from sellerkit.threads.models import Buyer

    s = shop()
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.config["port"])
    with app.app_context():
        sqla.session.execute(update(Shop).values(reply_transport="email"))
        sqla.session.commit()
    thread_id = deliver(app, s["id"], 1)
    with app.app_context():
        sqla.session.execute(update(Buyer).values(email="olga@example.com"))
        sqla.session.commit()
    reply(app, s["id"], thread_id, s["owner"], NOW + timedelta(hours=1), sent_at=False)
    assert [c.status for c in clocks(db, thread_id)] == ["open"]
    monkeypatch.setattr(jobs, "utcnow", lambda: NOW + timedelta(hours=2))
    with app.app_context():
        jobs.deliver_outbox()
    assert len(smtp_server.envelopes) == 1
    assert [(c.status, c.stopped_at) for c in clocks(db, thread_id)] == [("met", NOW + timedelta(hours=2))]


def test_a_buyer_message_written_while_the_reply_waited_gets_its_own_clock(app, db, shop):
    s = shop("amazon")
    thread_id = deliver(app, s["id"], 1)
    reply(app, s["id"], thread_id, s["owner"], NOW + timedelta(hours=1), sent_at=False)
    deliver(app, s["id"], 2, minutes=90)
    with app.app_context():
        from sellerkit.outbox.models import OutboxItem

        inbox.mark_reply_sent(sqla.session.scalar(select(OutboxItem)), NOW + timedelta(hours=2))
        sqla.session.commit()
    assert [(c.status, c.started_at) for c in clocks(db, thread_id)] == [
        ("met", NOW), ("open", NOW + timedelta(minutes=90))]


def test_machine_mail_opens_no_clock_and_raises_no_breach(app, db, client, shop):
    s = shop()
    with app.app_context():
        received = inbox.receive_buyer_message(sqla.session.get(Shop, s["id"]), Inbound(
            external_id="ooo-1", body="I am out of the office until Monday and will read your message then.",
            received_at=NOW, buyer_external_id="b-1", thread_external_id="t-ooo",
            headers={"Auto-Submitted": "auto-replied", "From": "Olga <olga@example.com>"}), NOW)
        sqla.session.commit()
        thread_id = received.thread.id
    assert list(clocks(db, thread_id)) == []
    assert sweep(app, NOW + timedelta(days=2)) == (0, 0)
    assert f'href="/threads/{thread_id}"' not in client.get("/inbox").get_data(as_text=True)
    automatic = client.get("/inbox?view=automatic").get_data(as_text=True)
    assert f'href="/threads/{thread_id}"' in automatic
