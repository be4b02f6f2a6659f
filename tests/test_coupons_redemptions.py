"""Redemptions and pool codes: recorded once, refused with a reason, never past a limit, never handed out twice."""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from sellerkit.accounts.models import User
from sellerkit.coupons import services
from sellerkit.coupons.models import Coupon, Redemption
from sellerkit.errors import ServiceError
from sellerkit.extensions import db as sqla
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Order
from tests.concurrency import run_together
from tests.conftest import NOW


@pytest.fixture
def shop(auth, make_user, make_shop, add_member):
    owner = make_user()
    shop_id = make_shop(owner)
    add_member(shop_id, make_user("agent@example.com"))
    auth.login("agent@example.com")  # any member may record redemptions
    return shop_id


@pytest.fixture
def make_coupon(app):
    def make(shop_id, code="SPRING-15", kind="percent", value="15", **changes):
        with app.app_context():
            values = {"valid_from": NOW - timedelta(days=30), "redeemed_count": 0, "created_at": NOW, **changes}
            coupon = Coupon(shop_id=shop_id, code=code, kind=kind, value=Decimal(value), **values)
            sqla.session.add(coupon)
            sqla.session.commit()
            return coupon.id
    return make


def redemption_form(**changes):
    # An explicit order time (Warsaw): the page's own "now" is the real clock, which tests do not rely on.
    data = {"code": "spring-15", "order_reference": "ORD-1", "amount": "80", "currency": "",
            "redeemed_at": "2026-11-20T10:30"}
    data.update(changes)
    return data


def test_a_member_records_a_redemption_once(client, db, shop, make_coupon):
    coupon_id = make_coupon(shop, usage_limit=5)
    response = client.post(f"/shops/{shop}/redemptions", data=redemption_form())
    assert response.status_code == 302
    again = client.post(f"/shops/{shop}/redemptions", data=redemption_form(redeemed_at=""), follow_redirects=True)
    assert "already recorded" in again.get_data(as_text=True)
    redemption = db.scalar(select(Redemption))
    assert (redemption.order_ref, redemption.amount, redemption.source) == ("ORD-1", Decimal("80.00"), "web")
    assert redemption.redeemed_at.isoformat() == "2026-11-20T09:30:00+00:00"  # typed in Warsaw time
    assert db.count(Redemption) == 1 and db.get(Coupon, coupon_id).redeemed_count == 1
    page = client.get(f"/shops/{shop}/redemptions").get_data(as_text=True)
    assert "SPRING-15" in page and "ORD-1" in page


@pytest.mark.parametrize("coupon, changes, message", [
    ({}, {"code": "NOPE-1"}, "No coupon with this code in this shop."),
    ({"valid_until": NOW - timedelta(days=5)}, {}, "This coupon had expired at the time of the order."),
    ({"valid_from": NOW - timedelta(days=1)}, {}, "This coupon was not valid yet at the time of the order."),
    ({"usage_limit": 1, "redeemed_count": 1}, {}, "already been used as many times as its limit allows"),
    ({"min_order": Decimal(100), "currency": "EUR"}, {}, "below this coupon's minimum order"),
    ({"kind": "fixed", "currency": "EUR"}, {"currency": "usd"}, "This coupon is in EUR"),
    ({}, {"amount": "-1"}, "Enter the order amount: 0 or more"),
    ({}, {"redeemed_at": "2999-06-01T10:00"}, "The order time is in the future."),
])
def test_refused_redemptions_say_why_and_store_nothing(client, db, shop, make_coupon, coupon, changes, *, message):
    coupon_id = make_coupon(shop, **coupon)
    before = db.get(Coupon, coupon_id).redeemed_count
    response = client.post(f"/shops/{shop}/redemptions", data=redemption_form(**changes))
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.count(Redemption) == 0 and db.get(Coupon, coupon_id).redeemed_count == before


def test_a_known_order_ties_the_redemption_to_its_buyer(app, db, shop, make_coupon, make_conversation):
    make_coupon(shop)
    make_conversation(shop, db.scalar(select(User.id).where(User.email == "owner@example.com")))  # order ORD-<shop>
    with app.app_context():
        redemption, is_new = services.record_redemption(sqla.session.get(Shop, shop), "spring-15", f"ORD-{shop}",
                                                         Decimal(20), None, NOW, source="api", now=NOW)
        sqla.session.commit()
        assert is_new and redemption.buyer_id == sqla.session.scalar(select(Order.buyer_id))


