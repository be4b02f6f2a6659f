"""Replies out: the outbox delivers by e-mail and webhook through the scheduler's sweep, retries, never loses one."""
import hashlib
import hmac
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from sellerkit.clock import utcnow
from sellerkit.extensions import db as sqla
from sellerkit.outbox import services
from sellerkit.outbox.delivery import deliver_due
from sellerkit.outbox.models import OutboxItem
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Buyer
from tests.concurrency import run_together
from tests.conftest import NOW


@pytest.fixture
def conversation(app, make_user, make_shop, make_conversation):
    owner = make_user()
    shop_id = make_shop(owner)
    return {"shop_id": shop_id, "owner": owner}


def set_shop(app, shop_id, **values):
    with app.app_context():
        sqla.session.execute(update(Shop).where(Shop.id == shop_id).values(**values))
        sqla.session.commit()


def reply_ids(app, make_conversation, conversation):
    """A buyer thread with a reply queued under the shop's current transport; the buyer has an e-mail address."""
    ids = make_conversation(conversation["shop_id"], conversation["owner"])
    with app.app_context():
        sqla.session.execute(update(Buyer).values(email="maryam@example.com"))
        sqla.session.commit()
    return ids


def sweep(app, now, **config):
    with app.app_context():
        return deliver_due(now, {**app.config, **config})


def item(app):
    with app.app_context():
        found = sqla.session.scalar(select(OutboxItem))
        sqla.session.expunge_all()
        return found


def test_email_reply_reaches_the_buyer_threaded_and_is_marked_sent(app, conversation, make_conversation, smtp_server):
    set_shop(app, conversation["shop_id"], reply_transport="email", reply_from_email="shop@example.com")
    reply_ids(app, make_conversation, conversation)
    config = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.config["port"]}
    assert sweep(app, NOW, **config) == (1, 0)
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["maryam@example.com"] and b"On its way!" in envelope.content
    assert item(app).status == "sent"
    assert sweep(app, NOW + timedelta(hours=1), **config) == (0, 0)  # a second sweep sends nothing again
    assert len(smtp_server.envelopes) == 1


def test_files_of_a_reply_travel_with_it(app, client, auth, conversation, make_conversation, smtp_server, *, receiver):
    import email
    import io
    import json
    from email.policy import default

    from tests.samples import PDF

    set_shop(app, conversation["shop_id"], reply_transport="email")
    ids = reply_ids(app, make_conversation, conversation)
    auth.login()
    client.post(f"/threads/{ids['thread_id']}/reply", data={"body": "Your invoice.",
                                                            "attachments": [(io.BytesIO(PDF), "faktura.pdf")]},
                content_type="multipart/form-data")
    # The reply sent through the page is due at the real time, which may be later than NOW.
    later = max(NOW, utcnow()) + timedelta(minutes=1)
    assert sweep(app, later, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.config["port"]) == (2, 0)
    # The sweep sends on several threads: the two mails may arrive in either order.
    (sent,) = [email.message_from_bytes(envelope.content, policy=default) for envelope in smtp_server.envelopes
               if b"Your invoice." in envelope.content]
    (attached,) = list(sent.iter_attachments())
    assert attached.get_filename() == "faktura.pdf" and attached.get_content() == PDF

    set_shop(app, conversation["shop_id"], reply_transport="webhook", webhook_url=receiver.base + "/ok",
             webhook_secret="s3cret")
    client.post(f"/threads/{ids['thread_id']}/reply", data={"body": "And the label.",
                                                            "attachments": [(io.BytesIO(PDF), "label.pdf")]},
                content_type="multipart/form-data")
    assert sweep(app, max(NOW, utcnow()) + timedelta(minutes=2), WEBHOOK_ALLOW_PRIVATE=True) == (1, 0)
    listed = json.loads(receiver.requests[-1]["body"])["data"]["message"]["attachments"]
    assert [(f["filename"], f["content_type"]) for f in listed] == [("label.pdf", "application/pdf")]
    assert listed[0]["url"].startswith("/api/v1/attachments/")


def test_webhook_reply_is_signed_over_timestamp_and_body(app, conversation, make_conversation, receiver):
    set_shop(app, conversation["shop_id"], reply_transport="webhook", webhook_url=receiver.base + "/ok",
             webhook_secret="s3cret")
    reply_ids(app, make_conversation, conversation)
    assert sweep(app, NOW, WEBHOOK_ALLOW_PRIVATE=True) == (1, 0)
    (request,) = receiver.requests
    signed = request["headers"]["X-Sellerkit-Timestamp"].encode() + b"." + request["body"]
    expected = "sha256=" + hmac.new(b"s3cret", signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request["headers"]["X-Sellerkit-Signature"], expected)
    assert "On its way!" in request["body"].decode()


def test_loopback_webhook_is_refused_unless_the_instance_allows_it(app, conversation, make_conversation, receiver):
    set_shop(app, conversation["shop_id"], reply_transport="webhook", webhook_url=receiver.base + "/ok",
             webhook_secret="s3cret")
    reply_ids(app, make_conversation, conversation)
    assert sweep(app, NOW) == (0, 1)
    assert receiver.requests == []
    failed = item(app)
    assert failed.status == "failed" and "a loopback address" in failed.last_error


