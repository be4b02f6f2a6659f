"""The outbox transports against real local servers: aiosmtpd for e-mail, http.server for webhooks; and netguard."""
import email
import hashlib
import hmac
import json
import socket
from email.policy import default as default_policy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sellerkit.outbox import netguard
from sellerkit.outbox.transports import (
    Delivery,
    DeliveryError,
    build_email,
    send_email,
    send_webhook,
)
from tests.servers import free_port

SECRET = "whsec-test"
NOW = 1795000000
PERSIAN = "سلام! سفارش شما فردا ارسال می‌شود."


def make_delivery(**changes):
    fields = {
        "outbox_id": 42, "shop_id": 7, "subject": "Your order", "body": PERSIAN, "is_automatic": False,
        "message_id_header": "<sk-42.abc@sellerkit.local>", "in_reply_to": None, "to_email": "buyer@example.com",
        "from_email": "Tehran Tiles <shop@example.com>", "webhook_url": None, "webhook_secret": SECRET,
        "payload": {"message": {"body": PERSIAN, "note": "中文 ✓"}, "buyer": {"name": "Zoë"}}}
    return Delivery(**{**fields, **changes})


def received_message(handler):
    (envelope,) = handler.envelopes
    return envelope, email.message_from_bytes(envelope.content, policy=default_policy)


def test_email_reaches_the_server_with_threading_headers(smtp_server):
    send_email(make_delivery(in_reply_to="<order-99@marketplace.example>"), smtp_server.config, timeout=5)
    envelope, message = received_message(smtp_server)
    assert envelope.mail_from == "shop@example.com" and envelope.rcpt_tos == ["buyer@example.com"]
    assert message["From"] == "Tehran Tiles <shop@example.com>" and message["To"] == "buyer@example.com"
    assert message["Subject"] == "Re: Your order"
    assert message.get_content().rstrip("\r\n") == PERSIAN
    assert message["Message-ID"] == "<sk-42.abc@sellerkit.local>"
    assert message["In-Reply-To"] == message["References"] == "<order-99@marketplace.example>"
    assert message["Date"] and message["Auto-Submitted"] is None


def test_automatic_email_says_so_and_is_not_a_reply_without_parent(smtp_server):
    send_email(make_delivery(is_automatic=True, subject="Re: Away"), smtp_server.config, timeout=5)
    _, message = received_message(smtp_server)
    assert message["Auto-Submitted"] == "auto-replied" and message["X-Auto-Response-Suppress"] == "All"
    assert message["Subject"] == "Re: Away" and message["In-Reply-To"] is None


@pytest.mark.parametrize("subject", ["Hello\r\nBcc: evil@example.com", "=?utf-8?q?Hello=0D=0ABcc:_evil@example.com?="])
def test_subject_cannot_inject_a_header_or_recipient(smtp_server, subject):
    send_email(make_delivery(subject=subject), smtp_server.config, timeout=5)
    envelope, message = received_message(smtp_server)
    assert envelope.rcpt_tos == ["buyer@example.com"]
    assert message["Bcc"] is None and len(message.get_all("Subject")) == 1 and "Hello" in message["Subject"]
    head = envelope.content.split(b"\r\n\r\n", 1)[0]
    assert not any(line.lower().startswith(b"bcc") for line in head.split(b"\r\n"))


@pytest.mark.parametrize("to_email, server_up, permanent", [(None, True, True), ("reject@example.com", True, True),
                                                              ("later@example.com", True, False),
                                                              ("buyer@example.com", False, False)])
def test_no_recipient_and_5xx_are_permanent_4xx_and_server_down_are_not(smtp_server, to_email, server_up, permanent):
    config = smtp_server.config if server_up else {**smtp_server.config, "port": free_port()}  # nobody listens
    with pytest.raises(DeliveryError) as caught:
        send_email(make_delivery(to_email=to_email), config, timeout=5)
    assert caught.value.permanent is permanent and smtp_server.envelopes == []


# Arbitrary text, plus RFC 2047 encoded words, which Python decodes on the way in (the subtle injection route).
ENCODED_WORDS = st.builds("=?{}?{}?{}?=".format, st.sampled_from(["utf-8", "latin-1", ""]), st.sampled_from("qb"),
                          st.text(alphabet="=0ADB_:cc@x? ", max_size=30))


