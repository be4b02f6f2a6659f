"""The Allegro kind against its contract server: OAuth, threads and issues, disputes, orders, replies."""
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from sellerkit import inbox
from sellerkit.channels.allegro import Allegro
from sellerkit.channels.allegro_client import is_allegro_host
from sellerkit.channels.kinds import ChannelError
from sellerkit.extensions import db as sqla
from sellerkit.outbox.domain import failure_kind
from sellerkit.outbox.transports import DeliveryError
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Order, Thread
from tests.contracts.allegro import AllegroServer
from tests.platforms import fetch_until_done, reply_delivery

#: The contract server listens on loopback: the kind is allowed private addresses, as WEBHOOK_ALLOW_PRIVATE does.
LOCAL = {"allow_private": True}
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
REDIRECT = "https://sellerkit.example.com/channels/oauth/callback"


@pytest.fixture
def platform():
    server = AllegroServer().start()
    yield server
    server.stop()


def settings_for(server):
    return {"client_id": "app-1", "base_url": server.url}


def connected(server):
    """The secrets of a channel that has signed in, as the layer would keep them."""
    return {"client_secret": "s3cret", "refresh_token": server.issue_refresh_token()}


def fetch_all(kind, server, secrets, cursor=None, limit=25):
    return fetch_until_done(
        lambda cursor: kind.fetch(settings_for(server), secrets, cursor, limit, NOW), cursor, limit)


def test_signing_in_exchanges_the_code_and_a_used_code_is_refused(platform):
    kind = Allegro(**LOCAL)
    url = urlsplit(kind.authorize_url(settings_for(platform), "state-1", REDIRECT))
    query = {k: v[-1] for k, v in parse_qs(url.query).items()}
    assert url.path == "/auth/oauth/authorize"
    assert (query["client_id"], query["redirect_uri"], query["state"], query["response_type"]) == \
        ("app-1", REDIRECT, "state-1", "code")
    code = platform.issue_code(REDIRECT)
    secrets = {"client_secret": "s3cret"}

    kind.exchange_code(settings_for(platform), secrets, code, REDIRECT, NOW)

    assert secrets["access_token"] in platform.access_tokens and secrets["refresh_token"] in platform.refresh_tokens
    assert secrets["expires_at"] == (NOW + timedelta(seconds=43199)).isoformat()
    with pytest.raises(ChannelError) as used:
        kind.exchange_code(settings_for(platform), {"client_secret": "s3cret"}, code, REDIRECT, NOW)
    assert used.value.code == "invalid_grant"
    with pytest.raises(ChannelError) as wrong_app:
        kind.exchange_code(settings_for(platform), {"client_secret": "nope"}, platform.issue_code(REDIRECT),
                           REDIRECT, NOW)
    assert wrong_app.value.code == "auth"


def test_sandbox_signs_in_on_its_own_domain():
    url = Allegro(**LOCAL).authorize_url({"client_id": "app-1", "environment": "sandbox"}, "s", REDIRECT)
    assert url.startswith("https://allegro.pl.allegrosandbox.pl/auth/oauth/authorize?")


def test_an_expired_token_is_refreshed_and_the_caller_sees_the_new_secrets(platform):
    platform.add_thread("t1", "kupujacy_1")
    platform.add_message("t1", "Dzień dobry", minute=5)
    kind = Allegro(**LOCAL)
    secrets = connected(platform)
    first_refresh = secrets["refresh_token"]

    fetch_all(kind, platform, secrets)
    assert secrets["refresh_token"] != first_refresh and secrets["refresh_token"] in platform.refresh_tokens
    kept = dict(secrets)

    platform.expire_tokens()  # revoked before its time: the 401 brings one refresh, then the request again
    platform.add_message("t1", "Czy paczka już wyszła?", minute=50)
    fetched, _ = fetch_all(kind, platform, secrets)
    assert [item.inbound.body for item in fetched][-1] == "Czy paczka już wyszła?"
    assert secrets["access_token"] != kept["access_token"] and secrets["refresh_token"] != kept["refresh_token"]

    with pytest.raises(ChannelError) as withdrawn:  # the old refresh token was rotated away
        kind.fetch(settings_for(platform), {"client_secret": "s3cret", "refresh_token": first_refresh}, None, 10,
                   NOW)
    assert withdrawn.value.code == "invalid_grant"


