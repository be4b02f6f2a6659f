"""In a real browser: sign up, create a shop, switch to Persian and see the page turn right to left, log out."""
import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def page(make_app, tmp_path):
    from playwright.sync_api import sync_playwright

    app = make_app(WTF_CSRF_ENABLED=True)
    with LiveServer(app) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=server.url, locale="en-US", viewport={"width": 390, "height": 844})
        page = context.new_page()
        yield page
        context.close()
        browser.close()


def test_newcomer_signs_up_creates_a_shop_switches_to_persian_and_logs_out(page):
    page.goto("/")
    assert page.url.endswith("/signup")
    page.get_by_label("E-mail").fill("ana@example.com")
    page.get_by_label("Your name").fill("Ana")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Create account").click()

    page.wait_for_url("**/shops/new")
    page.get_by_label("Shop name").fill("Amber Studio")
    page.get_by_label("Platform").select_option("etsy")
    page.get_by_label("Timezone").select_option("Europe/Warsaw")
    page.get_by_role("button", name="Create shop").click()
    page.wait_for_url("**/shops/*")
    assert page.get_by_role("heading", name="Amber Studio").is_visible()
    assert page.locator("html").get_attribute("dir") == "ltr"

    page.locator("#footer-locale").select_option("fa")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "fa"
    # The layout really mirrors: the brand sits at the right edge, the user menu at the left.
    width = page.viewport_size["width"]
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] > width / 2

    # On a phone the pages and the account wait behind one menu button.
    page.locator(".phone-menu summary").click()
    page.locator(".phone-menu button[type=submit]").click()
    page.wait_for_url("**/login")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.goto("/shops")
    assert "/login" in page.url


def test_seller_answers_a_conversation_typed_in_by_hand(page, make_user, make_shop):
    owner = make_user()
    shop_id = make_shop(owner)
    page.goto("/login")
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/inbox")
    assert page.get_by_text("Nothing is waiting for a reply").is_visible()

    page.goto(f"/shops/{shop_id}/threads/new")
    page.get_by_label("Buyer's name").fill("Olga")
    page.get_by_label("The buyer's message").fill("Здравствуйте! Где мой заказ?")
    page.get_by_role("button", name="Add conversation").click()
    page.wait_for_url("**/threads/*")
    assert page.locator(".message-in .body").inner_text() == "Здравствуйте! Где мой заказ?"

    page.get_by_label("Reply to the buyer").fill("Добрый день! Заказ отправлен сегодня.")
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_load_state()
    assert page.get_by_text("Waiting to be sent").is_visible()
    page.get_by_role("button", name="Mark as sent").click()
    page.wait_for_load_state()
    assert page.locator(".delivery-sent").is_visible()

    page.goto("/inbox?view=awaiting_buyer")
    assert page.get_by_text("Olga").is_visible()


def test_saved_replies_go_into_the_composer_by_picker_and_by_shortcut(page, make_user, make_shop, make_conversation,
                                                                       make_saved_reply):
    from playwright.sync_api import expect

    owner = make_user(name="Ana")
    shop_id = make_shop(owner)
    thread_id = make_conversation(shop_id, owner)["thread_id"]
    make_saved_reply(shop_id, title="Greeting", shortcut="hi", bodies={"en": "Hello {buyer_name}!"})
    make_saved_reply(shop_id, title="Shipping", bodies={"en": "It ships with {tracking_number|a tracked service}."})
    page.goto("/login")
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/threads/{thread_id}")

    composer = page.get_by_label("Reply to the buyer")
    composer.press_sequentially("/hi ")  # the replies load as the seller starts writing
    expect(composer).to_have_value("Hello Maryam!")
    page.get_by_text("Insert a saved reply").click()
    page.get_by_placeholder("Search saved replies").fill("ships")
    assert not page.get_by_role("button", name="Greeting").is_visible()
    composer.press("End")
    composer.press_sequentially(" ")
    page.get_by_role("button", name="Shipping").click()
    assert composer.input_value() == "Hello Maryam! It ships with a tracked service."
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_load_state()
    page.goto(f"/shops/{shop_id}/replies")
    assert page.get_by_text("used once").count() == 2


def test_a_new_shop_starts_in_the_browsers_timezone(make_app, make_user):
    from playwright.sync_api import sync_playwright

    make_user()
    app = make_app(WTF_CSRF_ENABLED=True)
    with LiveServer(app) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=server.url, locale="en-US", timezone_id="Asia/Tehran")
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("E-mail").fill("owner@example.com")
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Log in").click()
        page.goto("/shops/new")
        page.get_by_label("Shop name").fill("Tehran Tiles")
        page.get_by_role("button", name="Create shop").click()
        page.wait_for_url("**/shops/*")
        assert page.locator("dd bdi", has_text="Asia/Tehran").is_visible()
        context.close()
        browser.close()


@pytest.fixture
def lan_page(make_app):
    """The app as a seller opens it from another machine on the LAN: plain http on a name that is not localhost,
    which the browser does not count as a secure context (so there is no clipboard API)."""
    from playwright.sync_api import sync_playwright

    app = make_app(WTF_CSRF_ENABLED=True)
    with LiveServer(app) as server, sync_playwright() as playwright:
        port = server.url.rsplit(":", 1)[1]
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP shop.lan 127.0.0.1"])
        context = browser.new_context(base_url=f"http://shop.lan:{port}", locale="en-US")
        yield context.new_page()
        context.close()
        browser.close()


def test_copy_text_without_a_secure_context_selects_the_reply_and_names_the_keys(lan_page, make_user, make_shop,
                                                                                 make_conversation):
    from playwright.sync_api import expect

    page = lan_page
    owner = make_user()
    thread_id = make_conversation(make_shop(owner), owner)["thread_id"]
    page.goto("/login")
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/inbox")
    page.goto(f"/threads/{thread_id}")
    assert page.evaluate("window.isSecureContext") is False
    page.get_by_role("button", name="Copy text").click()
    expect(page.get_by_text("Press Ctrl+C (⌘C on a Mac) to copy")).to_be_visible()
    assert page.evaluate("window.getSelection().toString()") == "On its way!"
