"""Every mail leaves through the outbox, whose one path verifies the server's certificate (STARTTLS, SMTPS alike)."""
import pytest
from sqlalchemy import select

from sellerkit.outbox.models import OutboxItem
from tests.test_accounts import deliver_outbox

SETTINGS = {"starttls": {"MAIL_USE_STARTTLS": True}, "smtps": {"MAIL_USE_SSL": True}}


def mail_app(make_app, server, mode, **extra):
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, **SETTINGS[mode], **extra)


@pytest.mark.parametrize("mode", ["starttls", "smtps"])
def test_a_server_whose_certificate_is_not_trusted_gets_no_mail(make_app, make_user, db, tls_smtp_server, mode):
    server = tls_smtp_server(mode)
    app = mail_app(make_app, server, mode)
    make_user()
    app.test_client().post("/password/forgot", data={"email": "owner@example.com"})
    assert deliver_outbox(app) == (0, 1)
    (item,) = db.scalars(select(OutboxItem))
    assert item.status == "pending"  # tried again later, when the operator may have fixed the certificate
    assert "certificate is not trusted" in item.last_error
    assert server.envelopes == []


@pytest.mark.parametrize("mode", ["starttls", "smtps"])
def test_with_the_servers_ca_configured_every_mail_goes_out(make_app, make_user, db, tls_smtp_server, mode):
    server = tls_smtp_server(mode)
    app = mail_app(make_app, server, mode, MAIL_CA_FILE=server.certificate, PUBLIC_URL="https://shop.example.com")
    make_user()
    app.test_client().post("/password/forgot", data={"email": "owner@example.com"})
    assert deliver_outbox(app) == (1, 0)
    (reset,) = server.envelopes
    assert reset.rcpt_tos == ["owner@example.com"]
    assert b"https://shop.example.com/password/reset/" in reset.content
