"""Languages: Accept-Language, the user's choice, right-to-left, native digits and durations."""
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from babel import Locale
from flask import render_template_string
from flask_babel import force_locale
from jinja2 import nodes

from sellerkit.i18n import (
    LOCALES,
    OWN_NAMES,
    format_duration,
    format_when,
    gettext,
    lazy_pgettext,
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
    ("en-US,en;q=0.9", "en"),
    ("EN-us", "en"),
    ("zh-TW,en;q=0.8", "zh_Hans"),  # the one Chinese UI, written in the script a Taiwanese reader also reads
    ("zh", "zh_Hans"),
    ("de-CH;q=0.9, bn-BD;q=0.4, fa;q=0.5, ru-RU;q=0.7", "ru"),
    ("sr-Latn-RS,de;q=0.9,bn;q=0.3", "bn"),
    ("fa-IR;q=0.5,ru;q=0.5", "fa"),
    ("*;q=0.9,fa-AF;q=0.1", "fa"),
    (";;;,,q=,=,ü-ö;q=x,fa", "fa"),
    ("en;q=2,ru;q=-1", None),
    ("\u0000garbage\u0000", None),
])
def test_accept_language_is_parsed_by_quality_and_script(header, locale):
    assert parse_accept_language(header) == locale


def test_the_browsers_language_picks_the_page_language(client):
    page = client.get("/login", headers={"Accept-Language": "de-DE,bn-BD;q=0.8,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="bn" dir="ltr">' in page
    page = client.get("/login", headers={"Accept-Language": "x;;q=,,,"}).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page


def test_numbers_in_messages_are_written_the_viewers_way(app):
    with app.test_request_context(headers={"Accept-Language": "fa"}):
        assert "۵٬۰۰۰" in gettext("At most %(count)s codes.", count=5000)
        assert "۵٬۰۰۰" in str(lazy_pgettext("coupon", "At most %(count)s codes.", count=5000))
        assert gettext("%(name)s", name="Ali 7") == "Ali 7"  # only numbers: a name keeps its own digits
        report = SimpleNamespace(created=12_500, duplicates=3, rejected=[])
        html = render_template_string('{% from "coupons/_report.html" import import_report %}'
                                      '{{ import_report(report, "coupons") }}', report=report)
        assert "۱۲٬۵۰۰" in html and "12" not in html
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert gettext("At most %(count)s codes.", count=5000) == "At most 5,000 codes."


def test_every_count_a_template_puts_in_a_message_is_written_the_viewers_way(app):
    """Jinja's ngettext would put the bare count in %(num)s (5000 in a Persian sentence): each template gives it
    through the number filter."""
    for name in app.jinja_env.list_templates(extensions=["html"]):
        source = app.jinja_env.loader.get_source(app.jinja_env, name)[0]
        for call in app.jinja_env.parse(source).find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name in ("ngettext", "npgettext"):
                given = {keyword.key: keyword.value for keyword in call.kwargs}
                assert isinstance(given.get("num"), nodes.Filter) and given["num"].name == "number", \
                    f"{name}:{call.lineno}"


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


def test_the_language_menu_names_each_language_in_itself_as_babel_does(client):
    assert set(OWN_NAMES) == set(LOCALES)
    for code, name in OWN_NAMES.items():
        babel_name = Locale.parse(code).get_display_name(code)
        assert name == babel_name[:1].upper() + babel_name[1:], code
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert all(f">{name}</option>" in page for name in OWN_NAMES.values())


def test_every_locale_renders_the_login_page_translated(client):
    english = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for locale in ("ru", "pl", "zh-CN", "bn", "fa"):
        page = client.get("/login", headers={"Accept-Language": locale}).get_data(as_text=True)
        assert "Log in to sellerkit" in english and "Log in to sellerkit" not in page, locale


def test_persian_and_bengali_get_their_own_digits(app):
    moment = datetime(2026, 3, 21, 9, 5, tzinfo=UTC)
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
    now = datetime.now(UTC).astimezone(timezone(timedelta(hours=3, minutes=30)))
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
