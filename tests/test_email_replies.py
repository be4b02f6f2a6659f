"""E-mail replies: switched on only with a mail server that answers; a failed one names its conversation and why."""
import socket

import pytest
from sqlalchemy import select, update

from sellerkit.extensions import db as sqla
from sellerkit.outbox import mailcheck
from sellerkit.outbox.delivery import deliver_due
from sellerkit.outbox.domain import failure_kind
from sellerkit.outbox.models import OutboxItem
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Buyer
from tests.conftest import NOW, PASSWORD
from tests.servers import free_port
from tests.test_shops import settings_form


def owner_client(app, make_user, make_shop, **shop_values):
    shop_id = make_shop(make_user())
    if shop_values:
        with app.app_context():
            sqla.session.execute(update(Shop).values(**shop_values))
            sqla.session.commit()
    client = app.test_client()
    client.post("/login", data={"email": "owner@example.com", "password": PASSWORD})
    return client, shop_id


def switch_to_email(client, shop_id, **changes):
    return client.post(f"/shops/{shop_id}/settings", data=settings_form(reply_transport="email",
                                                                        reply_from_email="shop@example.com", **changes))


def transport(app, shop_id):
    with app.app_context():
        return sqla.session.get(Shop, shop_id).reply_transport


@pytest.fixture
def silent_server():
    """A port that takes connections and never says a word, as a hung mail server does."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_switching_to_email_without_a_mail_server_is_refused(app, make_user, make_shop):
    client, shop_id = owner_client(app, make_user, make_shop)
    response = switch_to_email(client, shop_id)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="reply_transport-error"' in page
    assert "no mail server is set up for sellerkit" in page
    assert transport(app, shop_id) == "manual"


@pytest.mark.parametrize("server", ["closed", "silent"])
def test_switching_to_email_with_a_server_that_does_not_answer_is_refused(make_app, make_user, make_shop,
                                                                         silent_server, monkeypatch, server):
    monkeypatch.setattr(mailcheck, "CHECK_TIMEOUT_SECONDS", 0.5)
    port = free_port() if server == "closed" else silent_server
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    client, shop_id = owner_client(app, make_user, make_shop)
    response = switch_to_email(client, shop_id)
    assert response.status_code == 422
    assert f"the mail server 127.0.0.1:{port} does not answer" in response.get_data(as_text=True)
    assert transport(app, shop_id) == "manual"


@pytest.mark.parametrize("setting, words", [({"MAIL_USE_STARTTLS": True}, "did not accept a secure connection"),
                                            ({"MAIL_USERNAME": "shop", "MAIL_PASSWORD": "pw"},
                                             "did not accept sellerkit's user name and password")])
def test_switching_to_email_is_refused_when_the_server_refuses_tls_or_login(make_app, make_user, make_shop,
                                                                            smtp_server, setting, words):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.config["port"], **setting)
    client, shop_id = owner_client(app, make_user, make_shop)
    response = switch_to_email(client, shop_id)
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    assert transport(app, shop_id) == "manual"


def test_switching_to_email_with_a_working_server_is_saved_and_sends_nothing(make_app, make_user, make_shop,
                                                                            smtp_server):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.config["port"])
    client, shop_id = owner_client(app, make_user, make_shop)
    assert switch_to_email(client, shop_id).status_code == 302
    assert transport(app, shop_id) == "email"
    assert smtp_server.envelopes == []


def test_a_shop_already_on_email_saves_other_settings_while_the_server_is_away(app, make_user, make_shop):
    client, shop_id = owner_client(app, make_user, make_shop, reply_transport="email")
    assert switch_to_email(client, shop_id, name="Amber Studio II").status_code == 302
    with app.app_context():
        assert sqla.session.get(Shop, shop_id).name == "Amber Studio II"


@pytest.fixture
def failed_reply(app, make_user, make_shop, make_conversation):
    """An e-mail reply whose delivery met a mail server that did not answer: (client, ids)."""
    client, shop_id = owner_client(app, make_user, make_shop, reply_transport="email")
    ids = make_conversation(shop_id, 1)
    with app.app_context():
        sqla.session.execute(update(Buyer).values(email="maryam@example.com"))
        sqla.session.commit()
        assert deliver_due(NOW, {**app.config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port()}) == (0, 1)
    return client, ids


def test_the_inbox_banner_names_the_conversation_and_says_why_in_words(failed_reply):
    client, ids = failed_reply
    page = client.get("/inbox").get_data(as_text=True)
    banner = page[page.index("Some replies were not delivered"):page.index("</section>")]
    assert f'/threads/{ids["thread_id"]}#message-' in banner
    assert ">Order question</a>" in banner
    assert "The mail server did not answer." in banner


def test_the_thread_offers_retry_for_a_failed_delivery_and_it_is_due_again(app, failed_reply):
    client, ids = failed_reply
    page = client.get(f"/threads/{ids['thread_id']}").get_data(as_text=True)
    assert "Last attempt failed: The mail server did not answer." in page
    assert f'action="/outbox/{ids["item_id"]}/retry"' in page
    assert client.post(f"/outbox/{ids['item_id']}/retry").status_code == 302
    with app.app_context():
        item = sqla.session.get(OutboxItem, ids["item_id"])
        assert (item.status, item.attempts) == ("pending", 0)


def test_every_delivery_failure_the_transports_write_has_words_for_the_seller(app, make_user, make_shop,
                                                                             make_conversation, smtp_server,
                                                                             receiver):
    """Real failures, each recorded as the sweep does; none may fall back to the generic words."""
    shop_id = make_shop(make_user())
    make_conversation(shop_id, 1)
    email, hook = {"reply_transport": "email"}, {"reply_transport": "webhook", "webhook_secret": "s"}
    smtp = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.config["port"]}
    private = {"WEBHOOK_ALLOW_PRIVATE": True}
    cases = [
        (email, {"MAIL_SERVER": None}, None, "mail_server_missing"),
        (email, smtp, None, "buyer_without_email"),
        (email, smtp, "not an address", "bad_buyer_address"),
        (email, {**smtp, "MAIL_PORT": free_port()}, "a@example.com", "mail_server_unreachable"),
        (email, smtp, "reject@example.com", "mail_server_refused"),
        ({**hook, "webhook_url": receiver.base + "/500"}, private, None, "webhook_refused"),
        ({**hook, "webhook_url": f"http://127.0.0.1:{free_port()}/x"}, private, None, "webhook_unreachable"),
        ({**hook, "webhook_url": receiver.base + "/ok"}, {}, None, "webhook_address_refused"),
    ]
    reasons = []
    for shop_values, config, buyer_email, _kind in cases:
        with app.app_context():
            sqla.session.execute(update(Shop).values(**shop_values))
            sqla.session.execute(update(Buyer).values(email=buyer_email))
            sqla.session.execute(update(OutboxItem).values(status="pending", due_at=NOW, last_error=None,
                                                           transport=shop_values["reply_transport"], attempts=0))
            sqla.session.commit()
            deliver_due(NOW, {**app.config, **config})
            reasons.append(sqla.session.scalar(select(OutboxItem.last_error)))
    assert [failure_kind(reason) for reason in reasons] == [kind for *_case, kind in cases], reasons
