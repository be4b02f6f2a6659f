"""The e-mail channel against real Dovecot and aiosmtpd: tests, cursors, round trips, bounces, IDLE."""
import threading
import time
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import func, select, update

from sellerkit import inbox
from sellerkit.accounts.models import User
from sellerkit.channels.email.kind import EmailKind
from sellerkit.channels.kinds import ChannelError
from sellerkit.extensions import db as sqla
from sellerkit.outbox.models import OutboxItem
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Message, Thread
from sellerkit.threads.outbound import build_reply_delivery
from tests.conftest import NOW
from tests.mailchannel import channel_settings, mail, sample, store

pytestmark = pytest.mark.dovecot
LATER = NOW + timedelta(hours=1)
KIND = EmailKind()


@pytest.fixture
def trusting_app(make_app, test_ca):
    """The app trusting the test CA for mail servers, as a self-hoster with a private CA sets MAIL_CA_FILE."""
    return make_app(MAIL_CA_FILE=test_ca[0])


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_the_connection_test_passes_every_step_over_verified_tls(trusting_app, dovecot, smtp_server, security):
    settings, secrets = channel_settings(dovecot, smtp_server.config["port"], security=security)
    with trusting_app.app_context():
        checks = KIND.test(settings, secrets, NOW)
    assert [(check.step, check.ok) for check in checks] == [
        ("dns", True), ("tls", True), ("login", True), ("folder", True), ("smtp", True)]


def test_a_certificate_nobody_vouches_for_fails_the_tls_step(app, dovecot):
    settings, secrets = channel_settings(dovecot)
    with app.app_context():
        checks = KIND.test(settings, secrets, NOW)
    assert [(check.step, check.ok) for check in checks] == [("dns", True), ("tls", False)]
    assert "certificate is not valid" in str(checks[-1].message)


def test_a_wrong_password_is_an_auth_error_that_says_what_to_fix(trusting_app, dovecot):
    settings, secrets = channel_settings(dovecot)
    with trusting_app.app_context():
        with pytest.raises(ChannelError) as failed:
            KIND.fetch(settings, {**secrets, "password": "wrong"}, None, 10, NOW)
        assert failed.value.code == "auth"
        assert "refused the user name or password" in str(failed.value.detail)
        checks = KIND.test(settings, {**secrets, "password": "wrong"}, NOW)
        assert [(check.step, check.ok) for check in checks][-1] == ("login", False)


def test_a_missing_folder_fails_the_folder_step(trusting_app, dovecot):
    settings, secrets = channel_settings(dovecot, folder="Orders")
    with trusting_app.app_context():
        checks = KIND.test(settings, secrets, NOW)
        assert (checks[-1].step, checks[-1].ok) == ("folder", False)
        with pytest.raises(ChannelError) as failed:
            KIND.fetch(settings, secrets, None, 10, NOW)
        assert failed.value.code == "folder"


def test_fetching_follows_the_cursor_and_passes_over_mail_for_others(trusting_app, dovecot):
    dovecot.deliver(mail(message_id="<1@example.net>"), sample("not_for_the_shop.eml"),
                    mail(message_id="<2@example.net>"), mail(message_id="<3@example.net>"))
    settings, secrets = channel_settings(dovecot)
    with trusting_app.app_context():
        first = KIND.fetch(settings, secrets, None, 3, NOW)
        assert [item.hints["message_id"] for item in first.messages] == ["<1@example.net>", "<2@example.net>"]
        assert (first.more, first.backlog, first.cursor["uid"]) == (True, 1, 3)
        second = KIND.fetch(settings, secrets, first.cursor, 3, NOW)
        assert [item.hints["message_id"] for item in second.messages] == ["<3@example.net>"]
        assert not second.more
        third = KIND.fetch(settings, secrets, second.cursor, 3, NOW)
        assert (third.messages, third.cursor) == ([], second.cursor)