def test_threads_and_issues_arrive_once_across_pages_and_then_only_what_is_new(platform):
    for number in range(45):  # three pages of threads
        platform.add_thread(f"t{number}", f"buyer_{number}")
        platform.add_message(f"t{number}", f"Pytanie {number}", minute=number, order=f"order-{number}")
        platform.add_message(f"t{number}", f"Odpowiedź {number}", minute=number + 1, from_buyer=False)
    for number in range(130):  # a long thread: seven pages of messages, read in parts
        platform.add_message("t3", f"Długa {number}", minute=100 + number)
    platform.add_issue("i1", "buyer_7", "order-7", minute=60)
    platform.add_issue_message("i1", "Towar uszkodzony", minute=61)
    platform.add_issue_message("i1", "Prosimy o zdjęcia", minute=62, role="ADMIN")
    kind = Allegro(**LOCAL)
    secrets = connected(platform)

    fetched, cursor = fetch_all(kind, platform, secrets)

    ids = [item.inbound.external_id for item in fetched]
    assert len(ids) == len(set(ids)) == 45 + 130 + 2
    long_thread = [item.inbound.body for item in fetched if item.inbound.thread_external_id == "allegro:thread:t3"]
    assert long_thread == ["Pytanie 3"] + [f"Długa {n}" for n in range(130)]
    issue = next(item for item in fetched if item.inbound.thread_external_id == "allegro:issue:i1")
    assert (issue.inbound.body, issue.inbound.order_reference, issue.hints["platform_dispute"]) == \
        ("Towar uszkodzony", "order-7", True)
    allegros = [item.inbound for item in fetched if item.inbound.body.startswith("[Allegro]")]
    assert [(i.body, i.buyer_external_id) for i in allegros] == [("[Allegro] Prosimy o zdjęcia", "allegro:buyer_7")]
    first = next(item.inbound for item in fetched if item.inbound.thread_external_id == "allegro:thread:t9")
    assert (first.buyer_external_id, first.order_reference) == ("allegro:buyer_9", "order-9")

    platform.add_message("t20", "Jeszcze jedno", minute=400)
    platform.add_issue_message("i1", "Zdjęcia w załączniku", minute=401)
    again, _ = fetch_all(kind, platform, secrets, cursor)
    assert sorted(item.inbound.body for item in again) == ["Jeszcze jedno", "Zdjęcia w załączniku"]


def test_an_issue_becomes_a_dispute_on_its_conversation(app, platform, make_user, make_shop):
    shop_id = make_shop(make_user(), platform="other")
    platform.add_thread("t1", "anna")
    platform.add_message("t1", "Kiedy wysyłka?", minute=1, order="order-1")
    platform.add_issue("i9", "anna", "order-1", kind="CLAIM", minute=2)
    platform.add_issue_message("i9", "Reklamuję produkt", minute=3)
    kind = Allegro(**LOCAL)
    batch = kind.fetch(settings_for(platform), connected(platform), None, 50, NOW)
    with app.app_context():
        shop = sqla.session.get(Shop, shop_id)
        fetched = kind.link(shop, None, batch.messages, NOW)
        results = inbox.receive_buyer_messages(shop, [item.inbound for item in fetched], NOW)
        kind.after_store(shop, None, fetched, results, NOW)
        sqla.session.commit()
        threads = {t.external_id: t for t in sqla.session.scalars(select(Thread).where(Thread.shop_id == shop_id))}
        assert threads["allegro:issue:i9"].is_dispute and not threads["allegro:thread:t1"].is_dispute
        assert threads["allegro:issue:i9"].order_id == threads["allegro:thread:t1"].order_id


def test_a_buyer_file_comes_with_the_message(platform):
    platform.add_thread("t1", "anna")
    platform.add_message("t1", "Zdjęcie", minute=1, attachments=[platform.add_file("a.jpg", b"\xff\xd8jpeg")])
    (item,), _ = fetch_all(Allegro(**LOCAL), platform, connected(platform))
    assert item.files == (("a.jpg", "image/jpeg", b"\xff\xd8jpeg"),)


def test_a_reply_declares_and_uploads_its_file_then_reaches_the_thread(platform):
    platform.add_thread("t1", "anna")
    secrets = connected(platform)
    invoice = (("f.pdf", "application/pdf", b"%PDF-1"),)
    Allegro(**LOCAL).send(settings_for(platform), secrets,
                          reply_delivery("allegro:thread:t1", "Faktura w załączniku", invoice), NOW)
    ((thread, text, attachment_ids),) = platform.sent
    assert (thread, text) == ("t1", "Faktura w załączniku")
    assert platform.attachments[attachment_ids[0]]["content"] == b"%PDF-1"

    Allegro(**LOCAL).send(settings_for(platform), secrets, reply_delivery("allegro:issue:i1", "Proszę o zdjęcia"), NOW)
    assert platform.sent[-1] == ("i1", "Proszę o zdjęcia", [])