@settings(database=None, deadline=None, max_examples=300)  # database=None: no .hypothesis folder in the repo
@given(subject=st.one_of(st.text(), ENCODED_WORDS, st.lists(st.one_of(st.text(), ENCODED_WORDS)).map(" ".join)),
       body=st.text(), reply=st.booleans(), automatic=st.booleans())
def test_build_email_keeps_every_header_on_one_line(subject, body, reply, automatic):
    message = build_email(make_delivery(subject=subject, body=body, is_automatic=automatic,
                                        in_reply_to="<p@x.example>" if reply else None))
    raw = message.as_bytes()
    names = [line.split(b":", 1)[0].lower() for line in raw.split(b"\n\n", 1)[0].split(b"\n")
             if line[:1] not in (b" ", b"\t")]
    assert names.count(b"subject") == 1 and len(names) == len(set(names)) and b"bcc" not in names
    for value in email.message_from_bytes(raw, policy=default_policy).values():
        assert "\n" not in value and "\r" not in value


def post(receiver, path, allow_private=True, **options):
    send_webhook(make_delivery(webhook_url=receiver.base + path), NOW, allow_private=allow_private, **options)


def test_webhook_is_signed_and_carries_the_payload(receiver):
    post(receiver, "/ok")
    (got,) = receiver.requests
    expected = "sha256=" + hmac.new(SECRET.encode(), f"{NOW}.".encode() + got["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, got["headers"]["X-Sellerkit-Signature"])
    assert [got["headers"][name] for name in ("X-Sellerkit-Timestamp", "X-Sellerkit-Delivery", "Content-Type",
            "User-Agent", "Host")] == [str(NOW), "42", "application/json", "sellerkit-webhook/1", receiver.base[7:]]
    assert json.loads(got["body"].decode("utf-8")) == {"event": "message.outbound", "outbox_id": 42, "shop_id": 7,
                                                       "data": make_delivery().payload}
    assert PERSIAN.encode("utf-8") in got["body"]  # ensure_ascii=False: the text travels as UTF-8, not \u escapes


@pytest.mark.parametrize("status, permanent", [(500, False), (503, False), (429, False), (408, False), (404, True),
                                               (400, True), (410, True)])
def test_webhook_status_decides_whether_to_retry(receiver, status, permanent):
    with pytest.raises(DeliveryError) as caught:
        post(receiver, f"/status/{status}")
    assert caught.value.permanent is permanent and str(status) in caught.value.reason


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_on_the_same_host_is_followed_with_the_same_post(receiver, status):
    post(receiver, f"/redirect/{status}")
    first, second = receiver.requests
    assert (first["path"], second["path"]) == (f"/redirect/{status}", "/ok")
    assert first["body"] == second["body"]
    assert first["headers"]["X-Sellerkit-Signature"] == second["headers"]["X-Sellerkit-Signature"]


def test_loopback_url_is_refused_before_connecting_when_guarded(receiver):
    with pytest.raises(DeliveryError) as caught:
        post(receiver, "/ok", allow_private=False)
    assert caught.value.permanent and caught.value.code == "private_address"
    assert "loopback" in caught.value.reason and receiver.requests == []


@pytest.mark.parametrize("path, words", [("/to-metadata", "metadata"), ("/to-ftp", "only http and https")])
def test_redirect_target_goes_through_the_guard(receiver, path, words):
    # allow_private lets the first hop reach this local server; the metadata address stays refused regardless
    # (and ftp always), so the refusal shows the redirect target is checked before any connection.
    with pytest.raises(DeliveryError) as caught:
        post(receiver, path)
    assert caught.value.permanent and words in caught.value.reason and "redirect" in caught.value.reason
    assert [r["path"] for r in receiver.requests] == [path]


def test_redirect_loop_stops(receiver):
    with pytest.raises(DeliveryError) as caught:
        post(receiver, "/loop", max_redirects=3)
    assert caught.value.permanent and len(receiver.requests) == 4


def test_slow_or_closed_webhook_is_temporary(receiver):
    with pytest.raises(DeliveryError) as slow:
        post(receiver, "/slow", timeout=0.3)
    receiver.release.set()
    with pytest.raises(DeliveryError) as closed:
        send_webhook(make_delivery(webhook_url=f"http://127.0.0.1:{free_port()}/"), NOW, allow_private=True)
    assert not slow.value.permanent and not closed.value.permanent


@pytest.fixture
def resolve_to(monkeypatch):
    """Names resolve to the given addresses (a list per call, the last one repeating), an IP literal to itself
    and *.invalid to nothing: no test needs real DNS."""
    def install(*answers):
        calls = []

        def fake_getaddrinfo(host, port, *args, **kwargs):
            if host.endswith(".invalid"):
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            calls.append(host)
            literal = host.replace(".", "").isdigit() or ":" in host
            addresses = [host] if literal else answers[min(len(calls), len(answers)) - 1]
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0)) if ":" in a
                    else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]
        monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    return install


