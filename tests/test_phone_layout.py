"""On a 360 px phone, in all six languages: every page fits the screen's width, with long names and long lists."""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from sellerkit import inbox
from sellerkit.accounts.models import User
from sellerkit.coupons.models import Coupon
from sellerkit.extensions import db as database
from sellerkit.followups.models import FollowUp
from sellerkit.shops.models import Shop
from sellerkit.threads.domain import Inbound
from sellerkit.threads.models import Thread
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LiveServer
from tests.conftest import NOW, PASSWORD
from tests.samples import png
from tests.test_access_matrix import world  # noqa: F401 (a fixture)
from tests.test_accessibility_browser import html_pages, scene  # noqa: F401 (scene: a fixture)

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
LANGUAGES = (("en", "en-US"), ("ru", "ru-RU"), ("pl", "pl-PL"), ("zh-Hans", "zh-CN"), ("bn", "bn-BD"), ("fa", "fa-IR"))
LONG_SHOP = "Maryam's Hand-Painted Ceramics and Tableware Studio · کارگاه سفال مریم"
LONG_BUYER = "Shahriar Chowdhury-Rahmanzadeh · শাহরিয়ার চৌধুরী রহমানজাদে"
LONG_ORDER = "AMZ-EU-2026-12-07-000123456789-4455667788-DE"
BENGALI = ("আমার অর্ডারটি এখনও আসেনি। ট্র্যাকিং নম্বর কাজ করছে না, দয়া করে দেখুন: "
           "https://tracking.example.com/parcels/LX0123456789012345678901234567890DE?lang=bn&ref=marketplace")
PERSIAN = "سلام، سفارش من هنوز نرسیده است. لطفاً بررسی کنید که بسته کجاست؛ شماره پیگیری کار نمی‌کند."
#: The innermost elements that reach past the screen's edges, to say what to fix.
OVERFLOWING = """() => Array.from(document.querySelectorAll("body *")).filter(element => {
    const box = element.getBoundingClientRect();
    return box.width && box.right > 0 && (box.right > innerWidth + 1 || box.left < -1)
        && !Array.from(element.children).some(child => child.getBoundingClientRect().right > innerWidth + 1
                                                     || child.getBoundingClientRect().left < -1);
}).slice(0, 3).map(element => element.tagName.toLowerCase() + "." + element.className.replace(/ /g, ".")
                              + " " + (element.textContent || "").trim().slice(0, 30)).join("; ")"""
POOL = "WINTER-LOYALTY-2026-RETURNING-BUYERS"


@pytest.fixture
def crowded(app, scene):
    """The tour's world with what makes a phone page overflow: a long shop name, a buyer writing in Bengali with a
    long name, order number and unbroken link, a Persian message, a pool of 120 codes and 60 follow-ups."""
    with app.app_context():
        shop = database.session.get(Shop, scene["shop_id"]["A"])
        shop.name = LONG_SHOP
        owner = database.session.scalar(select(User).where(User.email == "owner-a@example.com"))
        owner.display_name = "Arash Mohammadi-Tehrani Khosravi"
        thread = database.session.get(Thread, scene["thread_id"]["A"])
        thread.buyer.display_name = LONG_BUYER
        thread.order.platform_order_ref = LONG_ORDER
        thread.order.items_summary = "Hand-painted ceramic mug «Persian garden» × 2; পোড়ামাটির প্লেট × 4"
        thread.order.tracking_number = "LX0123456789012345678901234567890DE"
        for number, body in enumerate((BENGALI, PERSIAN, "Is there any update? " * 12)):
            inbox.receive_buyer_message(shop, Inbound(
                external_id=f"long-{number}", body=body, received_at=NOW + timedelta(minutes=number + 1),
                buyer_external_id="buyer-1", buyer_name=LONG_BUYER, subject="Order question",
                order_reference=LONG_ORDER), NOW + timedelta(minutes=number + 1),
                files=[("a-very-long-file-name-of-the-photo-of-the-broken-parcel-2026-12-07.png", io.BytesIO(png()))])
        for number in range(120):
            database.session.add(Coupon(shop_id=shop.id, code=f"{POOL}-{number:06d}X7Q", kind="fixed",
                                        value=Decimal("12.50"), currency="EUR", valid_from=NOW - timedelta(days=3),
                                        valid_until=NOW + timedelta(days=90), usage_limit=1, redeemed_count=0,
                                        min_order=Decimal("40"), pool=POOL, created_at=NOW))
        for number in range(60):
            received = inbox.receive_buyer_message(shop, Inbound(
                external_id=f"follow-up-{number}", body="Thanks!", received_at=NOW,
                buyer_external_id=f"follow-up-{number}",
                buyer_name=f"{LONG_BUYER} {number}", order_reference=f"{LONG_ORDER}-{number}"), NOW)
            database.session.add(FollowUp(
                shop_id=shop.id, campaign_id=scene["campaign_id"]["A"], buyer_id=received.thread.buyer_id,
                order_id=received.thread.order_id, due_at=NOW + timedelta(days=number), status="pending",
                created_at=NOW, updated_at=NOW + timedelta(seconds=number)))
        database.session.commit()
    return scene