def test_importing_redemptions_reports_refused_lines(client, db, shop, make_coupon):
    make_coupon(shop, code="ONCE-1", usage_limit=1)
    make_coupon(shop, code="OLD-1", valid_until=NOW - timedelta(days=60))
    text = ("order_reference,code,amount,currency,redeemed_at\n"
            "A-1,once-1,50,,2026-11-20\n"
            "A-1,ONCE-1,50,,2026-11-20\n"
            "A-2,ONCE-1,50,,2026-11-21\n"
            "A-3,OLD-1,50,,2026-11-21T10:00:00Z\n"
            "A-4,GHOST-1,50,,2026-11-21\n"
            "A-5,ONCE-1,lots,,2026-11-21\n")
    response = client.post(f"/shops/{shop}/redemptions/import",
                           data={"file": (io.BytesIO(text.encode()), "redemptions.csv")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 redemption recorded." in page and "1 was recorded before." in page and "4 lines refused." in page
    assert "<td>4</td><td>code: This coupon has already been used" in page
    assert "<td>5</td><td>code: This coupon had expired" in page
    assert "<td>6</td><td>code: No coupon with this code in this shop.</td>" in page
    assert "<td>7</td><td>amount: Enter a number" in page
    assert db.count(Redemption) == 1
    assert db.scalar(select(Coupon.redeemed_count).where(Coupon.code == "ONCE-1")) == 1


def test_a_redemption_file_without_its_columns_changes_nothing(client, db, shop, make_coupon):
    make_coupon(shop)
    response = client.post(f"/shops/{shop}/redemptions/import",
                           data={"file": (io.BytesIO(b"code,amount\nSPRING-15,10\n"), "r.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "order_reference, code, amount" in response.get_data(as_text=True)
    assert db.count(Redemption) == 0


def test_concurrent_redemptions_respect_a_limit_of_one(make_app, make_user, make_shop, make_coupon, db):
    shop_id = make_shop(make_user())
    coupon_id = make_coupon(shop_id, code="ONCE-1", usage_limit=1)
    apps, outcomes = [make_app() for _ in range(8)], []

    def worker(app, number):
        def redeem():
            with app.app_context():
                try:
                    services.record_redemption(sqla.session.get(Shop, shop_id), "ONCE-1", f"ORDER-{number}",
                                               Decimal(30), None, NOW, source="api", now=NOW)
                    sqla.session.commit()
                    outcomes.append("recorded")
                except ServiceError as error:
                    sqla.session.rollback()
                    outcomes.append(error.code)
        return redeem

    assert run_together([worker(app, number) for number, app in enumerate(apps)]) == []
    assert sorted(outcomes) == ["over_limit"] * 7 + ["recorded"]
    assert db.count(Redemption) == 1 and db.get(Coupon, coupon_id).redeemed_count == 1


def test_the_same_order_redeemed_concurrently_is_stored_once(make_app, make_user, make_shop, make_coupon, db):
    shop_id = make_shop(make_user())
    coupon_id = make_coupon(shop_id)
    apps, fresh = [make_app() for _ in range(6)], []

    def worker(app):
        def redeem():
            with app.app_context():
                _redemption, is_new = services.record_redemption(sqla.session.get(Shop, shop_id), "SPRING-15",
                                                                 "SAME-ORDER", Decimal(30), None, NOW, source="api",
                                                                 now=NOW)
                sqla.session.commit()
                fresh.append(is_new)
        return redeem

    assert run_together([worker(app) for app in apps]) == []
    assert sorted(fresh) == [False] * 5 + [True]
    assert db.count(Redemption) == 1 and db.get(Coupon, coupon_id).redeemed_count == 1


def test_pool_codes_go_oldest_first_and_skip_what_cannot_be_used(app, make_user, make_shop, make_coupon):
    shop_id = make_shop(make_user())
    make_coupon(shop_id, code="P-EXPIRED", pool="P", usage_limit=1, valid_until=NOW - timedelta(days=1))
    first = make_coupon(shop_id, code="P-FIRST", pool="P", usage_limit=1)
    make_coupon(shop_id, code="P-LATER", pool="P", usage_limit=1, valid_from=NOW + timedelta(days=1))
    second = make_coupon(shop_id, code="P-SECOND", pool="P", usage_limit=1)
    make_coupon(shop_id, code="SHARED-1")
    make_coupon(shop_id, code="SHARED-OLD", valid_until=NOW - timedelta(days=1))
    other_shop = make_shop(make_user("other@example.com"), name="Other")
    foreign = make_coupon(other_shop, code="P-FOREIGN", pool="P", usage_limit=1)
    with app.app_context():
        assert services.free_pool_codes(shop_id, "P", NOW) == 2
        assert services.pools_of(shop_id, NOW) == [("P", 4, 2)]
        assert [c.code for c in services.shared_coupons(shop_id, NOW)] == ["SHARED-1"]
        taken = [services.take_pool_code(shop_id, "P", NOW) for _ in range(3)]
        sqla.session.commit()
        assert [c.id if c else None for c in taken] == [first, second, None]
        assert taken[0].assigned_at == NOW
        assert services.pools_of(shop_id, NOW) == [("P", 4, 0)]
        assert services.coupon_of(shop_id, foreign) is None
        assert services.coupon_of(other_shop, foreign).code == "P-FOREIGN"


def test_take_pool_code_never_hands_the_same_code_twice(make_app, make_user, make_shop, make_coupon, db):
    shop_id = make_shop(make_user())
    for number in range(20):
        make_coupon(shop_id, code=f"POOL-{number:02d}", pool="POOL", usage_limit=1)
    apps, handed = [make_app() for _ in range(8)], []

    def scheduler(app):
        def take():
            for _ in range(3):
                with app.app_context():
                    coupon = services.take_pool_code(shop_id, "POOL", NOW)
                    sqla.session.commit()
                    handed.append(coupon.code if coupon else None)
        return take

    assert run_together([scheduler(app) for app in apps]) == []
    codes = [code for code in handed if code]
    assert len(codes) == 20 and len(set(codes)) == 20 and handed.count(None) == 4
    assert db.count(Coupon, Coupon.assigned_at.is_(None)) == 0
