"""In real browsers: two members see a message posted through the API within a second, a stream that ends
reconnects and catches up, and the pages work with JavaScript off."""
import json
import time
import urllib.request

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, LiveServer
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def team(make_user, make_shop, add_member):
    owner = make_user()
    agent = make_user("agent@example.com", name="Arash")
    shop_id = make_shop(owner)
    add_member(shop_id, agent)
    return shop_id


def start(make_app, **config):
    from playwright.sync_api import sync_playwright

    app = make_app(WTF_CSRF_ENABLED=True, **config)
    token = app.test_cli_runner().invoke(args=["create-token", "owner@example.com", "--name", "t"])
    return app, token.output.strip().splitlines()[-1], sync_playwright


def post_message(server, token, shop_id, number, thread="t-1"):
    body = {"external_id": f"m-{number}", "thread_external_id": thread, "body": f"Where is parcel {number}?",
            "received_at": "2026-11-23T10:00:00Z", "subject": "Parcel", "buyer": {"id": "b-1", "name": "Maryam"}}
    request = urllib.request.Request(f"{server.url}/api/v1/shops/{shop_id}/messages", data=json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 201)
        return json.loads(response.read())


def log_in(browser, server, email, java_script=True):
    context = browser.new_context(base_url=server.url, locale="en-US", java_script_enabled=java_script)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return page


#: Well under the SQLite stream's poll fallback and any reload, yet not a timing target (see the test).
LIVE_ENOUGH = 3.0


def wait_for_stream(page):
    page.wait_for_function("() => window.htmx !== undefined && document.body.getAttribute('sse-connect')")
    # The stream is open once the extension reported it.
    page.evaluate("""() => new Promise(resolve => {
        if (window.__liveOpen) { resolve(); return; }
        document.body.addEventListener('htmx:sseOpen', () => { window.__liveOpen = true; resolve(); }, {once: true});
        setTimeout(resolve, 3000);
    })""")


def test_a_message_posted_through_the_api_appears_for_both_members_within_a_second(make_app, team):
    app, token, sync_playwright = start(make_app, LIVE_STREAM_SECONDS=120)
    with LiveServer(app) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        first = post_message(server, token, team, 1)
        owner = log_in(browser, server, "owner@example.com")
        agent = log_in(browser, server, "agent@example.com")
        owner.goto("/inbox?view=all")
        agent.goto(f"/threads/{first['thread_id']}")
        for page in (owner, agent):
            wait_for_stream(page)
        posted = time.monotonic()
        post_message(server, token, team, 2)
        owner.get_by_text("Where is parcel 2?").wait_for(timeout=3000)
        owner_seen = time.monotonic() - posted
        agent.get_by_text("Where is parcel 2?").wait_for(timeout=3000)
        agent_seen = time.monotonic() - posted
        # Without a reload, and soon: the 1 s is a figure for `make bench` (200 streams, 2 workers); a test
        # on a shared machine only makes sure nobody waits for a poll or a reload.
        assert owner_seen < LIVE_ENOUGH
        assert agent_seen < LIVE_ENOUGH
        # A new conversation comes in at the top of the owner's list (newest first), unread.
        post_message(server, token, team, 3, thread="t-2")
        owner.locator(".thread-row").first.get_by_text("Where is parcel 3?").wait_for(timeout=3000)
        assert "unread" in owner.locator(".thread-row").first.get_attribute("class")
        # htmx runs under the strict CSP: no inline style, no eval refused.
        assert owner.console_errors == []
        assert agent.console_errors == []
        browser.close()


def test_a_stream_that_ends_reconnects_and_catches_up(make_app, team):
    # Every stream ends after a second and the browser reconnects: what was posted meanwhile still arrives.
    app, token, sync_playwright = start(make_app, LIVE_STREAM_SECONDS=1)
    with LiveServer(app) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        first = post_message(server, token, team, 1)
        page = log_in(browser, server, "agent@example.com")
        page.goto(f"/threads/{first['thread_id']}")
        wait_for_stream(page)
        for number in range(2, 6):
            post_message(server, token, team, number)
            time.sleep(0.4)
        for number in range(2, 6):
            page.get_by_text(f"Where is parcel {number}?").wait_for(timeout=5000)
        browser.close()


def test_with_javascript_off_the_inbox_and_a_reply_work_as_before(make_app, team):
    app, token, sync_playwright = start(make_app)
    with LiveServer(app) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        post_message(server, token, team, 1)
        page = log_in(browser, server, "agent@example.com", java_script=False)
        page.goto("/inbox")
        assert page.locator(".thread-row.unread").count() == 1
        page.get_by_text("Where is parcel 1?").click()
        page.wait_for_load_state()
        page.locator("#composer textarea[name=body]").fill("It left today.")
        page.get_by_role("button", name="Send reply").click()
        page.wait_for_load_state()
        assert page.get_by_text("It left today.").count() >= 1
        page.goto("/inbox?view=all")
        assert page.locator(".thread-row.unread").count() == 0
        browser.close()
