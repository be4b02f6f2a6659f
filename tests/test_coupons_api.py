"""The coupon API: an integration adds codes, generates pools and reports redemptions; errors carry a code."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from sellerkit.coupons.models import Coupon, Redemption
from sellerkit.extensions import db as sqla
from tests.conftest import NOW


@pytest.fixture
def api(client, make_user, make_shop, add_member):
    """A shop with an owner and an agent, and a bearer header for each: returns (shop_id, owner, agent)."""
    owner = make_user()
    shop_id = make_shop(owner)
    add_member(shop_id, make_user("agent@example.com"))
    headers = {}
    for email in ("owner@example.com", "agent@example.com"):
        result = client.application.test_cli_runner().invoke(args=["create-token", email, "--name", "t"])
        headers[email] = {"Authorization": f"Bearer {result.output.strip().splitlines()[-1]}"}
    return shop_id, headers["owner@example.com"], headers["agent@example.com"]


@pytest.fixture
def coupon(app, api):
    """SPRING-15 in the API's shop, valid since a month ago; `coupon(**changes)` makes another."""
    def make(code="SPRING-15", **changes):
        with app.app_context():
            values = {"kind": "percent", "value": Decimal(15), "valid_from": NOW - timedelta(days=30),
                      "redeemed_count": 0, "created_at": NOW, **changes}
            row = Coupon(shop_id=api[0], code=code, **values)
            sqla.session.add(row)
            sqla.session.commit()
            return row.id
    return make


def redemption(**changes):
    body = {"code": "spring-15", "order_reference": "ETSY-3001", "amount": "45.90", "currency": "EUR",
            "redeemed_at": "2026-11-20T10:00:00Z"}
    body.update(changes)
    return body


def test_an_owner_creates_a_coupon_and_lists_it(client, db, api):
    shop_id, owner, _agent = api
    response = client.post(f"/api/v1/shops/{shop_id}/coupons", headers=owner, json={
        "code": "welcome10", "kind": "fixed", "value": 10, "currency": "pln", "valid_until": "2026-12-31",
        "usage_limit": 100, "min_order": "50,00"})
    assert response.status_code == 201
    assert response.json["code"] == "WELCOME10" and response.json["value"] == "10.00"
    assert response.json["valid_until"] == "2026-12-31T23:00:00+00:00"  # the end of the day in Warsaw
    listed = client.get(f"/api/v1/shops/{shop_id}/coupons", headers=owner).json
    assert [c["code"] for c in listed["coupons"]] == ["WELCOME10"] and listed["next_cursor"] is None
    assert db.scalar(select(Coupon.min_order)) == Decimal("50.00")


@pytest.mark.parametrize("body, field, code", [
    ({"code": "NEG-1", "kind": "percent", "value": -5}, "value", "not_positive"),
    ({"code": "BIG-1", "kind": "percent", "value": "150"}, "value", "percent_over_100"),
    ({"code": "X", "kind": "percent", "value": 5}, "code", "invalid_code"),
    ({"code": "BOOL-1", "kind": "percent", "value": True}, "value", "invalid"),
    ({"code": "DATE-1", "kind": "percent", "value": 5, "valid_from": "soon"}, "valid_from", "invalid"),
    ({"code": "SPRING-15", "kind": "percent", "value": 5}, "code", "duplicate_code"),
])
def test_bad_coupons_are_refused_and_nothing_is_added(client, db, api, coupon, body, field, *, code):
    coupon()
    shop_id, owner, _agent = api
    response = client.post(f"/api/v1/shops/{shop_id}/coupons", headers=owner, json=body)
    assert response.status_code == 400
    assert response.json["error"]["code"] == code and field in response.json["error"]["fields"]
    assert db.count(Coupon) == 1


def test_agents_may_read_and_redeem_but_not_add_codes(client, db, api, coupon):
    coupon()
    shop_id, _owner, agent = api
    body = {"code": "AGENT-1", "kind": "percent", "value": 5}
    assert client.post(f"/api/v1/shops/{shop_id}/coupons", headers=agent, json=body).status_code == 403
    generate = {"prefix": "A", "count": 3, "kind": "percent", "value": 5}
    assert client.post(f"/api/v1/shops/{shop_id}/coupons/generate", headers=agent, json=generate).status_code == 403
    assert client.get(f"/api/v1/shops/{shop_id}/coupons", headers=agent).status_code == 200
    assert client.post(f"/api/v1/shops/{shop_id}/redemptions", headers=agent, json=redemption()).status_code == 201
    assert db.count(Coupon) == 1


