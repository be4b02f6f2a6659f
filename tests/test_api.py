"""The JSON API: bearer tokens, shops, errors, and the OpenAPI document."""
import re

from sqlalchemy import event, select

from sellerkit.accounts.models import ApiToken
from sellerkit.shops.models import Shop

NEW_SHOP = {"name": "Lotus Crafts", "platform": "digikala", "default_language": "fa", "timezone": "Asia/Tehran"}


def make_token(client, auth):
    auth.login()
    page = client.post("/settings/tokens", data={"name": "importer"}).get_data(as_text=True)
    match = re.search(r'<code class="token" dir="ltr">(sk_[\w-]+)</code>', page)
    assert match, "the new token is shown once on the page"
    return {"Authorization": f"Bearer {match.group(1)}"}


def test_token_is_shown_once_and_stored_hashed(client, db, auth, make_user):
    make_user()
    headers = make_token(client, auth)
    token = headers["Authorization"].split()[1]
    assert len(token) >= 3 + 43  # "sk_" + 32 random bytes in base64url: 256 bits
    assert token not in client.get("/settings/tokens").get_data(as_text=True)
    stored = db.scalar(select(ApiToken))
    assert stored.token_hash != token and len(stored.token_hash) == 64


def test_list_and_create_shops(client, auth, make_user, make_shop):
    owner = make_user()
    make_shop(owner)
    make_shop(make_user("other@example.com"), name="Not Mine")
    headers = make_token(client, auth)
    created = client.post("/api/v1/shops", json=NEW_SHOP, headers=headers)
    assert created.status_code == 201
    assert created.json["platform"] == "digikala" and created.json["role"] == "owner"
    names = [shop["name"] for shop in client.get("/api/v1/shops", headers=headers).json["shops"]]
    assert names == ["Amber Studio", "Lotus Crafts"]
    assert client.get(f"/api/v1/shops/{created.json['id']}", headers=headers).json["timezone"] == "Asia/Tehran"


def test_revoked_token_stops_working(client, db, auth, make_user):
    make_user()
    headers = make_token(client, auth)
    token_id = db.scalar(select(ApiToken.id))
    client.post(f"/settings/tokens/{token_id}/revoke")
    response = client.get("/api/v1/shops", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_bad_input_gets_a_clear_error_and_changes_nothing(client, db, auth, make_user):
    make_user()
    headers = make_token(client, auth)
    cases = [
        (b"{not json", "malformed"),
        ({**NEW_SHOP, "timezone": "Mars/Olympus"}, "invalid"),
        ({**NEW_SHOP, "platform": "aliexpress"}, "invalid"),
        ({"name": "No platform"}, "missing_fields"),
        ({**NEW_SHOP, "id": 7}, "unknown_fields"),
        ({**NEW_SHOP, "name": 42}, "invalid"),
        ([NEW_SHOP], "malformed"),
    ]
    for body, code in cases:
        if isinstance(body, bytes):
            response = client.post("/api/v1/shops", data=body, headers=headers, content_type="application/json")
        else:
            response = client.post("/api/v1/shops", json=body, headers=headers)
        assert response.status_code == 400, body
        assert response.json["error"]["code"] == code and response.json["error"]["message"]
    assert db.count(Shop) == 0


def test_errors_are_in_the_callers_language(client, auth, make_user):
    make_user()
    headers = make_token(client, auth)
    response = client.post("/api/v1/shops", json={**NEW_SHOP, "timezone": "x"},
                           headers={**headers, "Accept-Language": "ru-RU,ru;q=0.9"})
    assert response.json["error"]["fields"]["timezone"].startswith("Неизвестный часовой пояс")


def test_openapi_document_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len("/api/v1"):])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, f"{method} {path} is not in the OpenAPI document"


def test_a_request_reads_only_the_shop_it_names_however_many_the_user_has(app, client, auth, make_user, make_shop):
    """A host with hundreds of shops: a request about one shop loads that one, and answers as before for a shop
    that is not the caller's."""
    owner = make_user()
    shop_ids = [make_shop(owner, name=f"Shop {number}") for number in range(6)]
    stranger = make_shop(make_user("other@example.com"), name="Not Mine")
    headers = make_token(client, auth)
    loaded = []

    def count(target, context):
        loaded.append(target.id)

    event.listen(Shop, "load", count)
    try:
        answer = client.post(f"/api/v1/shops/{shop_ids[3]}/messages", headers=headers, json={
            "external_id": "m-1", "body": "Where is my parcel?", "buyer": {"id": "b-1"},
            "received_at": "2026-11-23T12:00:00+00:00"})
        assert answer.status_code == 201
        assert set(loaded) == {shop_ids[3]}
        assert client.get(f"/api/v1/shops/{shop_ids[4]}", headers=headers).json["name"] == "Shop 4"
        assert client.get(f"/api/v1/shops/{stranger}", headers=headers).status_code == 404
        assert client.post(f"/api/v1/shops/{stranger}/messages", headers=headers, json={
            "external_id": "m-2", "body": "Hello", "buyer": {"id": "b-2"},
            "received_at": "2026-11-23T12:00:00+00:00"}).status_code == 404
    finally:
        event.remove(Shop, "load", count)
    # Listing the shops still shows all of them.
    assert len(client.get("/api/v1/shops", headers=headers).json["shops"]) == 6