def test_failures_retry_with_backoff_and_show_in_the_inbox(app, client, auth, conversation, make_conversation,
                                                          receiver):
    set_shop(app, conversation["shop_id"], reply_transport="webhook", webhook_url=receiver.base + "/503",
             webhook_secret="s3cret")
    ids = reply_ids(app, make_conversation, conversation)
    assert sweep(app, NOW, WEBHOOK_ALLOW_PRIVATE=True) == (0, 1)
    waiting = item(app)
    assert waiting.status == "pending" and waiting.due_at == NOW + timedelta(minutes=1) and "503" in waiting.last_error
    assert sweep(app, NOW + timedelta(seconds=30), WEBHOOK_ALLOW_PRIVATE=True) == (0, 0)  # not due yet
    auth.login()
    page = client.get("/inbox").get_data(as_text=True)
    assert "Some replies were not delivered" in page and "503" in page
    thread_page = client.get(f"/threads/{ids['thread_id']}").get_data(as_text=True)
    assert "Last attempt failed" in thread_page


def test_gives_up_after_the_last_attempt_and_the_seller_can_retry(app, client, auth, conversation,
                                                                 make_conversation, receiver):
    set_shop(app, conversation["shop_id"], reply_transport="webhook", webhook_url=receiver.base + "/503",
             webhook_secret="s3cret")
    ids = reply_ids(app, make_conversation, conversation)
    moment = NOW
    for _ in range(8):
        sweep(app, moment, WEBHOOK_ALLOW_PRIVATE=True)
        moment += timedelta(days=1)
    assert item(app).status == "failed" and item(app).attempts == 8
    auth.login()
    assert "Try again" in client.get(f"/threads/{ids['thread_id']}").get_data(as_text=True)
    client.post(f"/outbox/{ids['item_id']}/retry")
    assert item(app).status == "pending" and item(app).attempts == 0


def test_a_claim_left_by_a_dead_process_becomes_due_again(app, conversation, make_conversation, receiver):
    set_shop(app, conversation["shop_id"], reply_transport="webhook", webhook_url=receiver.base + "/ok",
             webhook_secret="s3cret")
    reply_ids(app, make_conversation, conversation)
    with app.app_context():
        claimed, _token = services.claim_due(NOW)
        sqla.session.commit()  # ... and the process dies before sending
    assert len(claimed) == 1
    assert sweep(app, NOW + timedelta(seconds=20), WEBHOOK_ALLOW_PRIVATE=True) == (0, 0)  # its lease still runs
    # Nobody renewed the lease: a minute after the crash another sweep has taken the item back and sent it.
    assert sweep(app, NOW + timedelta(seconds=60), WEBHOOK_ALLOW_PRIVATE=True) == (1, 0)
    assert len(receiver.requests) == 1


def test_concurrent_sweeps_send_each_reply_once(make_app, conversation, make_conversation, receiver):
    app = make_app()
    set_shop(app, conversation["shop_id"], reply_transport="webhook", webhook_url=receiver.base + "/ok",
             webhook_secret="s3cret")
    for number in range(12):
        make_conversation(conversation["shop_id"], conversation["owner"], external_id=f"m{number}",
                          buyer_id=f"b{number}")
    apps = [make_app(WEBHOOK_ALLOW_PRIVATE=True) for _ in range(4)]
    results = []

    def sweeper(other):
        def sweep_once():
            with other.app_context():
                results.append(deliver_due(NOW, other.config, senders=2))
        return sweep_once

    assert run_together([sweeper(other) for other in apps]) == []
    assert sum(sent for sent, _failed in results) + sweep(app, NOW, WEBHOOK_ALLOW_PRIVATE=True)[0] == 12
    assert len(receiver.requests) == 12
    assert len({r["headers"]["X-Sellerkit-Delivery"] for r in receiver.requests}) == 12


def test_manual_replies_wait_for_the_seller_not_the_scheduler(app, conversation, make_conversation):
    reply_ids(app, make_conversation, conversation)
    assert sweep(app, NOW + timedelta(days=3)) == (0, 0)
    assert item(app).status == "pending" and item(app).due_at is None


def test_a_reply_that_failed_for_good_is_its_authors_notification_until_it_is_delivered(
        app, client, auth, conversation, make_conversation, receiver):
    set_shop(app, conversation["shop_id"], reply_transport="webhook", webhook_url=receiver.base + "/503",
             webhook_secret="s3cret")
    reply_ids(app, make_conversation, conversation)
    auth.login()
    sweep(app, NOW, WEBHOOK_ALLOW_PRIVATE=True)
    assert "Your reply was not delivered" not in client.get("/notifications").get_data(as_text=True)  # it retries
    moment = NOW
    for _ in range(8):
        moment += timedelta(days=1)
        sweep(app, moment, WEBHOOK_ALLOW_PRIVATE=True)
    assert item(app).status == "failed"
    assert "Your reply was not delivered" in client.get("/notifications").get_data(as_text=True)
    set_shop(app, conversation["shop_id"], webhook_url=receiver.base + "/ok")
    client.post(f"/outbox/{item(app).id}/retry")
    sweep(app, utcnow(), WEBHOOK_ALLOW_PRIVATE=True)  # the seller's retry is due at once, by the real clock
    assert item(app).status == "sent"
    assert "Your reply was not delivered" not in client.get("/notifications").get_data(as_text=True)