def test_what_allegro_would_refuse_is_refused_before_sending(platform):
    secrets = connected(platform)
    cases = [("x" * 2001, (), "platform_too_long"),
             ("Plik", (("a.exe", "application/x-msdownload", b"MZ"),), "platform_files_refused"),
             ("Plik", (("big.png", "image/png", b"0" * (5 * 1024 * 1024 + 1)),), "platform_files_refused")]
    for body, files, kind in cases:
        with pytest.raises(DeliveryError) as refused:
            reply = reply_delivery("allegro:thread:t1", body, files)
            Allegro(**LOCAL).send(settings_for(platform), secrets, reply, NOW)
        assert refused.value.permanent and failure_kind(refused.value.reason) == kind
    assert platform.log == []  # not even a token was asked for


def test_limits_and_outages_are_told_apart(platform):
    secrets = connected(platform)
    platform.add_thread("t1", "anna")
    platform.faults.append((429, {"errors": []}, {"Retry-After": "30"}))
    with pytest.raises(DeliveryError) as limited:
        Allegro(**LOCAL).send(settings_for(platform), secrets, reply_delivery("allegro:thread:t1", "Dzień dobry"), NOW)
    assert not limited.value.permanent and failure_kind(limited.value.reason) == "platform_rate_limited"
    platform.faults.append((503, {"errors": []}, {}))
    with pytest.raises(ChannelError) as down:
        Allegro(**LOCAL).fetch(settings_for(platform), secrets, None, 10, NOW)
    assert down.value.code == "unavailable"


def test_the_connection_test(app, platform):
    kind = Allegro(**LOCAL)
    with app.test_request_context():
        assert [(c.step, c.ok) for c in kind.test(settings_for(platform), connected(platform), NOW)] == \
            [("login", True)]
        (never,) = kind.test(settings_for(platform), {"client_secret": "s3cret"}, NOW)
        assert not never.ok and "Sign in" in str(never.message)
        (withdrawn,) = kind.test(settings_for(platform), {"client_secret": "s3cret", "refresh_token": "old"}, NOW)
        assert not withdrawn.ok and "expired or was withdrawn" in str(withdrawn.message)


def test_a_fetch_whose_batch_was_never_stored_is_repeated_whole(platform):
    """A scheduler killed before its commit keeps the old cursor: the same cursor brings the same messages."""
    for number in range(3):
        platform.add_thread(f"t{number}", f"buyer_{number}")
        for message in range(10):
            platform.add_message(f"t{number}", f"Thread {number} message {message}", minute=number * 20 + message)
    kind, secrets = Allegro(**LOCAL), connected(platform)
    first = kind.fetch(settings_for(platform), secrets, None, 15, NOW)
    lost = kind.fetch(settings_for(platform), secrets, first.cursor, 15, NOW)
    retried = kind.fetch(settings_for(platform), secrets, first.cursor, 15, NOW)
    assert [m.inbound.external_id for m in retried.messages] == [m.inbound.external_id for m in lost.messages]
    rest, _ = fetch_all(kind, platform, secrets, retried.cursor)
    every = [m.inbound.external_id for m in first.messages + retried.messages + rest]
    assert len(every) == len(set(every)) == 30


def test_the_order_of_a_message_fills_its_order_card(app, platform, make_user, make_shop):
    shop_id = make_shop(make_user(), platform="other")
    platform.add_order("order-1", [("Kubek ceramiczny", 2, 0), ("Talerz", 1, 3)], "59.90")
    platform.add_thread("t1", "anna")
    platform.add_message("t1", "Czy mogę dokupić jeszcze jeden?", minute=10, order="order-1")
    platform.add_thread("t2", "jan")
    platform.add_message("t2", "Zamówienie sprzed lat", minute=11, order="order-unknown")
    kind = Allegro(**LOCAL)
    batch = kind.fetch(settings_for(platform), connected(platform), None, 50, NOW)
    assert {item.inbound.order_reference: item.inbound.order for item in batch.messages}["order-unknown"] == {}
    with app.app_context():
        shop = sqla.session.get(Shop, shop_id)
        inbox.receive_buyer_messages(shop, [item.inbound for item in batch.messages], NOW)
        sqla.session.commit()
        order = sqla.session.scalar(select(Order).where(Order.platform_order_ref == "order-1"))
        assert order.items_summary == "2 × Kubek ceramiczny; 1 × Talerz"
        assert (str(order.total), order.currency) == ("59.90", "PLN")
        assert order.placed_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert len(platform.calls("/order/checkout-forms/order-1")) == 1


def test_the_sellers_token_goes_to_allegro_hosts_only():
    api = "https://api.allegro.pl"
    assert is_allegro_host("https://upload.allegro.pl/message-center/message-attachments/1", api)
    assert is_allegro_host("https://upload.allegro.pl.allegrosandbox.pl/a", "https://api.allegro.pl.allegrosandbox.pl")
    assert not is_allegro_host("https://allegro.pl.evil.example/a", api)
    assert not is_allegro_host("https://evilallegro.pl/a", api)
