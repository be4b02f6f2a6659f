"""The e-mail channel without a mailbox: settings, sample mails, threading, marketplaces, bounces, SMTP."""
import io
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from pydantic import ValidationError
from sqlalchemy import select, update

from sellerkit import inbox
from sellerkit.accounts.models import User
from sellerkit.channels.email import settings as email_settings
from sellerkit.channels.email.checks import check_smtp
from sellerkit.channels.email.kind import EmailKind
from sellerkit.channels.email.parsing import ORIGINAL_TEXT, parse_mail
from sellerkit.channels.email.quotes import split_quoted
from sellerkit.channels.email.sending import channel_delivery
from sellerkit.channels.email.tokens import signing_key
from sellerkit.channels.kinds import ChannelError
from sellerkit.extensions import db as sqla
from sellerkit.outbox.labels import failure_label
from sellerkit.outbox.models import OutboxItem
from sellerkit.outbox.transports import DeliveryError
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Buyer, Message, Order
from sellerkit.threads.outbound import build_reply_delivery
from tests.conftest import NOW
from tests.mailchannel import ADDRESS, mail, sample, store
from tests.samples import png

LATER = NOW + timedelta(hours=1)
GOOD_SETTINGS = {"address": "Shop@Example.com", "imap_host": "imap.example.com", "imap_port": "993",
                 "imap_security": "tls", "username": "shop@example.com", "password": "app password",
                 "smtp_host": "smtp.example.com", "smtp_port": 587, "smtp_security": "starttls"}


def parsed(raw):
    return parse_mail(raw, ADDRESS, LATER)


def test_good_settings_are_taken_as_given():
    model, errors = email_settings.validate(GOOD_SETTINGS)
    assert errors == {}
    assert (model.address, model.imap_port, model.folder, model.smtp_username) == ("shop@example.com", 993, "INBOX", "")


@pytest.mark.parametrize("changes, field, words", [
    ({"imap_security": "none"}, "imap_security", "plain connections are allowed only to a server on this computer"),
    ({"smtp_username": "shop"}, "smtp_username", "Fill in both the SMTP user name and the SMTP password"),
    ({"imap_port": "ninety"}, "imap_port", "Enter a port number from 1 to 65535."),
    ({"address": "shop at example"}, "address", "Enter an e-mail address"),
    ({"imap_host": "imap example"}, "imap_host", "Enter a server name"),
    ({"password": ""}, "password", "This field is required."),
])
def test_wrong_settings_are_refused_naming_the_field_and_the_fix(app, changes, field, words):
    with app.test_request_context():
        model, errors = email_settings.validate({**GOOD_SETTINGS, **changes})
        assert model is None
        assert words in str(errors[field])


def test_a_plain_connection_to_this_computer_is_allowed(app):
    model, errors = email_settings.validate({**GOOD_SETTINGS, "imap_host": "127.0.0.1", "imap_security": "none"})
    assert errors == {} and model.imap_security == "none"


def test_every_preset_with_an_address_and_password_is_valid_settings():
    for _label, values in email_settings.PRESETS.values():
        filled = {**GOOD_SETTINGS, **values}
        assert email_settings.validate(filled)[1] == {}


@pytest.mark.parametrize("name, name_of_buyer, subject, words", [
    ("windows1251.eml", "Иван Петров", "Вопрос о заказе", "Здравствуйте! Когда вы отправите мой заказ?"),
    ("koi8r.eml", "Ольга", "Спасибо", "Посылка пришла, спасибо!"),
    ("persian_subject.eml", "مریم احمدی", "سفارش من کی می‌رسد؟", "سلام، سفارش من هنوز نرسیده است."),
    ("chinese_subject.eml", "王芳", "我的订单什么时候发货？", "你好，请问我的订单什么时候发货？"),
])
def test_names_subjects_and_text_are_read_in_any_charset(name, name_of_buyer, subject, words):
    inbound = parsed(sample(name)).inbound
    assert (inbound.buyer_name, inbound.subject, inbound.body) == (name_of_buyer, subject, words)


def test_an_html_only_mail_becomes_clean_text_and_its_quoted_history_stays_in_a_file():
    fetched = parsed(sample("html_only.eml"))
    assert fetched.inbound.body == \
        "Hello,\nthe mug arrived broken \N{EM DASH} photo attached.\n\nCan you send a new one?"
    (name, content_type, content), = fetched.files
    assert (name, content_type) == (ORIGINAL_TEXT, "text/plain")
    assert "Your order has shipped." in content.decode() and "track()" not in content.decode()