def test_webhook_connects_to_the_vetted_address_not_a_second_lookup(receiver, resolve_to):
    # The first answer is vetted; a rebinding resolver would hand out 192.0.2.1 (unroutable) afterwards.
    resolve_to(["127.0.0.1"], ["192.0.2.1"])
    port = receiver.server_address[1]
    send_webhook(make_delivery(webhook_url=f"http://hooks.example.test:{port}/ok"), NOW, allow_private=True)
    (got,) = receiver.requests
    assert got["headers"]["Host"] == f"hooks.example.test:{port}"


def test_public_address_is_accepted(resolve_to):
    resolve_to(["93.184.216.34", "2606:2800:220:1::1"])
    target = netguard.check_url("https://Hooks.Example.com/in/سلام?x=1 2", allow_private=False)
    assert (target.scheme, target.host, target.port) == ("https", "hooks.example.com", 443)
    assert target.path_and_query == "/in/%D8%B3%D9%84%D8%A7%D9%85?x=1%202"
    assert target.addresses == ("93.184.216.34", "2606:2800:220:1::1")


@pytest.mark.parametrize("address", ["10.0.0.1", "192.168.1.1", "172.16.0.1", "127.0.0.1", "::1", "fe80::1",
                                     "169.254.169.254", "fd00::1", "::ffff:127.0.0.1", "100.64.0.1", "0.0.0.0",
                                     "fd00:ec2::254", "224.0.0.1", "240.0.0.1", "64:ff9b::a00:1"])
@pytest.mark.parametrize("first_public", [False, True])
def test_non_public_addresses_are_refused(resolve_to, address, first_public):
    resolve_to(["93.184.216.34", address] if first_public else [address])  # one bad answer among good ones is enough
    with pytest.raises(netguard.UnsafeDestination) as caught:
        netguard.check_url("http://hooks.example.com/", allow_private=False)
    assert caught.value.code == "private_address" and address in str(caught.value)


@pytest.mark.parametrize("url, code", [
    ("ftp://hooks.example.com/", "scheme"), ("file:///etc/passwd", "scheme"), ("http:///path", "host"),
    ("http://user:pw@hooks.example.com/", "host"), ("http://hooks.example.com:99999/", "host"),
    ("http://localhost/", "private_address"), ("http://shop.localhost./", "private_address"),
    ("http://db.internal/", "private_address"), ("https://nowhere.invalid/", "unresolvable")])
def test_bad_urls_are_refused(resolve_to, url, code):
    resolve_to(["93.184.216.34"])
    with pytest.raises(netguard.UnsafeDestination) as caught:
        netguard.check_url(url, allow_private=False)
    assert caught.value.code == code


def test_allow_private_accepts_loopback_but_never_metadata(resolve_to):
    resolve_to(["127.0.0.1"])
    assert netguard.check_url("http://localhost:8080/hook", allow_private=True).addresses == ("127.0.0.1",)
    for url in ("http://169.254.169.254/", "http://[fd00:ec2::254]/", "http://metadata.google.internal/"):
        with pytest.raises(netguard.UnsafeDestination):
            netguard.check_url(url, allow_private=True)