def test_generate_a_pool_and_page_through_it(client, db, api):
    shop_id, owner, _agent = api
    response = client.post(f"/api/v1/shops/{shop_id}/coupons/generate", headers=owner, json={
        "prefix": "bf", "count": 60, "kind": "percent", "value": 20})
    assert response.status_code == 201 and response.json["pool"] == "BF" and len(set(response.json["codes"])) == 60
    first = client.get(f"/api/v1/shops/{shop_id}/coupons?pool=BF", headers=owner).json
    second = client.get(f"/api/v1/shops/{shop_id}/coupons?pool=BF&cursor={first['next_cursor']}", headers=owner).json
    codes = [c["code"] for c in first["coupons"] + second["coupons"]]
    assert len(first["coupons"]) == 50 and second["next_cursor"] is None
    assert sorted(codes) == sorted(response.json["codes"])
    assert client.get(f"/api/v1/shops/{shop_id}/coupons?cursor=abc", headers=owner).status_code == 400
    nul = client.get(f"/api/v1/shops/{shop_id}/coupons?q=%00", headers=owner)
    assert nul.status_code == 400 and nul.json["error"]["fields"] == {"q": "Text cannot contain the NUL character."}
    refused = client.post(f"/api/v1/shops/{shop_id}/coupons/generate", headers=owner, json={
        "prefix": "bf", "count": 5001, "kind": "percent", "value": 20})
    assert refused.status_code == 400 and refused.json["error"]["fields"]["count"]
    assert db.count(Coupon) == 60


def test_a_redemption_is_recorded_once(client, db, api, coupon):
    coupon_id = coupon(usage_limit=3)
    shop_id, owner, _agent = api
    created = client.post(f"/api/v1/shops/{shop_id}/redemptions", headers=owner, json=redemption())
    repeated = client.post(f"/api/v1/shops/{shop_id}/redemptions", headers=owner, json=redemption())
    assert (created.status_code, repeated.status_code) == (201, 200)
    assert created.json["id"] == repeated.json["id"] and created.json["code"] == "SPRING-15"
    assert created.json["amount"] == "45.90" and created.json["source"] == "api"
    assert db.count(Redemption) == 1 and db.get(Coupon, coupon_id).redeemed_count == 1
    listed = client.get(f"/api/v1/shops/{shop_id}/redemptions", headers=owner).json
    assert [r["order_reference"] for r in listed["redemptions"]] == ["ETSY-3001"]


@pytest.mark.parametrize("changes, body, status, code", [
    ({}, redemption(code="GHOST-1"), 400, "unknown_code"),
    ({}, redemption(code="bad code\u0000"), 400, "invalid"),  # a NUL is refused before any look-up
    ({"valid_until": NOW - timedelta(days=5)}, redemption(), 422, "expired"),
    ({"valid_from": NOW - timedelta(days=1)}, redemption(), 422, "not_yet_valid"),
    ({"usage_limit": 1, "redeemed_count": 1}, redemption(), 422, "over_limit"),
    ({"min_order": Decimal(50), "currency": "EUR"}, redemption(), 422, "below_minimum"),
    ({}, redemption(amount="lots"), 400, "invalid"),
    ({}, redemption(order_reference="\u0000"), 400, "invalid"),
    ({}, redemption(redeemed_at="2026-11-20"), 201, None),
])
def test_refused_redemptions_answer_with_a_code_and_store_nothing(client, db, api, coupon, changes, body, *, status,
                                                                   code):
    coupon_id = coupon(**changes)
    shop_id, owner, _agent = api
    before = db.get(Coupon, coupon_id).redeemed_count
    response = client.post(f"/api/v1/shops/{shop_id}/redemptions", headers=owner, json=body)
    assert response.status_code == status, response.json
    if code:
        assert response.json["error"]["code"] == code and response.json["error"]["message"]
        assert db.count(Redemption) == 0 and db.get(Coupon, coupon_id).redeemed_count == before


def test_another_shops_coupons_are_not_found(client, api, make_user, make_shop):
    _shop_id, owner, _agent = api
    other = make_shop(make_user("other@example.com"), name="Other")
    assert client.get(f"/api/v1/shops/{other}/coupons", headers=owner).status_code == 404
    assert client.post(f"/api/v1/shops/{other}/redemptions", headers=owner, json=redemption()).status_code == 404
