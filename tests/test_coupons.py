"""Coupons as a seller uses them: codes, generated pools, CSV imports and exports, redemptions, handing out codes."""
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from sellerkit.accounts.models import User
from sellerkit.coupons.models import Coupon
from sellerkit.extensions import db as sqla
from tests.conftest import NOW


@pytest.fixture
def shop(auth, make_user, make_shop, add_member):
    owner = make_user()
    shop_id = make_shop(owner)
    add_member(shop_id, make_user("agent@example.com"))
    auth.login()
    return shop_id


@pytest.fixture
def make_coupon(app):
    """A coupon straight in the database (valid since a month ago unless told): returns its id."""
    def make(shop_id, code="SPRING-15", kind="percent", value="15", **changes):
        with app.app_context():
            values = {"valid_from": NOW - timedelta(days=30), "redeemed_count": 0, "created_at": NOW, **changes}
            coupon = Coupon(shop_id=shop_id, code=code, kind=kind, value=Decimal(value), **values)
            sqla.session.add(coupon)
            sqla.session.commit()
            return coupon.id
    return make


def coupon_form(**changes):
    data = {"code": "spring-15", "kind": "percent", "value": "15", "currency": "", "valid_from": "",
            "valid_until": "", "usage_limit": "", "min_order": ""}
    data.update(changes)
    return data


def csv_file(text, name="codes.csv"):
    return {"file": (io.BytesIO(text.encode("utf-8")), name)}


