"""Languages: Accept-Language, the user's choice, right-to-left, native digits and durations."""
from datetime import datetime, timedelta, timezone

import pytest
from flask_babel import force_locale

from sellerkit.i18n import (
    format_duration,
    format_when,
    localize_digits,
    parse_accept_language,
)


@pytest.mark.parametrize("header, locale", [
    ("fa-IR,en;q=0.8", "fa"),
    ("zh-CN", "zh_Hans"),
    ("zh-Hans-CN,zh;q=0.9", "zh_Hans"),
    ("bn-BD", "bn"),
    ("ru-RU,ru;q=0.9,en-US;q=0.8", "ru"),
    ("de-DE,pl;q=0.7,en;q=0.5", "pl"),
    ("en;q=0.2,ru;q=0.9", "ru"),
    ("pl;q=0,fa", "fa"),
    ("*", None),
    ("", None),
    ("xx-YY,;q=abc", None),
])
def test_accept_language_is_parsed_by_quality_and_script(header, locale):
    assert parse_accept_language(header) == locale


def test_persian_page_is_right_to_left(client):
    page = client.get("/login", headers={"Accept-Language": "fa-IR,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in page


def test_chinese_page_carries_the_script_tag(client):
    page = client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="zh-Hans" dir="ltr">' in page


def test_choice_in_the_footer_wins_over_the_browser(client):
    client.post("/language", data={"locale": "pl", "next": "/login"})
    page = client.get("/login", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert '<html lang="pl" dir="ltr">' in page


def test_users_language_setting_follows_them(app, client, auth, make_user):
    make_user(locale="bn")
    auth.login()
    page = client.get("/settings/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="bn"' in page
    client.post("/settings/", data={"display_name": "", "locale": "fa", "timezone": "Asia/Tehran"})
    page = client.get("/settings/").get_data(as_text=True)
    assert 'dir="rtl"' in page


def test_every_locale_renders_the_login_page_translated(client):
    english = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for locale in ("ru", "pl", "zh-CN", "bn", "fa"):
        page = client.get("/login", headers={"Accept-Language": locale}).get_data(as_text=True)
        assert "Log in to sellerkit" in english and "Log in to sellerkit" not in page, locale


def test_persian_and_bengali_get_their_own_digits(app):
    moment = datetime(2026, 3, 21, 9, 5, tzinfo=timezone.utc)
    with app.test_request_context():
        with force_locale("fa"):
            assert "۱۴۰۵" in format_when(moment)  # 21 March 2026 is Nowruz, 1 Farvardin 1405
            assert "2026" not in format_when(moment)
            assert localize_digits("12:30") == "۱۲:۳۰"
        with force_locale("bn"):
            assert "২০২৬" in format_when(moment)
        with force_locale("pl"):
            assert "2026" in format_when(moment)


def test_durations_keep_hours_under_a_day(app):
    with app.test_request_context():
        with force_locale("en"):
            assert format_duration(timedelta(hours=23)) == "23 hr"
            assert format_duration(timedelta(minutes=45)) == "45 min"
        for locale in ("fa", "bn", "zh_Hans", "ru", "pl"):
            with force_locale(locale):
                text = format_duration(timedelta(hours=23))
                assert text and "1" not in text.replace("23", ""), (locale, text)


def test_dates_show_in_the_users_timezone(client, auth, make_user):
    make_user()
    auth.login()
    client.post("/settings/", data={"display_name": "", "locale": "en", "timezone": "Asia/Tehran"})
    client.post("/settings/tokens", data={"name": "clock check"})
    page = client.get("/settings/tokens").get_data(as_text=True)
    assert "clock check" in page
    # The token was created "now" in UTC; Tehran is 3:30 ahead, so the shown minute differs from UTC's by 30.
    now = datetime.now(timezone.utc).astimezone(timezone(timedelta(hours=3, minutes=30)))
    assert now.strftime("%-I:%M") in page or (now - timedelta(minutes=1)).strftime("%-I:%M") in page


def test_amounts_use_each_languages_own_separators_and_digits(app):
    from decimal import Decimal

    from sellerkit.i18n import format_money

    with app.test_request_context():
        with force_locale("fa"):
            assert format_money(Decimal("480000"), "IRR").endswith("ریال\xa0۴۸۰٬۰۰۰")
        with force_locale("bn"):
            assert "৪,৮০,০০০" in format_money(Decimal("480000"), "BDT")
        with force_locale("pl"):
            assert format_money(Decimal("1234.5"), "PLN") == "1\xa0234,50\xa0zł"