def test_a_rebuilt_folder_is_read_again_without_storing_anything_twice(trusting_app, dovecot, make_user, make_shop):
    shop_id = make_shop(make_user())
    dovecot.deliver(mail(message_id="<1@example.net>"), mail(message_id="<2@example.net>", body="Second"),
                    folder="Shop")
    settings, secrets = channel_settings(dovecot, folder="Shop")
    with trusting_app.app_context():
        batch = KIND.fetch(settings, secrets, None, 100, NOW)
        assert [result.status for result in store(shop_id, batch.messages, NOW)] == ["created", "created"]
        dovecot.recreate("Shop")
        dovecot.deliver(mail(message_id="<3@example.net>", body="Third"), folder="Shop")
        again = KIND.fetch(settings, secrets, batch.cursor, 100, NOW)
        assert again.cursor["uidvalidity"] != batch.cursor["uidvalidity"]
        assert [result.status for result in store(shop_id, again.messages, NOW)] == \
            ["duplicate", "duplicate", "created"]
        assert sqla.session.scalar(select(func.count()).select_from(Message).where(Message.shop_id == shop_id)) == 3


def _send_queued(app, settings, secrets, shop_id, now):
    """Send every queued e-mail item of the shop through the channel, as the outbox will; returns the items."""
    items = sqla.session.scalars(select(OutboxItem).where(OutboxItem.shop_id == shop_id,
                                                          OutboxItem.status == "pending")).all()
    for item in items:
        KIND.send(settings, secrets, build_reply_delivery(item, app.config, now), now)
        item.status, item.sent_at = "sent", now
    sqla.session.commit()
    return items


def test_a_conversation_goes_round_trip_through_the_mailbox(trusting_app, dovecot, smtp_server, make_user,
                                                           make_shop):
    owner = make_user()
    shop_id = make_shop(owner)
    settings, secrets = channel_settings(dovecot, smtp_server.config["port"])
    dovecot.deliver(sample("plain_question.eml"))
    with trusting_app.app_context():
        sqla.session.execute(update(Shop).where(Shop.id == shop_id).values(reply_transport="email"))
        batch = KIND.fetch(settings, secrets, None, 100, NOW)
        received = store(shop_id, batch.messages, NOW)[0].received
        thread = sqla.session.get(Thread, received.thread.id)
        inbox.send_reply(sqla.session.get(Shop, shop_id), thread, sqla.session.get(User, owner), "On its way!", NOW)
        sqla.session.commit()
        _send_queued(trusting_app, settings, secrets, shop_id, NOW)
        sent = message_from_bytes(smtp_server.envelopes[0].content, policy=policy.default)
        assert sent["In-Reply-To"] == "<CAB1234.anna@mail.example.net>"
        dovecot.deliver(mail(subject="Re: " + sent["Subject"], body="Thank you!\n\nOn Mon, Shop wrote:\n> On its way!",
                             message_id="<thanks@example.net>",
                             headers=[("In-Reply-To", sent["Message-ID"]), ("References", sent["Message-ID"])]))
        answer, = KIND.fetch(settings, secrets, batch.cursor, 100, LATER).messages
        result, = store(shop_id, [answer], LATER)
        assert result.received.thread.id == thread.id
        assert result.received.message.body == "Thank you!"
        assert [attachment.filename for attachment in result.received.message.attachments] == \
            ["original-message.txt"]


def test_an_auto_responder_on_the_buyers_side_ends_after_one_exchange(trusting_app, dovecot, smtp_server, make_user,
                                                                      make_shop, make_vacation):
    shop_id = make_shop(make_user())
    make_vacation(shop_id, starts_at=NOW - timedelta(days=1))
    settings, secrets = channel_settings(dovecot, smtp_server.config["port"])
    dovecot.deliver(sample("plain_question.eml"))
    with trusting_app.app_context():
        sqla.session.execute(update(Shop).where(Shop.id == shop_id).values(reply_transport="email"))
        batch = KIND.fetch(settings, secrets, None, 100, NOW)
        first, = store(shop_id, batch.messages, NOW)
        assert first.received.auto_reply is not None
        _send_queued(trusting_app, settings, secrets, shop_id, NOW)
        ours = message_from_bytes(smtp_server.envelopes[0].content, policy=policy.default)
        assert ours["Auto-Submitted"] == "auto-replied"
        # The buyer's own out-of-office answers our auto-reply: stored in the thread, answered by nobody.
        dovecot.deliver(sample("vacation_autoreply.eml", in_reply_to=ours["Message-ID"]))
        theirs, = KIND.fetch(settings, secrets, batch.cursor, 100, LATER).messages
        result, = store(shop_id, [theirs], LATER)
        assert result.received.thread.id == first.received.thread.id
        assert result.received.message.is_automatic and result.received.auto_reply is None
        assert _send_queued(trusting_app, settings, secrets, shop_id, LATER) == []
    assert len(smtp_server.envelopes) == 1