def test_quoted_history_is_cut_at_the_attribution_line():
    words, quoted = split_quoted("Thanks, got it!\n\nOn Mon, 1 Dec 2026 at 10:00, My Shop <shop@example.com>\n"
                                 "wrote:\n> Your order shipped.")
    assert words == "Thanks, got it!" and quoted.startswith("On Mon")
    assert split_quoted("Спасибо!\n\n1 декабря 2026 г., Магазин пишет:\n> текст")[0] == "Спасибо!"
    assert split_quoted("> all of it is quoted") == ("> all of it is quoted", "")


def test_rfc_2231_file_names_are_read_and_a_refused_file_is_listed_while_the_words_are_kept(app, make_user, make_shop):
    fetched = parsed(sample("rfc2231_filename.eml"))
    assert [name for name, _type, _content in fetched.files] == ["Чек №1.pdf", "setup.exe"]
    shop_id = make_shop(make_user())
    with app.app_context():
        result, = store(shop_id, [fetched], LATER)
        message = result.received.message
        assert message.body == "The receipt is attached."
        assert [file.filename for file in message.attachments] == ["Чек №1.pdf"]
        assert [(file.filename, file.reason) for file in result.received.refused_files] == [("setup.exe", "file_type")]


def test_mail_not_addressed_to_the_channel_is_passed_over_and_plus_addresses_count():
    assert parsed(sample("not_for_the_shop.eml")) is None
    assert parsed(mail(to="shop+orders@example.com")) is not None
    assert parsed(mail(sender=f"My Shop <{ADDRESS}>")) is None  # our own mail read back


def test_a_mail_that_matches_nothing_starts_a_thread_and_one_message_id_is_stored_once(app, make_user, make_shop):
    shop_id = make_shop(make_user())
    with app.app_context():
        first = store(shop_id, [parsed(mail(message_id="<a@example.net>"))], LATER)
        second = store(shop_id, [parsed(mail(message_id="<b@example.net>", body="Another question"))], LATER)
        again = store(shop_id, [parsed(mail(message_id="<a@example.net>"))], LATER)
        assert [first[0].status, second[0].status, again[0].status] == ["created", "created", "duplicate"]
        assert first[0].received.thread.id != second[0].received.thread.id
        assert sqla.session.scalar(select(Message.id).where(Message.shop_id == shop_id).order_by(Message.id.desc())) \
            == second[0].received.message.id


def _shop_with_reply(app, make_user, make_shop, transport="email"):
    """A shop that answers by e-mail, a buyer's mail and the seller's reply: (shop id, thread id, reply id)."""
    owner = make_user()
    shop_id = make_shop(owner)
    with app.app_context():
        sqla.session.execute(update(Shop).where(Shop.id == shop_id).values(reply_transport=transport))
        received = store(shop_id, [parsed(sample("plain_question.eml"))], NOW)[0].received
        shop = sqla.session.get(Shop, shop_id)
        reply = inbox.send_reply(shop, received.thread, sqla.session.get(User, owner), "It left on Friday.", NOW)
        sqla.session.commit()
        return shop_id, received.thread.id, reply.id


@pytest.mark.parametrize("how", ["in_reply_to", "token", "subject_tag"])
def test_the_buyers_answer_to_our_reply_lands_in_its_thread(app, make_user, make_shop, how):
    shop_id, thread_id, reply_id = _shop_with_reply(app, make_user, make_shop)
    with app.app_context():
        item = sqla.session.scalar(select(OutboxItem).where(OutboxItem.message_id == reply_id))
        delivery = build_reply_delivery(item, app.config, NOW)
        ours = channel_delivery({"address": ADDRESS}, delivery, signing_key())
        reply_to = dict(ours.headers)["Reply-To"]
        answer = {"in_reply_to": mail(message_id="<answer@example.net>", headers=[("In-Reply-To",
                                                                                    ours.message_id_header)]),
                  "token": mail(message_id="<answer@example.net>", to=reply_to),
                  "subject_tag": mail(message_id="<answer@example.net>", subject="Re: " + ours.subject)}[how]
        fetched = parse_mail(answer, ADDRESS, LATER)
        linked, = EmailKind().link(sqla.session.get(Shop, shop_id), {"address": ADDRESS}, [fetched], LATER)
        assert linked.inbound.thread_id == thread_id