def log_in(page):
    page.goto("/login")
    page.locator("input[name=email]").fill("owner-a@example.com")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url("**/inbox")


def widths(page, server, pages, as_guest):
    """{url: scrollWidth} for each HTML page (files and redirects left out), for a guest or for owner A."""
    found = {}
    for anonymous, url in pages:
        if anonymous != as_guest:
            continue
        response = page.request.get(url)
        if not response.text().lstrip().lower().startswith("<!doctype html") or response.url != server.url + url:
            continue
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        found[url] = f"{width} ({page.evaluate(OVERFLOWING)})" if width > PHONE["width"] else width
    return found


def test_every_page_fits_a_360_px_phone_in_every_language(make_app, crowded):
    from playwright.sync_api import sync_playwright

    app = make_app(WTF_CSRF_ENABLED=True)
    pages = html_pages(app, crowded)
    too_wide = []
    with LiveServer(app) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for language, locale in LANGUAGES:
            context = browser.new_context(base_url=server.url, locale=locale, viewport=PHONE)
            page = context.new_page()
            found = widths(page, server, pages, as_guest=True)
            log_in(page)
            assert page.locator("html").get_attribute("lang") == language
            found.update(widths(page, server, pages, as_guest=False))
            assert len(found) >= 30, found
            too_wide += [f"[{language}] {url}: {width}" for url, width in found.items() if isinstance(width, str)]
            context.close()
        browser.close()
    assert not too_wide, f"{len(too_wide)} pages scroll sideways at 360 px:\n" + "\n".join(too_wide)


def test_a_phone_gets_a_one_row_header_and_a_thread_that_opens_on_the_conversation(make_app, crowded):
    from playwright.sync_api import sync_playwright

    app = make_app(WTF_CSRF_ENABLED=True)
    thread = f"/threads/{crowded['thread_id']['A']}"
    with LiveServer(app) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for locale in ("en-US", "fa-IR"):
            # JavaScript off: the menu and the details are <details>, which open without it.
            context = browser.new_context(base_url=server.url, locale=locale, viewport=PHONE, java_script_enabled=False)
            page = context.new_page()
            log_in(page)
            page.goto(f"/shops/{crowded['shop_id']['A']}")
            assert page.locator("header.topbar").bounding_box()["height"] < 64
            assert not page.locator(".shop-nav").is_visible()
            page.locator(".phone-menu summary").click()
            page.locator(".phone-menu a[href$='/coupons']").click()
            page.wait_for_url("**/coupons")

            page.goto(thread)
            screen = PHONE["height"]
            assert not page.locator(".thread-info dl").first.is_visible()  # the buyer's details wait behind a tap
            assert page.locator(".earlier > .messages > li").count() == 2  # the two oldest of five, folded
            latest = page.locator(".thread-main .thread-messages > .messages > li")
            assert latest.count() == 3
            assert latest.first.bounding_box()["y"] < screen / 2
            page.locator(".phone-jump").click()  # one tap to the composer
            assert 0 <= page.locator("#composer").bounding_box()["y"] < screen
            page.locator(".thread-info summary").click()
            assert page.locator(".thread-info dl").first.is_visible()
            context.close()

        desk = browser.new_context(base_url=server.url, locale="en-US", viewport={"width": 1366, "height": 900})
        page = desk.new_page()
        log_in(page)
        page.goto(thread)
        assert page.locator(".main-nav").is_visible() and not page.locator(".phone-menu").is_visible()
        details, conversation = page.locator(".thread-info dl").first, page.locator(".thread-main")
        assert details.is_visible()  # beside the conversation, no tap needed
        assert details.bounding_box()["x"] > conversation.bounding_box()["x"] + conversation.bounding_box()["width"]
        desk.close()
        browser.close()
