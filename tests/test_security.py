"""What a browser is told: security headers, cookie flags, CSRF on every form, uploads capped."""
import re

from tests.conftest import PASSWORD


def test_security_headers_allow_only_our_origin(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "http" not in csp  # no CDN or other origin
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_load_nothing_from_other_origins(client):
    page = client.get("/login").get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_session_cookie_is_httponly_samesite_and_secure_in_production(make_app, make_user):
    make_user()
    client = make_app(ENV="production", SESSION_COOKIE_SECURE=True).test_client()
    response = client.post("/login", data={"email": "owner@example.com", "password": PASSWORD},
                           base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_private_pages_and_api_answers_are_not_cached(app, client, auth, make_user):
    make_user()
    auth.login()
    assert client.get("/shops").headers["Cache-Control"] == "no-store"
    token = app.test_cli_runner().invoke(
        args=["create-token", "owner@example.com", "--name", "t"]).output.strip().splitlines()[-1]
    answer = app.test_client().get("/api/v1/shops", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"


def csrf_token_from(page):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def test_forms_without_csrf_token_are_refused(make_app, make_user):
    make_user()
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    refused = client.post("/login", data={"email": "owner@example.com", "password": PASSWORD})
    assert refused.status_code == 400
    assert "Reload the page and try again." in refused.get_data(as_text=True)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    accepted = client.post("/login", data={"email": "owner@example.com", "password": PASSWORD, "csrf_token": token})
    assert accepted.status_code == 302
    # Logging out is a state change too: without the token the session stays.
    assert client.post("/logout").status_code == 400
    assert client.get("/shops").status_code == 200


def test_csrf_error_is_translated(make_app):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    refused = client.post("/login", data={}, headers={"Accept-Language": "ru"})
    assert refused.status_code == 400 and "Reload the page" not in refused.get_data(as_text=True)


def test_oversized_request_is_refused_before_it_is_read(make_app):
    client = make_app(MAX_CONTENT_LENGTH=1024).test_client()
    response = client.post("/login", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_login_redirect_never_leaves_the_site(client, make_user):
    make_user()
    response = client.post("/login?next=https://evil.example/steal",
                           data={"email": "owner@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_text_with_a_nul_character_is_refused_everywhere_and_nothing_is_stored(app, client, db, auth, make_user,
                                                                                make_shop, *, make_conversation):
    """PostgreSQL cannot store NUL; SQLite would keep it. Either way the answer is a clear refusal."""
    from sellerkit.threads.models import Message

    owner = make_user()
    shop_id = make_shop(owner)
    thread_id = make_conversation(shop_id, owner)["thread_id"]
    token = app.test_cli_runner().invoke(
        args=["create-token", "owner@example.com", "--name", "t"]).output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    before = db.count(Message)

    answer = client.post(f"/api/v1/threads/{thread_id}/replies", json={"body": "Ships \x00 today"}, headers=headers)
    assert answer.status_code == 400 and answer.json["error"]["fields"] == {
        "body": "Text cannot contain the NUL character."}
    answer = client.post(f"/api/v1/shops/{shop_id}/messages", headers=headers, json={
        "external_id": "nul-1", "body": "Hello", "buyer": {"id": "b\x00"}, "received_at": "2026-11-23T10:00:00Z"})
    assert answer.status_code == 400 and set(answer.json["error"]["fields"]) == {"buyer"}
    answer = client.get(f"/api/v1/shops/{shop_id}/threads?label=gift%00", headers=headers)
    assert answer.status_code == 400 and "label" in answer.json["error"]["fields"]

    auth.login()
    page = client.get("/inbox?view=all&q=parcel%00")
    assert page.status_code == 400 and "Text cannot contain the NUL character." in page.get_data(as_text=True)
    page = client.post(f"/threads/{thread_id}/reply", data={"body": "Ships \x00 today"})
    assert page.status_code == 422 and "Text cannot contain the NUL character." in page.get_data(as_text=True)
    assert db.count(Message) == before