def test_a_forged_token_or_another_shops_message_id_starts_a_new_thread(app, make_user, make_shop):
    shop_id, thread_id, reply_id = _shop_with_reply(app, make_user, make_shop)
    with app.app_context():
        shop = sqla.session.get(Shop, shop_id)
        for answer in (mail(to=f"shop+t{thread_id}s{shop_id}x0000000000@example.com"),
                       mail(headers=[("In-Reply-To", f"<sellerkit.{reply_id}.{shop_id + 1}@example.com>")]),
                       mail(subject=f"Re: [#{thread_id}-{shop_id}-abcdefghij]")):
            linked, = EmailKind().link(shop, {"address": ADDRESS}, [parse_mail(answer, ADDRESS, LATER)], LATER)
            assert linked.inbound.thread_id is None and linked.inbound.thread_external_id.startswith("email:")


def test_a_bounce_marks_the_reply_it_returns_failed_and_stays_in_its_thread(app, make_user, make_shop):
    shop_id, thread_id, reply_id = _shop_with_reply(app, make_user, make_shop)
    with app.app_context():
        bounce = parsed(sample("dsn_bounce.eml", message_id=f"<sellerkit.{reply_id}.{shop_id}@example.com>"))
        result, = store(shop_id, [bounce], LATER)
        item = sqla.session.scalar(select(OutboxItem).where(OutboxItem.message_id == reply_id))
        assert item.status == "failed" and "550 5.1.1" in item.last_error
        assert str(failure_label(item.last_error)).startswith("The buyer's mail server sent the reply back")
        assert result.received.thread.id == thread_id and result.received.message.is_automatic


def test_list_mail_and_vacation_replies_are_automatic_and_open_no_clock(app, make_user, make_shop):
    shop_id = make_shop(make_user())
    with app.app_context():
        listed, vacation = store(shop_id, [parsed(sample("list_mail.eml")),
                                           parsed(sample("vacation_autoreply.eml", in_reply_to="<x@example.net>"))],
                                 LATER)
        for result in (listed, vacation):
            assert result.received.message.is_automatic and result.received.thread.waiting_since is None
            assert result.received.auto_reply is None


def test_an_amazon_relay_mail_is_one_buyer_with_the_order_and_replies_go_to_the_relay(app, make_user, make_shop):
    shop_id = make_shop(make_user())
    with app.app_context():
        sqla.session.execute(update(Shop).where(Shop.id == shop_id).values(reply_transport="email"))
        result, = store(shop_id, [parsed(sample("amazon_relay.eml"))], LATER)
        thread = result.received.thread
        assert result.received.message.body == \
            "Hi, the charger I received does not fit my laptop. Can I exchange it?"
        assert sqla.session.get(Order, thread.order_id).platform_order_ref == "114-3941689-8772232"
        buyer = sqla.session.get(Buyer, thread.buyer_id)
        assert (buyer.display_name, buyer.email) == ("John Smith", "9x7kq2rzmp4tnw1@marketplace.amazon.com")
        reply = inbox.send_reply(sqla.session.get(Shop, shop_id), thread, None, "Yes, send it back.", LATER)
        item = sqla.session.scalar(select(OutboxItem).where(OutboxItem.message_id == reply.id))
        assert build_reply_delivery(item, app.config, LATER).to_email == "9x7kq2rzmp4tnw1@marketplace.amazon.com"


@pytest.mark.parametrize("name, buyer, order, link", [
    ("ebay_notification.eml", "jane_doe42", "12-34567-89012", "https://www.ebay.com/mesg/"),
    ("etsy_notification.eml", "maria_k", "2745183920", "https://www.etsy.com/your/conversations/5561234789"),
])
def test_ebay_and_etsy_notifications_become_a_buyers_thread_answered_by_hand(app, make_user, make_shop, name,
                                                                              *, buyer, order, link):
    shop_id = make_shop(make_user())
    with app.app_context():
        result, = store(shop_id, [parsed(sample(name))], LATER)
        thread = result.received.thread
        assert sqla.session.get(Buyer, thread.buyer_id).display_name == buyer
        assert sqla.session.get(Order, thread.order_id).platform_order_ref == order
        # A buyer's words relayed by a platform: not machine mail, the clock runs.
        assert not result.received.message.is_automatic and thread.waiting_since is not None
        assert EmailKind().manual_reply_url(thread) == link
        reply = inbox.send_reply(sqla.session.get(Shop, shop_id), thread, None, "Yes!", LATER)
        item = sqla.session.scalar(select(OutboxItem).where(OutboxItem.message_id == reply.id))
        with pytest.raises(DeliveryError) as refused:
            EmailKind().send({"address": ADDRESS, "smtp_host": "127.0.0.1", "smtp_security": "none"}, {},
                             build_reply_delivery(item, app.config, LATER), LATER)
        assert refused.value.permanent


