"""The eBay kind against its contract server: sign-in through the RuName, conversations, replies with images."""
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from sellerkit.channels.ebay import Ebay
from sellerkit.channels.kinds import ChannelError
from sellerkit.outbox.domain import failure_kind
from sellerkit.outbox.transports import DeliveryError
from tests.contracts.ebay import EbayServer
from tests.platforms import fetch_until_done, reply_delivery

#: The contract server listens on loopback: the kind is allowed private addresses, as WEBHOOK_ALLOW_PRIVATE does.
LOCAL = {"allow_private": True}
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def platform():
    server = EbayServer().start()
    yield server
    server.stop()


def settings_for(server):
    return {"client_id": "App-1", "ru_name": "Amber-Studio-App-1-abcd", "base_url": server.url}


def connected(server):
    return {"client_secret": "Cert-1", "refresh_token": server.issue_refresh_token()}


def fetch_all(kind, server, secrets, cursor=None, limit=30):
    return fetch_until_done(
        lambda cursor: kind.fetch(settings_for(server), secrets, cursor, limit, NOW), cursor, limit)


def test_signing_in_goes_through_the_runame_and_the_code_becomes_tokens(platform):
    kind = Ebay(**LOCAL)
    url = urlsplit(kind.authorize_url(settings_for(platform), "state-9", "https://sellerkit.example.com/cb"))
    query = {k: v[-1] for k, v in parse_qs(url.query).items()}
    assert url.path == "/oauth2/authorize" and query["redirect_uri"] == "Amber-Studio-App-1-abcd"
    assert "https://api.ebay.com/oauth/api_scope/commerce.message" in query["scope"].split()
    secrets = {"client_secret": "Cert-1"}
    kind.exchange_code(settings_for(platform), secrets, platform.issue_code(), "https://sellerkit.example.com/cb",
                       NOW)
    assert secrets["access_token"] in platform.access_tokens and secrets["refresh_token"] in platform.refresh_tokens
    with pytest.raises(ChannelError) as refused:
        kind.exchange_code(settings_for(platform), {"client_secret": "Cert-1"}, "made-up", "x", NOW)
    assert refused.value.code == "invalid_grant"
    sandbox = Ebay(**LOCAL).authorize_url({"client_id": "a", "ru_name": "r", "environment": "sandbox"}, "s", "x")
    assert sandbox.startswith("https://auth.sandbox.ebay.com/oauth2/authorize?")


def test_conversations_arrive_once_without_the_sellers_own_messages(platform):
    for number in range(60):  # two pages of conversations
        platform.add_conversation(f"c{number}", f"buyer{number}")
        platform.add_message(f"c{number}", f"Is item {number} still available?", minute=number)
        platform.add_message(f"c{number}", "Yes, it is.", minute=number + 1, from_buyer=False)
    for number in range(120):  # a long conversation: three pages
        platform.add_message("c5", f"More {number}", minute=100 + number)
    kind, secrets = Ebay(**LOCAL), connected(platform)

    fetched, cursor = fetch_all(kind, platform, secrets)

    ids = [item.inbound.external_id for item in fetched]
    assert len(ids) == len(set(ids)) == 60 + 120
    assert [item.inbound.body for item in fetched if item.inbound.thread_external_id == "ebay:c5"] == \
        ["Is item 5 still available?"] + [f"More {n}" for n in range(120)]
    first = next(item.inbound for item in fetched if item.inbound.thread_external_id == "ebay:c7")
    assert (first.buyer_external_id, first.subject) == ("ebay:buyer7", "About 123456789012")

    platform.expire_tokens()  # the next request is refused once, the token is refreshed, the request repeated
    platform.add_message("c30", "Can you combine shipping?", minute=500)
    again, _ = fetch_all(kind, platform, secrets, cursor)
    assert [item.inbound.body for item in again] == ["Can you combine shipping?"]
    assert secrets["access_token"] in platform.access_tokens


def test_a_reply_uploads_its_images_first_then_reaches_the_conversation(platform):
    platform.add_conversation("c1", "buyer1")
    Ebay(**LOCAL).send(settings_for(platform), connected(platform),
                reply_delivery("ebay:c1", "Here is a photo", (("p.jpg", "image/jpeg", b"\xff\xd8jpeg"),)), NOW)
    ((conversation, text, media),) = platform.sent
    assert (conversation, text) == ("c1", "Here is a photo") and media[0].startswith(f"{platform.url}/pics/")


def test_what_ebay_would_refuse_is_refused_before_sending(platform):
    secrets = connected(platform)
    image = ("p.jpg", "image/jpeg", b"\xff\xd8")
    for body, files, kind in (("x" * 2001, (), "platform_too_long"),
                              ("Six photos", (image,) * 6, "platform_files_refused"),
                              ("A manual", (("m.pdf", "application/pdf", b"%PDF"),), "platform_files_refused")):
        with pytest.raises(DeliveryError) as refused:
            Ebay(**LOCAL).send(settings_for(platform), secrets, reply_delivery("ebay:c1", body, files), NOW)
        assert refused.value.permanent and failure_kind(refused.value.reason) == kind
    assert platform.log == []


def test_the_connection_test(app, platform):
    with app.test_request_context():
        assert [c.ok for c in Ebay(**LOCAL).test(settings_for(platform), connected(platform), NOW)] == [True]
        (check,) = Ebay(**LOCAL).test(settings_for(platform), {"client_secret": "Cert-1", "refresh_token": "gone"}, NOW)
        assert not check.ok and "Sign in with the platform again" in str(check.message)
