"""axe-core in a real browser over every page of the access matrix, in English and in Persian: no violations."""
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from sellerkit.accounts.models import User
from sellerkit.coupons.models import Coupon
from sellerkit.extensions import db as database
from sellerkit.shops.models import Shop
from sellerkit.system import services as system
from sellerkit.threads.models import Thread
from sellerkit.tickets import services as tickets
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LiveServer
from tests.conftest import NOW, PASSWORD
from tests.test_access_matrix import ACCESS, targets_for, url_arguments, world  # noqa: F401 (world: a fixture)

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
#: axe-core 4 leaves its duplicate-id rules off by default (deprecated); a repeated id still breaks a label's
#: `for` and a field's aria-describedby, so the scan turns them on.
AXE_OPTIONS = {"resultTypes": ["violations", "incomplete"],
               "rules": {"duplicate-id": {"enabled": True}, "duplicate-id-active": {"enabled": True}}}
#: An id repeated on two fields that labels point at is only "to review" for axe (the first field keeps its
#: label), but the second field loses its label: such findings count as violations here.
RUN_AXE = """options => axe.run(document, options).then(results => results.violations.concat(
    results.incomplete.filter(finding => finding.id.startsWith("duplicate-id"))).map(violation => ({
        id: violation.id, impact: violation.impact,
        targets: violation.nodes.map(node => node.target.join(" "))})))"""


@pytest.fixture
def scene(app, world):
    """The matrix's world, plus what it lacks for a full tour: a coupon, a ticket that support has answered
    (so the answer, details and rating forms show), and owner A as the instance's administrator (the System page)."""
    with app.app_context():
        shop = database.session.get(Shop, world["shop_id"]["A"])
        owner = database.session.scalar(select(User).where(User.email == "owner-a@example.com"))
        system.grant_admin(owner, NOW)
        database.session.add(Coupon(shop_id=shop.id, code="SPRING-15", kind="percent", value=Decimal("15"),
                                    valid_from=NOW - timedelta(days=30), redeemed_count=0, created_at=NOW))
        thread = database.session.get(Thread, world["thread_id"]["A"])
        answered = tickets.escalate(shop, thread, NOW, owner, topic_key="order_not_received")
        tickets.file(answered, owner, NOW)
        tickets.record_support_reply(answered, "Please send a photo of the parcel.", "answered", NOW)
        database.session.commit()
        return {**world, "answered_ticket_id": answered.id}


def html_pages(app, scene):
    """Each GET page the access matrix lists (not the API, not static files), as (anonymous?, url): opened by
    owner A on shop A's objects, or anonymously where the page is for guests."""
    from flask import url_for

    pages = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule.startswith("/api/"):
                continue
            access, _status = ACCESS[(rule.endpoint, "GET")]
            anonymous = access in ("public", "guest")
            target = targets_for(rule)[0]
            pages.append((anonymous, url_for(rule.endpoint, **url_arguments(rule, target, "owner_a", scene))))
    return sorted(pages)


def scan(page, where, found):
    """Run axe-core on the page as it is now and add its violations to `found`."""
    for violation in page.evaluate(RUN_AXE, AXE_OPTIONS):
        found.append(f"{where}: {violation['id']} ({violation['impact']}) at {', '.join(violation['targets'])}")


def visit_and_scan(page, server, language, url, found, scanned):
    """Scan the page at `url`; files (exports, attachments), fragments that a page loads into itself, and
    redirects (their targets are pages of their own) are left out."""
    response = page.request.get(url)
    if not response.text().lstrip().lower().startswith("<!doctype html") or response.url != server.url + url:
        return
    page.goto(url)
    scan(page, f"[{language}] {url}", found)
    scanned.append(url)


def tour(page, server, language, pages, scene, found):
    """Every page as a guest, a failed log-in, then every page as shop A's owner, with the failing forms too."""
    scanned = []
    for anonymous, url in pages:
        if anonymous:
            visit_and_scan(page, server, language, url, found, scanned)

    page.goto("/login")
    page.locator("input[name=email]").fill("owner-a@example.com")
    page.locator("input[name=password]").fill("not the password")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true], .form-errors").count() > 0
    scan(page, f"[{language}] /login (refused)", found)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url("**/inbox")

    for anonymous, url in pages:
        if not anonymous:
            visit_and_scan(page, server, language, url, found, scanned)

    thread = f"/threads/{scene['thread_id']['A']}"
    page.goto(thread)
    page.locator("details.picker summary").click()  # the saved replies load into the composer's picker
    page.locator("[data-insert-reply]").first.wait_for()
    scan(page, f"[{language}] {thread} (saved replies open)", found)

    answered = f"/tickets/{scene['answered_ticket_id']}"
    visit_and_scan(page, server, language, answered, found, scanned)
    page.locator("form[action$='/rate'] button[type=submit]").click()  # no rating chosen: refused
    page.wait_for_load_state()
    scan(page, f"[{language}] {answered} (rating refused)", found)

    settings = f"/shops/{scene['shop_id']['A']}/settings"
    page.goto(settings)
    page.locator("input[name='hours-0-is_open']").check()
    page.locator("input[name='hours-0-opens_at']").fill("")
    page.locator("input[name='hours-0-closes_at']").fill("")
    page.locator("form.card > button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".hours-row.has-error").count() == 1
    scan(page, f"[{language}] {settings} (business hours refused)", found)
    return scanned


def test_every_page_in_english_and_persian_has_no_axe_violations(make_app, scene):
    from playwright.sync_api import sync_playwright

    app = make_app(WTF_CSRF_ENABLED=True)
    pages = html_pages(app, scene)
    found, scanned = [], {}
    with LiveServer(app) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for language, locale in (("en", "en-US"), ("fa", "fa-IR")):
            # axe-core goes into every page this context opens, past the app's Content-Security-Policy (which
            # allows no such script): only this test browser does that.
            context = browser.new_context(base_url=server.url, locale=locale, bypass_csp=True)
            context.add_init_script(path=AXE)
            page = context.new_page()
            scanned[language] = tour(page, server, language, pages, scene, found)
            assert page.locator("html").get_attribute("lang") == language
            context.close()
        browser.close()
    assert scanned["en"] == scanned["fa"]
    assert len(scanned["en"]) >= 30, scanned["en"]
    assert not found, f"{len(found)} accessibility violations:\n" + "\n".join(found)