def test_owner_adds_a_coupon_and_sees_it_written_for_the_locale(client, db, shop):
    response = client.post(f"/shops/{shop}/coupons", data=coupon_form(code=" spring-15 ", value="12,5",
                                                                         valid_until="2026-12-31"))
    assert response.status_code == 302
    coupon = db.scalar(select(Coupon))
    assert (coupon.code, coupon.value, coupon.usage_limit) == ("SPRING-15", Decimal("12.50"), None)
    # "Until 31 December" in the shop's timezone (Warsaw) means through the last minute of that day.
    assert coupon.valid_until == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    page = client.get(f"/shops/{shop}/coupons").get_data(as_text=True)
    assert "SPRING-15" in page and "12.5%" in page
    persian = client.get(f"/shops/{shop}/coupons", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert "۱۲٫۵" in persian


@pytest.mark.parametrize("changes, message", [
    ({"value": "-5"}, "The discount must be more than 0."),
    ({"value": "150"}, "A percentage discount can be at most 100 %."),
    ({"value": "abc"}, "Enter a number, such as 10 or 12.5."),
    ({"kind": "fixed", "value": "10"}, "A fixed amount needs its currency, such as EUR."),
    ({"code": "ab"}, "Use 3 to 64 letters A-Z, digits, - and _"),
    ({"valid_from": "2026-12-31", "valid_until": "2026-12-01"}, "The coupon must end after it starts."),
    ({"usage_limit": "0"}, "The usage limit must be at least 1"),
    ({"min_order": "50"}, "A minimum order needs its currency, such as EUR."),
])
def test_bad_coupons_are_refused_with_a_clear_message(client, db, shop, changes, message):
    response = client.post(f"/shops/{shop}/coupons", data=coupon_form(**changes))
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.count(Coupon) == 0


def test_a_code_is_unique_in_its_shop(client, db, shop, make_coupon, make_user, make_shop):
    make_coupon(shop)
    response = client.post(f"/shops/{shop}/coupons", data=coupon_form(code="Spring-15"))
    assert response.status_code == 422 and "This code already exists in this shop." in response.get_data(as_text=True)
    assert db.count(Coupon) == 1
    other_shop = make_shop(make_user("other@example.com"), name="Other")
    make_coupon(other_shop)  # another shop may use the same code
    assert db.count(Coupon) == 2


def test_agents_see_coupons_but_only_owners_change_them(client, db, auth, shop, make_coupon):
    make_coupon(shop)
    auth.logout()
    auth.login("agent@example.com")
    page = client.get(f"/shops/{shop}/coupons").get_data(as_text=True)
    assert "SPRING-15" in page and "New coupon" not in page and "Generate single-use codes" not in page
    assert client.post(f"/shops/{shop}/coupons", data=coupon_form(code="AGENT-1")).status_code == 403
    generate = {"generate-prefix": "X", "generate-count": "5", "generate-kind": "percent", "generate-value": "5"}
    assert client.post(f"/shops/{shop}/coupons/generate", data=generate).status_code == 403
    assert client.post(f"/shops/{shop}/coupons/import", data=csv_file("code,kind,value\nAGENT-2,percent,5\n"),
                       content_type="multipart/form-data").status_code == 403
    assert db.count(Coupon) == 1


def test_generating_500_codes_makes_500_unique_single_use_codes_in_one_insert(app, client, db, shop):
    statements = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO COUPONS"):
            statements.append(statement)

    with app.app_context():
        engine = sqla.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.post(f"/shops/{shop}/coupons/generate", data={
            "generate-prefix": "xmas", "generate-count": "500", "generate-kind": "fixed", "generate-value": "10",
            "generate-currency": "eur", "generate-valid_until": "2026-12-31"})
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 302 and "pool=XMAS" in response.headers["Location"]
    coupons = db.scalars(select(Coupon))
    assert len(coupons) == 500 and len({c.code for c in coupons}) == 500
    assert all(c.code.startswith("XMAS-") and c.usage_limit == 1 and c.pool == "XMAS" and c.currency == "EUR"
               for c in coupons)
    assert len(statements) == 1  # one batched statement, not 500 round trips
    page = client.get(f"/shops/{shop}/coupons").get_data(as_text=True)
    assert "XMAS" in page and "500" in page


@pytest.mark.parametrize("changes, message", [
    ({"generate-count": "0"}, "Generate between 1 and 5,000 codes at a time."),
    ({"generate-count": "5001"}, "Generate between 1 and 5,000 codes at a time."),
    ({"generate-prefix": "no spaces"}, "Use up to 40 letters A-Z"),
    ({"generate-value": "101"}, "A percentage discount can be at most 100 %."),
])
def test_bad_generation_is_refused_and_adds_nothing(client, db, shop, changes, message):
    data = {"generate-prefix": "XMAS", "generate-count": "10", "generate-kind": "percent", "generate-value": "10"}
    response = client.post(f"/shops/{shop}/coupons/generate", data={**data, **changes})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.count(Coupon) == 0


def test_importing_codes_reports_each_refused_line(client, db, shop, make_coupon):
    make_coupon(shop, code="OLD-1")
    text = ("code,kind,value,currency,valid_from,valid_until,usage_limit,min_order,pool\n"
            "NEW-1,percent,10,,2026-11-01,2026-12-31,,,\n"
            "old-1,percent,10,,,,,,\n"
            "NEW-2,percent,150,,,,,,\n"
            "NEW-3,fixed,5,EUR,yesterday,,,,\n"
            "N,percent,5,,,,,,\n"
            "NEW-4,fixed,5,EUR,,,1,20,MARKET\n"
            "NEW-4,fixed,5,EUR,,,1,20,MARKET\n")
    response = client.post(f"/shops/{shop}/coupons/import", data=csv_file(text), content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 coupons added." in page and "2 codes were already in the shop." in page and "3 lines refused." in page
    assert "<td>4</td><td>value: A percentage discount can be at most 100 %.</td>" in page
    assert "<td>5</td><td>valid_from: Enter a date such as 2026-12-31" in page
    assert "<td>6</td><td>code: Use 3 to 64 letters" in page
    assert set(db.scalars(select(Coupon.code))) == {"OLD-1", "NEW-1", "NEW-4"}
    assert db.scalar(select(Coupon.pool).where(Coupon.code == "NEW-4")) == "MARKET"


@pytest.mark.parametrize("content", [b"", b"just,some,columns\n1,2,3\n", b"\xff\xfe\x00broken"])
def test_a_file_without_a_usable_header_changes_nothing(client, db, shop, content):
    response = client.post(f"/shops/{shop}/coupons/import", data={"file": (io.BytesIO(content), "codes.csv")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The file needs a header row with the columns" in page or "UTF-8" in page
    assert db.count(Coupon) == 0


def test_a_file_with_a_nul_character_is_refused_and_changes_nothing(client, db, shop):
    content = b"code,kind,value\nNUL-1,percent,5\nNUL\x00-2,percent,5\n"
    response = client.post(f"/shops/{shop}/coupons/import", data={"file": (io.BytesIO(content), "codes.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "Text cannot contain the NUL character." in response.get_data(as_text=True)
    assert db.count(Coupon) == 0


def test_polish_export_with_semicolons_and_decimal_commas(client, db, shop):
    text = "Code;Kind;Value;Currency;Min_order\nLATO-10;fixed;10,50;pln;99,99\n"
    client.post(f"/shops/{shop}/coupons/import", data=csv_file(text), content_type="multipart/form-data")
    coupon = db.scalar(select(Coupon))
    assert (coupon.value, coupon.currency, coupon.min_order) == (Decimal("10.50"), "PLN", Decimal("99.99"))


def test_an_exported_pool_imports_into_another_shop(client, db, auth, shop, make_user, make_shop):
    client.post(f"/shops/{shop}/coupons/generate", data={
        "generate-prefix": "VIP", "generate-count": "3", "generate-kind": "percent", "generate-value": "20"})
    client.post(f"/shops/{shop}/coupons", data=coupon_form(code="NOT-IN-POOL"))
    exported = client.get(f"/shops/{shop}/coupons/export.csv?pool=VIP")
    assert exported.mimetype == "text/csv"
    lines = exported.get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("code,kind,value,currency") and len(lines) == 4
    assert all(line.startswith("VIP-") for line in lines[1:])
    second = make_shop(db.scalar(select(User.id).where(User.email == "owner@example.com")), name="Second")
    response = client.post(f"/shops/{second}/coupons/import", data=csv_file(exported.get_data(as_text=True)),
                           content_type="multipart/form-data")
    assert "3 coupons added." in response.get_data(as_text=True)
    assert db.count(Coupon, Coupon.shop_id == second, Coupon.pool == "VIP", Coupon.usage_limit == 1) == 3


def test_the_list_pages_and_filters(client, shop, make_coupon):
    for number in range(55):
        make_coupon(shop, code=f"CODE-{number:03d}")
    first = client.get(f"/shops/{shop}/coupons").get_data(as_text=True)
    assert "CODE-054" in first and "CODE-040" in first and "CODE-039" not in first
    after = first.split(f"/shops/{shop}/coupons?after=")[1].split("&")[0].split('"')[0]
    second = client.get(f"/shops/{shop}/coupons?after={after}").get_data(as_text=True)
    assert "CODE-039" in second and "CODE-025" in second and "CODE-040" not in second and "CODE-024" not in second
    found = client.get(f"/shops/{shop}/coupons?q=code-01").get_data(as_text=True)
    assert "CODE-019" in found and "CODE-020" not in found
