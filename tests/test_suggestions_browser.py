"""In a real browser, in English and in Persian: a suggested reply goes into the composer with a click or Alt+1,
and sending it teaches the next suggestion."""
import pytest
from sqlalchemy import select

from sellerkit.suggestions.models import AnsweredMessage
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LiveServer
from tests.test_suggestions import receive

pytestmark = pytest.mark.browser

CASES = {
    "en": ("Where is my parcel", {"en": "Hi {buyer_name}, your parcel left on Monday."},
           "hi where is my parcel?? its been a week", "Hi Maryam, your parcel left on Monday.", "parcel"),
    "fa": ("بسته کجاست", {"fa": "سلام {buyer_name}، بسته شما دوشنبه ارسال شد."},
           "سلام بسته من کجاست؟ یک هفته گذشته", "سلام Maryam، بسته شما دوشنبه ارسال شد.", "بسته"),
}


@pytest.fixture
def browser_page(make_app):
    from playwright.sync_api import sync_playwright

    app = make_app(WTF_CSRF_ENABLED=True)
    with LiveServer(app) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=server.url, viewport={"width": 1100, "height": 900})
        yield app, context.new_page()
        context.close()
        browser.close()


@pytest.mark.parametrize("locale", ["en", "fa"])
def test_a_suggested_reply_goes_into_the_composer_and_is_learned_when_sent(browser_page, make_user, make_shop,
                                                                           make_saved_reply, locale):
    app, page = browser_page
    title, bodies, question, filled, word = CASES[locale]
    owner = make_user(locale=locale)
    shop_id = make_shop(owner, default_language=locale)
    reply_id = make_saved_reply(shop_id, title=title, bodies=bodies)
    with app.app_context():
        thread_id = receive(shop_id, question, 1, language=locale).id

    page.goto("/login")
    page.locator("#email").fill("owner@example.com")
    page.locator("#password").fill("correct horse battery")
    page.locator("#password").press("Enter")
    page.wait_for_url("**/inbox")
    page.goto(f"/threads/{thread_id}")
    assert page.locator("html").get_attribute("dir") == ("rtl" if locale == "fa" else "ltr")
    suggestion = page.locator('[data-suggestion="1"]')
    assert title in suggestion.inner_text()
    assert word in suggestion.inner_text()  # the buyer's word that matched

    suggestion.click()
    assert page.locator("#body").input_value() == filled
    assert page.locator("[data-used-replies]").input_value() == str(reply_id)
    page.locator("#body").fill("")
    page.keyboard.press("Alt+1")
    assert page.locator("#body").input_value() == filled

    page.locator("#composer button[type=submit]").click()
    page.wait_for_load_state()
    with app.app_context():
        from sellerkit.extensions import db

        learned = db.session.execute(select(AnsweredMessage.saved_reply_id, AnsweredMessage.buyer_text)).all()
    assert [tuple(row) for row in learned] == [(reply_id, question)]
