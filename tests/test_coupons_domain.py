"""Coupon rules without the app: code format, terms, generated codes, usability and redemption checks."""
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from sellerkit.coupons.domain import (
    ALPHABET,
    coupon_problem,
    generate_codes,
    is_expired,
    is_usable,
    is_valid_code,
    normalize_code,
    parse_decimal,
    parse_moment,
    parse_whole_number,
    read_csv,
    redemption_problem,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
WARSAW = ZoneInfo("Europe/Warsaw")


@dataclass
class FakeCoupon:
    valid_from: object = None
    valid_until: object = None
    usage_limit: object = None
    redeemed_count: int = 0
    min_order: object = None


def terms(**changes):
    values = {"kind": "percent", "value": Decimal(15), "currency": None, "valid_from": None, "valid_until": None,
              "usage_limit": None, "min_order": None}
    values.update(changes)
    return values


def test_codes_are_stored_upper_case_without_spaces():
    assert normalize_code("  spring-15 ") == "SPRING-15"
    assert normalize_code(None) == ""


@pytest.mark.parametrize("code, valid", [
    ("ABC", True), ("SPRING_2026-15", True), ("A" * 64, True),
    ("AB", False), ("A" * 65, False), ("SPRING 15", False), ("ZNIŻKA", False), ("-SUM", False), ("", False),
])
def test_code_format(code, valid):
    assert is_valid_code(code) is valid


@pytest.mark.parametrize("changes, problem", [
    ({}, None),
    ({"value": Decimal(-5)}, ("value", "not_positive")),
    ({"value": Decimal(0)}, ("value", "not_positive")),
    ({"value": Decimal(150)}, ("value", "percent_over_100")),
    ({"value": Decimal(100)}, None),
    ({"value": None}, ("value", "required")),
    ({"value": Decimal("10.555")}, ("value", "decimals")),
    ({"kind": "fixed", "value": Decimal(150)}, ("currency", "currency_required")),
    ({"kind": "fixed", "value": Decimal(150), "currency": "EUR"}, None),
    ({"kind": "fixed", "value": Decimal("1e12"), "currency": "EUR"}, ("value", "too_large")),
    ({"currency": "EURO"}, ("currency", "currency")),
    ({"kind": "gift"}, ("kind", "kind")),
    ({"valid_from": NOW, "valid_until": NOW}, ("valid_until", "ends_before_start")),
    ({"valid_from": NOW, "valid_until": NOW + timedelta(days=1)}, None),
    ({"usage_limit": 0}, ("usage_limit", "usage_limit")),
    ({"usage_limit": 1}, None),
    ({"min_order": Decimal(-1), "currency": "EUR"}, ("min_order", "min_order_negative")),
    ({"min_order": Decimal(50)}, ("currency", "currency_for_minimum")),
    ({"min_order": Decimal(0)}, None),
    ({"min_order": Decimal(50), "currency": "PLN"}, None),
])
def test_coupon_problems(changes, problem):
    assert coupon_problem(**terms(**changes)) == problem


def test_generated_codes_are_unique_unambiguous_and_new():
    existing = {"XMAS-AAAAAAAA"}
    codes = generate_codes("XMAS", 5000, existing, random.Random(7))
    assert len(set(codes)) == 5000 and not set(codes) & existing
    for code in codes:
        prefix, random_part = code.split("-")
        assert prefix == "XMAS" and len(random_part) == 8 and set(random_part) <= set(ALPHABET)
    assert not set("0O1IL") & set(ALPHABET)


def test_generation_skips_codes_that_exist():
    first = generate_codes("P", 1, (), random.Random(1))
    again = generate_codes("P", 1, first, random.Random(1))  # the same random sequence: the first draw is taken
    assert again != first


@pytest.mark.parametrize("count", [0, 5001])
def test_generation_count_is_bounded(count):
    with pytest.raises(ValueError):
        generate_codes("P", count, (), random.Random(1))


def test_usable_within_its_period_and_under_its_limit():
    coupon = FakeCoupon(valid_from=NOW, valid_until=NOW + timedelta(days=1), usage_limit=2, redeemed_count=1)
    assert is_usable(coupon, NOW) and not is_expired(coupon, NOW)
    assert not is_usable(coupon, NOW - timedelta(seconds=1))
    assert not is_usable(coupon, NOW + timedelta(days=1)) and is_expired(coupon, NOW + timedelta(days=1))
    coupon.redeemed_count = 2
    assert not is_usable(coupon, NOW)
    assert is_usable(FakeCoupon(), NOW)


@pytest.mark.parametrize("coupon, at, amount, problem", [
    (FakeCoupon(), NOW, Decimal(10), None),
    (FakeCoupon(valid_from=NOW), NOW - timedelta(minutes=1), Decimal(10), "not_yet_valid"),
    (FakeCoupon(valid_until=NOW), NOW, Decimal(10), "expired"),
    (FakeCoupon(usage_limit=1, redeemed_count=1), NOW, Decimal(10), "over_limit"),
    (FakeCoupon(min_order=Decimal(50)), NOW, Decimal("49.99"), "below_minimum"),
    (FakeCoupon(min_order=Decimal(50)), NOW, Decimal(50), None),
])
def test_redemption_problems(coupon, at, amount, problem):
    assert redemption_problem(coupon, at, amount) == problem


@pytest.mark.parametrize("text, value", [
    ("12.50", Decimal("12.50")), ("12,5", Decimal("12.5")), (" 7 ", Decimal(7)), ("1 000", Decimal(1000)),
    ("abc", None), ("NaN", None), ("Infinity", None), ("", None), ("1,000.5", None),
    ("۱۲٫۵", Decimal("12.5")), ("۱٬۰۰۰", Decimal(1000)), ("১০.৫০", Decimal("10.50")),
])
def test_amounts_as_people_and_marketplaces_write_them(text, value):
    assert parse_decimal(text) == value


@pytest.mark.parametrize("text, number", [("12", 12), (" 3 ", 3), ("0", 0), ("-1", None), ("²", None),
                                          ("1" * 11, None), ("1.5", None), ("", None)])
def test_whole_numbers(text, number):
    assert parse_whole_number(text) == number


def test_moments_dates_and_local_times():
    assert parse_moment("2026-12-31", WARSAW) == datetime(2026, 12, 31, tzinfo=WARSAW)
    assert parse_moment("2026-12-31", WARSAW, end_of_day=True) == datetime(2027, 1, 1, tzinfo=WARSAW)
    assert parse_moment("2026-12-31T18:00:00", WARSAW) == datetime(2026, 12, 31, 18, tzinfo=WARSAW)
    assert parse_moment("2026-12-31T18:00:00Z", WARSAW) == datetime(2026, 12, 31, 18, tzinfo=UTC)
    for wrong in ("31.12.2026", "tomorrow", "", "0001-01-01", "9999-12-31"):
        assert parse_moment(wrong, WARSAW) is None


def test_csv_with_semicolons_keeps_file_line_numbers():
    columns, rows = read_csv("\ufeffCode;Value\nA1B;10,5\n\n;\nC2D;5\n")
    assert columns == ["code", "value"]
    assert rows == [(2, {"code": "A1B", "value": "10,5"}), (5, {"code": "C2D", "value": "5"})]
    assert read_csv("") == ([], [])
