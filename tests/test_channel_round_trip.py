"""A mailbox connected in the browser, end to end, in English and Persian: the seller connects the shop's mailbox
on a real Dovecot, a buyer's mail comes in through the scheduler's poll, the seller answers in the browser, the
answer reaches the buyer's SMTP server threaded to the mail, and the buyer's answer lands in the same
conversation; an auto-responder on the buyer's side ends after one exchange; a bounce marks the reply failed."""
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import func, select

from sellerkit.channels import polling
from sellerkit.channels.models import Channel
from sellerkit.clock import utcnow
from sellerkit.extensions import db as sqla
from sellerkit.outbox.delivery import deliver_due
from sellerkit.outbox.models import OutboxItem
from sellerkit.threads.models import Message, Thread
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LiveServer
from tests.conftest import PASSWORD
from tests.mailchannel import ADDRESS, mail, sample

pytestmark = [pytest.mark.browser, pytest.mark.dovecot]
PHONE = {"width": 360, "height": 780}


@pytest.fixture
def server(make_app, test_ca):
    app = make_app(WTF_CSRF_ENABLED=True, MAIL_CA_FILE=test_ca[0])
    with LiveServer(app) as live:
        live.app = app
        live.clock = utcnow()
        yield live


def poll(server):
    """The scheduler's channel job a few minutes later, when the channel is due again."""
    server.clock = max(server.clock, utcnow()) + timedelta(minutes=5)
    with server.app.app_context():
        polling.poll_due(server.clock)


def deliver(server):
    """The scheduler's outbox job, a minute after the last poll."""
    with server.app.app_context():
        deliver_due(max(server.clock, utcnow()) + timedelta(minutes=1), server.app.config)


def sent_mails(smtp_server):
    return [message_from_bytes(envelope.content, policy=policy.default) for envelope in smtp_server.envelopes]


def connect_mailbox(page, shop_id, dovecot, smtp_port):
    """From the shop's overview to a saved e-mail channel, through Connect a channel and a connection test."""
    page.goto(f"/shops/{shop_id}/connect")
    page.locator(f'main a[href*="/shops/{shop_id}/channels/new"][href*="kind=email"]').click()
    page.wait_for_url("**/channels/new*")
    values = {"address": ADDRESS, "imap_host": "127.0.0.1", "imap_port": str(dovecot.tls_port),
              "username": dovecot.user, "password": dovecot.password, "folder": "INBOX",
              "smtp_host": "127.0.0.1", "smtp_port": str(smtp_port)}
    for name, value in values.items():
        page.locator(f"main [name={name}]").fill(value)
    page.locator("main select[name=imap_security]").select_option("tls")
    page.locator("main select[name=smtp_security]").select_option("none")
    page.locator("main [name=test]").click()
    page.wait_for_load_state()
    assert page.locator("main .checks .failed").count() == 0
    assert page.locator("main .checks li").count() == 5
    page.locator("main [name=password]").fill(dovecot.password)  # a secret is never sent back to the page
    page.locator("main [name=save]").click()
    page.wait_for_url("**/channels/*")


@pytest.mark.parametrize("locale", ["en", "fa"])
def test_a_mailbox_connected_in_the_browser_carries_a_conversation_both_ways(
        server, dovecot, smtp_server, make_user, make_shop, make_vacation, *, locale):
    from playwright.sync_api import expect, sync_playwright

    app = server.app
    shop_id = make_shop(make_user(locale=locale))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(base_url=server.url, locale=locale, viewport=PHONE).new_page()
        page.goto("/login")
        page.locator("main input[name=email]").fill("owner@example.com")
        page.locator("main input[name=password]").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/inbox")
        connect_mailbox(page, shop_id, dovecot, smtp_server.config["port"])
        with app.app_context():
            channel = sqla.session.scalar(select(Channel).where(Channel.shop_id == shop_id))
            assert channel.kind == "email" and channel.settings["address"] == ADDRESS
            assert "password" not in channel.settings and dovecot.password not in (channel.secrets or "")

        # A buyer writes; the next poll brings the mail in as a conversation of the channel.
        dovecot.deliver(mail(subject="Gift wrap?", body="Can you gift-wrap the mug?",
                             message_id="<q1@buyer.example.net>"))
        poll(server)
        page.goto("/inbox")
        page.locator(".thread-row a", has_text="Gift wrap?").first.click()
        page.wait_for_url("**/threads/*")
        thread_id = int(page.url.rsplit("/", 1)[1])
        expect(page.locator("main")).to_contain_text("Can you gift-wrap the mug?")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # The seller answers in the browser; the scheduler sends it through the channel's own SMTP server.
        page.locator("#composer textarea[name=body]").fill("Yes, with a red ribbon.")
        page.locator("#composer form button[type=submit]").first.click()
        page.wait_for_url(f"**/threads/{thread_id}*")
        deliver(server)
        answer, = sent_mails(smtp_server)
        assert answer["In-Reply-To"] == "<q1@buyer.example.net>"
        assert answer["From"].addresses[0].addr_spec == ADDRESS
        assert answer["Message-ID"].endswith("@example.com>")
        assert "Yes, with a red ribbon." in answer.get_body(("plain",)).get_content()

        # The buyer answers that mail: the answer lands in the same conversation, on the same page.
        dovecot.deliver(mail(subject="Re: " + answer["Subject"], body="Perfect, thank you!",
                             message_id="<q2@buyer.example.net>",
                             headers=[("In-Reply-To", answer["Message-ID"]), ("References", answer["Message-ID"])]))
        poll(server)
        page.reload()
        expect(page.locator("main")).to_contain_text("Perfect, thank you!")
        with app.app_context():
            assert sqla.session.scalar(select(func.count()).select_from(Thread)
                                       .where(Thread.shop_id == shop_id)) == 1

        # Away on vacation: a new buyer gets one auto-reply, and their out-of-office answer to it gets none.
        make_vacation(shop_id, starts_at=utcnow() - timedelta(days=1),
                      bodies={"en": "We are away until {vacation_return_date}.",
                              "fa": "تا {vacation_return_date} در سفر هستیم."})
        dovecot.deliver(mail(subject="Sizes?", body="Do you have it in blue?", sender="Ben <ben@buyer.example.net>",
                             message_id="<b1@buyer.example.net>"))
        poll(server)
        deliver(server)
        auto_reply = sent_mails(smtp_server)[-1]
        assert auto_reply["Auto-Submitted"] == "auto-replied" and auto_reply["In-Reply-To"] == "<b1@buyer.example.net>"
        dovecot.deliver(sample("vacation_autoreply.eml", in_reply_to=auto_reply["Message-ID"]))
        poll(server)
        deliver(server)
        assert len(sent_mails(smtp_server)) == 2

        # A bounce of the first answer marks that reply failed, and its conversation says so.
        dovecot.deliver(sample("dsn_bounce.eml", message_id=answer["Message-ID"]))
        poll(server)
        with app.app_context():
            reply_id = sqla.session.scalar(select(Message.id).where(Message.thread_id == thread_id,
                                                                    Message.kind == "reply"))
            item = sqla.session.scalar(select(OutboxItem).where(OutboxItem.message_id == reply_id))
            assert item.transport == "channel" and item.status == "failed"
        page.reload()
        expect(page.locator("main .error").first).to_be_visible()
        browser.close()