def test_a_reply_leaves_through_the_channels_server_threaded_from_its_address(app, make_user, make_shop,
                                                                             smtp_server):
    shop_id, thread_id, reply_id = _shop_with_reply(app, make_user, make_shop)
    with app.app_context():
        item = sqla.session.scalar(select(OutboxItem).where(OutboxItem.message_id == reply_id))
        settings = {"address": ADDRESS, "smtp_host": "127.0.0.1", "smtp_port": smtp_server.config["port"],
                    "smtp_security": "none", "smtp_username": ""}
        EmailKind().send(settings, {}, build_reply_delivery(item, app.config, NOW), NOW)
    envelope, = smtp_server.envelopes
    sent = message_from_bytes(envelope.content, policy=policy.default)
    assert (envelope.mail_from, envelope.rcpt_tos) == (ADDRESS, ["anna.buyer@example.net"])
    assert sent["Message-ID"] == f"<sellerkit.{reply_id}.{shop_id}@example.com>"
    assert sent["In-Reply-To"] == sent["References"] == "<CAB1234.anna@mail.example.net>"
    assert sent["Reply-To"].startswith(f"shop+t{thread_id}s{shop_id}x")
    assert sent["Subject"].startswith("Re: Where is my parcel? [#") and sent["Auto-Submitted"] is None
    assert sent.get_content().strip() == "It left on Friday."


@pytest.mark.parametrize("mode, security", [("starttls", "starttls"), ("smtps", "tls")])
def test_the_smtp_step_verifies_the_servers_certificate(make_app, tls_smtp_server, mode, security):
    server = tls_smtp_server(mode)
    settings = {"smtp_host": "127.0.0.1", "smtp_port": server.port, "smtp_security": security, "smtp_username": ""}
    with make_app(MAIL_CA_FILE=server.certificate).app_context():
        assert check_smtp(settings, {}) is None
    with make_app().app_context():
        assert "certificate is not valid" in str(check_smtp(settings, {}))


def test_a_mail_in_an_unknown_charset_keeps_its_words():
    raw = mail(body="Plain words").replace(b"charset=utf-8", b"charset=x-no-such-charset")
    assert parsed(raw).inbound.body == "Plain words"


def test_an_automatic_reply_with_a_file_leaves_marked_and_attached(app, make_user, make_shop, smtp_server):
    owner = make_user()
    shop_id = make_shop(owner)
    with app.app_context():
        sqla.session.execute(update(Shop).where(Shop.id == shop_id).values(reply_transport="email"))
        thread = store(shop_id, [parsed(sample("plain_question.eml"))], NOW)[0].received.thread
        shop = sqla.session.get(Shop, shop_id)
        reply = inbox.send_reply(shop, thread, sqla.session.get(User, owner), "Photo attached.", NOW,
                                 files=[("box.png", io.BytesIO(png()))])
        reply.is_automatic = True
        sqla.session.commit()
        item = sqla.session.scalar(select(OutboxItem).where(OutboxItem.message_id == reply.id))
        settings = {"address": ADDRESS, "smtp_host": "127.0.0.1", "smtp_port": smtp_server.config["port"],
                    "smtp_security": "none", "smtp_username": ""}
        EmailKind().send(settings, {}, build_reply_delivery(item, app.config, NOW), NOW)
    sent = message_from_bytes(smtp_server.envelopes[0].content, policy=policy.default)
    assert sent["Auto-Submitted"] == "auto-replied"
    assert [(part.get_filename(), part.get_content_type()) for part in sent.iter_attachments()] == \
        [("box.png", "image/png")]


def test_a_cloud_metadata_address_is_never_contacted(app):
    settings = {**GOOD_SETTINGS, "imap_host": "169.254.169.254", "smtp_host": "169.254.169.254"}
    with app.app_context():
        with pytest.raises(ChannelError) as refused:
            EmailKind().fetch(settings, {"password": "x"}, None, 10, NOW)
        assert refused.value.code == "not_allowed"
        assert "never connects to" in str(check_smtp(settings, {}))


def test_pydantics_own_messages_are_the_translated_ones(app):
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        with pytest.raises(ValidationError) as refused:
            EmailKind.settings_model.model_validate({**GOOD_SETTINGS, "password": ""})
        assert refused.value.errors()[0]["msg"] == "Это обязательное поле."
