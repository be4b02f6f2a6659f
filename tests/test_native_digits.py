"""Persian and Bengali pages write every number of their own in their own digits: each page of the access matrix
is rendered with data full of dates, times, counts and amounts, and what a reader sees is searched for Latin ones.

Left out of the search, each for a reason:
- <bdi> and dir="auto" text: what people wrote (buyer messages, shop, buyer and campaign names, order references),
  shown as written;
- <code>, <pre>, <textarea> and form values: codes to copy (coupon codes, tokens, placeholders) and text to edit;
- <option> text that is its own value: identifiers such as the timezone "Etc/GMT+5";
- a word mixing Latin letters and digits: a code or reference (SPRING-15, ORD-1, SK-000001, UTF-8), the same
  in every language;
- e-mail and web addresses, and the date formats a field reads ("2026-12-31", "2026-12-31 18:00"): the date
  fields read those Latin digits only.
"""
import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from sellerkit.coupons.models import Coupon, Redemption
from sellerkit.extensions import db as database
from tests.conftest import NOW
from tests.test_access_matrix import ACCESS, url_arguments, world  # noqa: F401 (world is a fixture)

SKIPPED_TAGS = {"bdi", "code", "pre", "textarea", "script", "style", "title"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
#: Pages that are not HTML for a reader, or fragments shown inside a page that is searched.
NOT_PAGES = {"static", "api.openapi", "threads.attachment", "replies.export", "policies.export", "coupons.export",
             "response.export"}
#: Hints that show the exact date format to type; the date fields read Latin digits only.
TYPED_EXAMPLES = re.compile(r"\d{4}-\d{2}-\d{2}(T[\d:+Z]+| \d{2}:\d{2})?")
CODES = re.compile(r"[\w+/-]*[A-Za-z][\w+/-]*[0-9][\w+/-]*|[\w+/-]*[0-9][\w+/-]*[A-Za-z][\w+/-]*")
ADDRESSES = re.compile(r"\S+@\S+\.\w+|https?://\S+|/[\w/-]*\d[\w/-]*")


class VisibleText(HTMLParser):
    """The text a reader sees, without the parts left out above."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.parts = [], []

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            return
        attributes = dict(attrs)
        skipped = tag in SKIPPED_TAGS or attributes.get("dir") == "auto"
        self.stack.append((tag, skipped, attributes.get("value") if tag == "option" else None))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if any(skipped for _tag, skipped, _value in self.stack):
            return
        if self.stack and self.stack[-1][0] == "option" and self.stack[-1][2] == data.strip():
            return  # an identifier listed as itself, such as a timezone
        self.parts.append(data)


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    return CODES.sub(" ", TYPED_EXAMPLES.sub(" ", ADDRESSES.sub(" ", text)))


def latin_digits(text):
    """(digits, the text around them) of each run of Latin digits."""
    return [(m.group(0), " ".join(text[max(0, m.start() - 40):m.end() + 40].split()))
            for m in re.finditer(r"[0-9]+", text)]


def test_the_scan_finds_latin_digits_and_leaves_buyer_text_alone():
    page = ('<p>حداکثر 5000 کد</p><p dir="auto">order 123</p><bdi>ORD-77</bdi><code>SPRING-15</code>'
            '<p>کد SK-000001 · مانند 2026-12-31</p>'
            '<select><option value="Etc/GMT+5">Etc/GMT+5</option><option value="3">3 روز</option></select>')
    assert [digits for digits, _context in latin_digits(visible_text(page))] == ["5000", "3"]


@pytest.fixture
def busy_world(app, world):
    """The access matrix's shops, plus coupons and a redemption, so that every list has numbers and dates."""
    with app.app_context():
        shop_id = world["shop_id"]["A"]
        coupon = Coupon(shop_id=shop_id, code="SPRING-15", kind="percent", value=Decimal("12.5"), usage_limit=100,
                        redeemed_count=1, valid_from=NOW - timedelta(days=3), valid_until=NOW + timedelta(days=40),
                        created_at=NOW)
        database.session.add(coupon)
        database.session.flush()
        database.session.add(Redemption(shop_id=shop_id, coupon_id=coupon.id, order_ref="ORD-1234",
                                        amount=Decimal("1234.50"), currency="EUR", redeemed_at=NOW, source="manual",
                                        created_at=NOW))
        database.session.commit()
    return world


def pages(app, world):
    """(endpoint, url) of every page an owner of shop A may open."""
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            access, allowed = ACCESS.get((rule.endpoint, "GET"), (None, None))
            if "GET" not in rule.methods or rule.rule.startswith("/api/") or rule.endpoint in NOT_PAGES \
                    or access not in ("member", "owner", "user", "public") or allowed != 200:
                continue
            target = "A" if rule.arguments & {"shop_id", "thread_id", "reply_id", "ticket_id", "channel_id"} else "none"
            yield rule.endpoint, url_for(rule.endpoint, **url_arguments(rule, target, "owner_a", world))


@pytest.mark.parametrize("language", ["fa", "bn"])
def test_persian_and_bengali_pages_show_no_latin_digits(app, busy_world, language):
    browser = app.test_client()
    browser.set_cookie("sellerkit_session", busy_world["cookies"]["owner_a"])
    found = {}
    for _endpoint, url in pages(app, busy_world):
        response = browser.get(url, headers={"Accept-Language": language})
        assert response.status_code == 200, url
        if response.mimetype != "text/html":
            continue  # machine answers (/metrics, /healthz) are read by programs, not people
        digits = latin_digits(visible_text(response.get_data(as_text=True)))
        if digits:
            found[url] = digits
    assert not found, "\n".join(f"{url}: {context}" for url, runs in found.items() for _digits, context in runs)
