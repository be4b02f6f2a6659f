"""Sign-up, login, logout, sessions, password change and reset, as a user meets them in the browser."""
import re
from datetime import timedelta

from sqlalchemy import select

from sellerkit.accounts.domain import LoginLimits, login_verdict
from sellerkit.accounts.models import (
    LoginFailure,
    PasswordResetToken,
    User,
    UserSession,
)
from sellerkit.clock import utcnow
from sellerkit.outbox.delivery import deliver_due
from sellerkit.outbox.models import OutboxItem
from tests.conftest import PASSWORD, Auth

STRANGER, OWNER_HOME, OWNER_PHONE = "203.0.113.9", "198.51.100.7", "192.0.2.44"


def from_address(app, address):
    """A browser at another address than the test client's 127.0.0.1."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def deliver_outbox(app):
    """What the scheduler's deliver-outbox job does, once."""
    with app.app_context():
        return deliver_due(utcnow(), app.config)


def test_signup_logs_in_and_asks_for_a_first_shop(client, db):
    response = client.post("/signup", data={"email": "Ana@Example.com", "display_name": "Ana", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/shops/new")
    page = client.get("/shops/new").get_data(as_text=True)
    assert "Add a shop" in page and "Ana" in page
    assert db.scalar(select(User.email)) == "ana@example.com"


def test_signup_refuses_a_duplicate_email_and_changes_nothing(client, db, make_user):
    make_user("ana@example.com")
    response = client.post("/signup", data={"email": "ANA@example.com", "password": PASSWORD})
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert db.count(User) == 1


def test_signup_refuses_a_weak_password(client, db):
    response = client.post("/signup", data={"email": "ana@example.com", "password": "short1"})
    assert response.status_code == 422
    assert "Use at least 10 characters." in response.get_data(as_text=True)
    assert db.count(User) == 0


def test_signup_shows_the_error_next_to_the_field(client):
    page = client.post("/signup", data={"email": "not-an-email", "password": PASSWORD}).get_data(as_text=True)
    assert re.search(r'id="email"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="email"', page)
    assert 'id="email-error"' in page and "Enter a valid e-mail address." in page


def test_fields_carry_only_the_attributes_that_apply(client):
    """An attribute left unset is left out: autofocus="None" would still focus, aria-invalid="None" is invalid."""
    page = client.get("/login").get_data(as_text=True)
    fields = re.findall(r"<(?:input|select|textarea)[^>]*>", page)
    assert len(fields) >= 3 and not any('="None"' in field for field in fields)
    assert re.search(r'<input[^>]*\sautofocus[\s>][^>]*id="email"', page)  # the e-mail field, and only it
    assert page.count("autofocus") == 1


def test_wrong_password_is_refused_and_counted(client, db, make_user):
    make_user()
    response = client.post("/login", data={"email": "owner@example.com", "password": "wrong password!"})
    assert response.status_code == 422
    assert "The e-mail or password is not correct." in response.get_data(as_text=True)
    assert db.count(LoginFailure) == 1
    assert client.get("/shops").status_code == 302


def test_login_rotates_the_session_cookie(client, make_user):
    make_user()
    client.get("/login")
    before = client.get_cookie("sellerkit_session").value
    client.post("/login", data={"email": "owner@example.com", "password": PASSWORD})
    after = client.get_cookie("sellerkit_session").value
    assert before != after
    assert client.get("/shops").status_code == 200


def test_logout_makes_a_copied_cookie_useless(app, client, auth, make_user):
    make_user()
    auth.login()
    stolen = client.get_cookie("sellerkit_session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("sellerkit_session", stolen)
    response = thief.get("/shops")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_ten_failures_block_the_account_with_retry_after(client, make_user):
    make_user()
    for _ in range(10):
        client.post("/login", data={"email": "owner@example.com", "password": "wrong password!"})
    response = client.post("/login", data={"email": "owner@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "Too many failed logins" in response.get_data(as_text=True)


def test_a_stranger_cannot_lock_the_owner_out(app, make_user):
    make_user()
    stranger = from_address(app, STRANGER)
    for _ in range(10):
        stranger.post("/login", data={"email": "owner@example.com", "password": "wrong password!"})
    assert stranger.post("/login", data={"email": "owner@example.com", "password": PASSWORD}).status_code == 429
    owner = from_address(app, OWNER_HOME)
    response = owner.post("/login", data={"email": "owner@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert owner.get("/shops").status_code == 200


def test_many_failures_from_one_address_block_it_for_every_account(make_app, make_user):
    app = make_app(LOGIN_MAX_ADDRESS_FAILURES=12)
    make_user("victim@example.com")
    guesser = from_address(app, STRANGER)
    for number in range(12):
        guesser.post("/login", data={"email": f"guess{number}@example.com", "password": "wrong password!"})
    assert guesser.post("/login", data={"email": "victim@example.com", "password": PASSWORD}).status_code == 429
    victim = from_address(app, OWNER_HOME)
    assert victim.post("/login", data={"email": "victim@example.com", "password": PASSWORD}).status_code == 302


def test_the_account_bound_never_holds_back_an_address_that_logged_in_before(make_app, make_user):
    app = make_app(LOGIN_MAX_ACCOUNT_FAILURES=12)
    make_user()
    assert from_address(app, OWNER_HOME).post(
        "/login", data={"email": "owner@example.com", "password": PASSWORD}).status_code == 302
    for number in range(12):  # a botnet: a few guesses from each of many addresses, under the per-address bounds
        from_address(app, f"203.0.113.{number // 3 + 1}").post(
            "/login", data={"email": "owner@example.com", "password": "wrong password!"})
    new_place = from_address(app, OWNER_PHONE).post("/login", data={"email": "owner@example.com", "password": PASSWORD})
    assert new_place.status_code == 429
    assert "Too many failed logins" in new_place.get_data(as_text=True)
    home = from_address(app, OWNER_HOME)
    assert home.post("/login", data={"email": "owner@example.com", "password": PASSWORD}).status_code == 302
    assert home.get("/shops").status_code == 200


def test_throttle_count_is_shared_between_workers(make_app, make_user):
    """Two app instances (two gunicorn workers) see the same failures, because they live in the database."""
    make_user()
    first, second = make_app().test_client(), make_app().test_client()
    for index in range(10):
        (first if index % 2 else second).post("/login", data={"email": "owner@example.com", "password": "nope nope!"})
    assert second.post("/login", data={"email": "owner@example.com", "password": PASSWORD}).status_code == 429


def test_change_password_logs_out_other_browsers(app, client, auth, make_user):
    make_user()
    auth.login()
    other = app.test_client()
    other.post("/login", data={"email": "owner@example.com", "password": PASSWORD})
    response = client.post("/settings/password", data={
        "current_password": PASSWORD, "new_password": "a new long password", "confirm": "a new long password"})
    assert response.status_code == 302
    assert client.get("/shops").status_code == 200
    assert other.get("/shops").status_code == 302
    auth.logout()
    auth.login(password="a new long password")


def test_change_password_needs_the_current_one(client, auth, make_user):
    make_user()
    auth.login()
    response = client.post("/settings/password", data={
        "current_password": "not my password", "new_password": "a new long password",
        "confirm": "a new long password"})
    assert response.status_code == 422
    assert "The current password is not correct." in response.get_data(as_text=True)


def _reset_link(app, caplog):
    deliver_outbox(app)
    match = re.search(r"(/password/reset/[\w-]+)", caplog.text)
    assert match, "the reset link should be in the log when no mail server is configured"
    return match.group(1)


def test_password_reset_link_works_once(app, client, db, make_user, caplog):
    make_user()
    response = client.post("/password/forgot", data={"email": "owner@example.com"})
    assert response.status_code == 302
    link = _reset_link(app, caplog)
    assert client.post(link, data={"password": "brand new password", "confirm": "brand new password"}
                       ).status_code == 302
    reused = client.post(link, data={"password": "another new password", "confirm": "another new password"})
    assert reused.status_code == 422
    assert "expired or was already used" in reused.get_data(as_text=True)
    Auth(client).login(password="brand new password")


def test_expired_reset_token_is_refused(app, client, db, make_user, caplog):
    make_user()
    client.post("/password/forgot", data={"email": "owner@example.com"})
    link = _reset_link(app, caplog)

    def expire_now(session):
        token = session.scalars(select(PasswordResetToken)).one()
        token.expires_at = token.created_at

    db.update(expire_now)
    response = client.post(link, data={"password": "brand new password", "confirm": "brand new password"})
    assert response.status_code == 422
    assert "expired or was already used" in response.get_data(as_text=True)
    assert client.post("/login", data={"email": "owner@example.com", "password": PASSWORD}).status_code == 302


def test_reset_request_for_unknown_email_looks_the_same(app, client, db, caplog):
    response = client.post("/password/forgot", data={"email": "nobody@example.com"})
    assert response.status_code == 302
    assert db.count(OutboxItem) == 1  # queued like any other request: the scheduler finds nobody to mail
    deliver_outbox(app)
    assert "/password/reset/" not in caplog.text
    assert db.count(OutboxItem) == 0


def test_sessions_are_stored_hashed(client, db, auth, make_user):
    make_user()
    auth.login()
    stored = db.scalars(select(UserSession.token_hash))
    assert len(stored) == 1 and len(stored[0]) == 64


def test_a_reset_link_takes_its_host_from_the_configuration_never_from_the_request(make_app, make_user, smtp_server):
    app = make_app(ENV="production", PUBLIC_URL="https://shop.example.com", MAIL_SERVER="127.0.0.1",
                   MAIL_PORT=smtp_server.config["port"])
    make_user()
    response = app.test_client().post("/password/forgot", data={"email": "owner@example.com"},
                                      headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
    assert response.status_code == 302
    deliver_outbox(app)
    (envelope,) = smtp_server.envelopes
    assert b"https://shop.example.com/password/reset/" in envelope.content
    assert b"evil.example" not in envelope.content


def test_forgot_password_answers_alike_and_mails_nothing_while_answering(make_app, db, make_user, smtp_server):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.config["port"])
    make_user()
    answers = []
    for address in ("owner@example.com", "nobody@example.com"):
        client = app.test_client()
        response = client.post("/password/forgot", data={"email": address})
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        answers.append((response.status_code, response.headers["Location"],
                        re.sub(r'name="csrf_token" value="[^"]+"', "", page)))  # a fresh token for each browser
    assert answers[0] == answers[1]
    assert "If an account uses this e-mail, a reset link is on its way." in answers[0][2]
    assert smtp_server.envelopes == []  # the mail is the scheduler's work, not the request's
    assert db.count(OutboxItem) == 2
    assert deliver_outbox(app) == (1, 0)
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["owner@example.com"]


def test_forgot_password_is_rate_limited_per_email_and_per_address(app, db, make_user):
    make_user()
    first = from_address(app, STRANGER)
    for _ in range(3):
        assert first.post("/password/forgot", data={"email": "Owner@example.com"}).status_code == 302
    refused = first.post("/password/forgot", data={"email": "owner@example.com"})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60 * 60
    assert "Too many reset requests" in refused.get_data(as_text=True)
    # The same mailbox from elsewhere is refused too, and the answer is the same for an unknown mailbox.
    assert from_address(app, OWNER_HOME).post("/password/forgot", data={"email": "owner@example.com"}
                                              ).status_code == 429
    for number in range(7):
        assert first.post("/password/forgot", data={"email": f"someone{number}@example.com"}).status_code == 302
    assert first.post("/password/forgot", data={"email": "anyone@example.com"}).status_code == 429
    assert db.count(OutboxItem) == 10


def test_login_verdict_counts_the_pair_the_address_and_the_account_apart():
    now = utcnow()
    limits = LoginLimits(per_account_and_address=3, per_address=5, per_account=6, window=timedelta(minutes=15))
    botnet = [("owner@example.com", f"203.0.113.{n}", now - timedelta(minutes=1)) for n in range(6)]
    assert login_verdict(botnet, "owner@example.com", "198.51.100.7", now, limits, is_known_address=False).is_blocked
    assert not login_verdict(botnet, "owner@example.com", "198.51.100.7", now, limits, is_known_address=True).is_blocked
    old = [("owner@example.com", "203.0.113.1", now - timedelta(minutes=16))] * 3
    assert not login_verdict(old, "owner@example.com", "203.0.113.1", now, limits, is_known_address=True).is_blocked
    pair = [("owner@example.com", "203.0.113.1", now - timedelta(minutes=1))] * 3
    verdict = login_verdict(pair, "owner@example.com", "203.0.113.1", now, limits, is_known_address=True)
    assert verdict.is_blocked
    assert verdict.retry_after == timedelta(minutes=14)