def test_a_bounce_fetched_from_the_mailbox_marks_the_reply_failed(trusting_app, dovecot, smtp_server, make_user,
                                                                  make_shop):
    owner = make_user()
    shop_id = make_shop(owner)
    settings, secrets = channel_settings(dovecot, smtp_server.config["port"])
    dovecot.deliver(sample("plain_question.eml"))
    with trusting_app.app_context():
        sqla.session.execute(update(Shop).where(Shop.id == shop_id).values(reply_transport="email"))
        batch = KIND.fetch(settings, secrets, None, 100, NOW)
        thread = store(shop_id, batch.messages, NOW)[0].received.thread
        reply = inbox.send_reply(sqla.session.get(Shop, shop_id), sqla.session.get(Thread, thread.id),
                                 sqla.session.get(User, owner), "On its way!", NOW)
        sqla.session.commit()
        reply_id = reply.id
        _send_queued(trusting_app, settings, secrets, shop_id, NOW)
        sent = message_from_bytes(smtp_server.envelopes[0].content, policy=policy.default)
        dovecot.deliver(sample("dsn_bounce.eml", message_id=sent["Message-ID"]))
        store(shop_id, KIND.fetch(settings, secrets, batch.cursor, 100, LATER).messages, LATER)
        item = sqla.session.scalar(select(OutboxItem).where(OutboxItem.message_id == reply_id))
        assert item.status == "failed" and "User unknown" in item.last_error


def test_idle_returns_as_soon_as_a_mail_arrives(trusting_app, dovecot):
    settings, secrets = channel_settings(dovecot)
    timer = threading.Timer(1.0, dovecot.deliver, [mail()])
    with trusting_app.app_context():
        started = time.monotonic()
        timer.start()
        try:
            assert KIND.wait_for_news(settings, secrets, 30) is True
        finally:
            timer.join()
        assert time.monotonic() - started < 25
        assert KIND.wait_for_news(settings, secrets, 1) is False


def test_a_first_fetch_can_start_some_days_back(trusting_app, dovecot):
    with dovecot.client() as client:
        client.append("INBOX", mail(message_id="<old@example.net>"), msg_time=NOW - timedelta(days=40))
        client.append("INBOX", mail(message_id="<recent@example.net>"), msg_time=NOW - timedelta(days=2))
    settings, secrets = channel_settings(dovecot)
    with trusting_app.app_context():
        batch = KIND.fetch(settings, secrets, {"since": (NOW - timedelta(days=30)).date().isoformat()}, 100, NOW)
    assert [item.hints["message_id"] for item in batch.messages] == ["<recent@example.net>"]
    assert batch.cursor["uid"] == 2


def test_a_stopped_server_is_a_network_error_and_fetching_catches_up_once_it_is_back(trusting_app, dovecot):
    dovecot.deliver(mail(message_id="<1@example.net>"))
    settings, secrets = channel_settings(dovecot)
    with trusting_app.app_context():
        dovecot.stop()
        with pytest.raises(ChannelError) as failed:
            KIND.fetch(settings, secrets, None, 10, NOW)
        assert failed.value.code == "network"
        dovecot.start()
        assert [item.hints["message_id"] for item in KIND.fetch(settings, secrets, None, 10, NOW).messages] == \
            ["<1@example.net>"]
