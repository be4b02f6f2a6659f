"""In a real browser, in English and Persian: from the empty inbox to Connect a channel, upload a CSV file, and
watch the progress bar reach the end while the scheduler imports it (with and without JavaScript)."""
import os
from pathlib import Path

import pytest

from sellerkit.scheduler import build_scheduler
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LiveServer

pytestmark = pytest.mark.browser

CSV = ("external_id,buyer_id,buyer_name,body,received_at\r\n"
       "m-1,b-1,Olga,Где мой заказ?,2026-11-20T10:00:00Z\r\n"
       "m-2,b-2,Maryam,,2026-11-20T11:00:00Z\r\n"
       "m-3,b-3,Ana,Is it handmade?,2026-11-20T12:00:00Z\r\n").encode()
#: Set to a folder to keep screenshots of every page of the flow at desk width and at 360 px.
SHOTS = os.environ.get("SELLERKIT_SCREENSHOTS")
WIDTHS = {"desk": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 780}}


@pytest.fixture
def server(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    scheduler = build_scheduler(app, blocking=False)
    scheduler.start()
    with LiveServer(app) as live:
        yield live
    scheduler.shutdown(wait=True)


def shoot(page, name, locale):
    if not SHOTS:
        return
    for label, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{locale}-{label}.png"), full_page=True)
    page.set_viewport_size(WIDTHS["phone"])


@pytest.mark.parametrize(("locale", "javascript"), [("en", True), ("fa", True), ("en", False)])
def test_a_seller_uploads_a_file_and_watches_it_import(server, make_user, make_shop, locale, javascript):
    from playwright.sync_api import expect, sync_playwright

    shop_id = make_shop(make_user(locale=locale))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=server.url, locale=locale, viewport=WIDTHS["phone"],
                                      java_script_enabled=javascript)
        page = context.new_page()
        page.goto("/login")
        page.locator("main input[name=email]").fill("owner@example.com")
        page.locator("main input[name=password]").fill("correct horse battery")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/inbox")
        assert page.locator("html").get_attribute("dir") == ("rtl" if locale == "fa" else "ltr")
        shoot(page, "inbox", locale)

        page.locator(".empty a.button").click()
        page.wait_for_url(f"**/shops/{shop_id}/connect")
        shoot(page, "connect", locale)
        page.locator(f'main a.button[href="/shops/{shop_id}/imports/new"]').click()
        page.wait_for_url("**/imports/new")
        shoot(page, "upload", locale)
        page.locator("input[type=file]").set_input_files(
            files=[{"name": "messages.csv", "mimeType": "text/csv", "buffer": CSV}])
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/imports/*")

        expect(page.locator("#import-bar")).to_have_attribute("value", "100", timeout=30_000)
        expect(page.locator(".import-errors tbody tr")).to_have_count(1)
        assert page.locator(".import-errors tbody td").first.inner_text() == ("۳" if locale == "fa" else "3")
        assert page.locator(".rows-done").inner_text() == ("۳" if locale == "fa" else "3")
        shoot(page, "progress", locale)

        page.locator("#import-progress a.button").click()
        page.wait_for_url("**/inbox*")
        expect(page.locator(".thread-row")).to_have_count(2)
        page.goto(f"/shops/{shop_id}")
        expect(page.locator(f'main a[href="/shops/{shop_id}/connect"]')).to_be_visible()
        shoot(page, "overview", locale)
        context.close()
        browser.close()
