"""Every route, as {anonymous, owner A, agent A, owner B} x {A's object, B's object, a missing id}.

A route added without an entry in ACCESS fails this test: decide who may use it before it ships.
Another shop's object must answer exactly like a missing one.
"""
import re

import pytest
from sqlalchemy import select

from sellerkit.accounts.models import ApiToken, User
from sellerkit.extensions import db as database
from sellerkit.shops.models import Membership, Shop
from sellerkit.threads.models import Message, Thread
from sellerkit.tickets import services as ticket_services
from tests import fakechannel
from tests.conftest import NOW, PASSWORD

#: (endpoint, method) -> (who may use it, the status(es) a permitted request with an empty body answers).
#: "member": any member of the object's shop; "owner": its owners only; "api_*": the same with a bearer token;
#: "admin": the instance's administrators (none in this world, so 404 to every user; test_system.py has one).
ACCESS = {
    ("static", "GET"): ("public", 200),
    ("shops.index", "GET"): ("public", 302),
    ("accounts.signup", "GET"): ("guest", 200),
    ("accounts.signup", "POST"): ("guest", 422),
    ("accounts.login", "GET"): ("guest", 200),
    ("accounts.login", "POST"): ("guest", 422),
    ("accounts.logout", "POST"): ("public", 302),
    ("accounts.forgot_password", "GET"): ("public", 200),
    ("accounts.forgot_password", "POST"): ("public", 422),
    ("accounts.reset_password", "GET"): ("public", 200),
    ("accounts.reset_password", "POST"): ("public", 422),
    ("accounts.choose_language", "POST"): ("public", 302),
    ("settings.profile", "GET"): ("user", 200),
    ("settings.profile", "POST"): ("user", 422),
    ("settings.password", "GET"): ("user", 200),
    ("settings.password", "POST"): ("user", 422),
    ("settings.tokens", "GET"): ("user", 200),
    ("settings.tokens", "POST"): ("user", 422),
    ("settings.revoke_token", "POST"): ("own_token", 302),
    ("shops.listing", "GET"): ("user", 200),
    ("shops.create", "GET"): ("user", 200),
    ("shops.create", "POST"): ("user", 422),
    ("shops.overview", "GET"): ("member", 200),
    ("shops.settings", "GET"): ("owner", 200),
    ("shops.settings", "POST"): ("owner", 422),
    ("shops.members", "GET"): ("member", 200),
    ("shops.members", "POST"): ("owner", 422),
    # The member named is the shop's only owner, so a permitted request is refused as "last owner".
    ("shops.remove_member", "POST"): ("owner", 400),
    ("threads.inbox_page", "GET"): ("user", 200),
    ("threads.new_thread", "GET"): ("member", 200),
    ("threads.new_thread", "POST"): ("member", 422),
    ("threads.thread_page", "GET"): ("member", 200),
    ("connect.page", "GET"): ("member", 200),
    ("imports.upload", "GET"): ("owner", 200),
    ("imports.upload", "POST"): ("owner", 422),  # no file chosen
    ("imports.progress", "GET"): ("owner", 200),
    ("threads.saved_replies", "GET"): ("member", 200),
    ("threads.reply", "POST"): ("member", 422),
    ("threads.note", "POST"): ("member", 422),
    ("threads.pasted", "POST"): ("member", 422),
    ("threads.update", "POST"): ("member", 302),
    ("threads.attachment", "GET"): ("member", 200),
    # The first permitted request marks the manual reply sent; later ones are told it already is.
    ("outbox.mark_sent", "POST"): ("member", (302, 400)),
    ("outbox.retry", "POST"): ("member", 400),  # the reply is manual, so there is nothing to retry
    ("api.openapi", "GET"): ("public", 200),
    ("api.list_shops", "GET"): ("api_user", 200),
    ("api.create_shop", "POST"): ("api_user", 400),
    ("api.get_shop", "GET"): ("api_member", 200),
    ("api.receive_message", "POST"): ("api_member", 400),
    ("api.receive_messages", "POST"): ("api_member", 400),
    ("api.list_threads", "GET"): ("api_member", 200),
    ("api.get_thread", "GET"): ("api_member", 200),
    ("api.patch_thread", "PATCH"): ("api_member", 200),
    ("api.post_reply", "POST"): ("api_member", 400),
    ("api.post_note", "POST"): ("api_member", 400),
    ("api.get_attachment", "GET"): ("api_member", 200),
    ("replies.listing", "GET"): ("member", 200),
    ("replies.create", "GET"): ("member", 200),
    ("replies.create", "POST"): ("owner", 422),  # a shared reply; agents keep personal ones
    ("replies.edit", "GET"): ("member", 200),
    ("replies.edit", "POST"): ("owner", 422),
    ("replies.delete", "POST"): ("owner", 302),
    ("replies.export", "GET"): ("member", 200),
    ("replies.import_file", "POST"): ("member", 422),
    ("api.list_saved_replies", "GET"): ("api_member", 200),
    ("api.create_saved_reply", "POST"): ("api_member", 400),
    ("api.get_saved_reply", "GET"): ("api_member", 200),
    ("api.patch_saved_reply", "PATCH"): ("api_owner", 200),
    ("api.delete_saved_reply", "DELETE"): ("api_owner", 204),
    ("api.render_saved_reply", "POST"): ("api_member", 400),
    ("api.get_suggestions", "GET"): ("api_member", 200),
    ("threads.no_reply_needed", "POST"): ("member", (302, 400)),  # the second time nothing is waiting
    ("threads.notifications", "GET"): ("user", 200),
    ("threads.thread_messages", "GET"): ("member", 200),
    ("live.stream_events", "GET"): ("user", 200),  # only the user's own shops' events (tests/test_live.py)
    ("live.badge", "GET"): ("user", 200),
    ("live.mark_read", "POST"): ("user", 302),
    ("response.dashboard", "GET"): ("member", 200),
    ("response.by_platform", "GET"): ("user", 200),
    ("api.response_stats", "GET"): ("api_member", 200),
    ("response.export", "GET"): ("member", 200),
    ("vacations.index", "GET"): ("member", 200),
    ("vacations.index", "POST"): ("owner", 422),
    ("vacations.end", "POST"): ("owner", 400),  # the vacation named is not in progress
    ("vacations.away", "POST"): ("owner", 302),  # an empty form switches away replies off
    ("policies.index", "GET"): ("member", 200),
    ("policies.edit", "GET"): ("member", 200),
    ("policies.edit", "POST"): ("owner", 422),
    ("policies.version", "GET"): ("member", 200),
    ("policies.export", "GET"): ("member", 200),
    ("coupons.index", "GET"): ("member", 200),
    ("coupons.index", "POST"): ("owner", 422),
    ("coupons.generate", "POST"): ("owner", 422),
    ("coupons.import_codes", "POST"): ("owner", 422),  # no file: refused with the reason on the page
    ("coupons.export", "GET"): ("member", 200),
    ("coupons.redemptions", "GET"): ("member", 200),
    ("coupons.redemptions", "POST"): ("member", 422),
    ("coupons.import_redemptions", "POST"): ("member", 422),
    ("api.list_coupons", "GET"): ("api_member", 200),
    ("api.create_coupon", "POST"): ("api_owner", 400),
    ("api.generate_coupons", "POST"): ("api_owner", 400),
    ("api.list_redemptions", "GET"): ("api_member", 200),
    ("api.record_redemption", "POST"): ("api_member", 400),
    ("threads.mark_complaint", "POST"): ("member", 302),
    ("threads.unmark_complaint", "POST"): ("member", 302),
    ("consent.buyer", "GET"): ("member", 200),
    ("consent.record", "POST"): ("member", 422),
    ("consent.import_consents", "POST"): ("owner", 302),  # no file: sent back to the campaigns with the error
    # Public: the signed token is the credential, and a made-up one is refused.
    ("consent.opt_out", "GET"): ("public", 400),
    ("consent.opt_out", "POST"): ("public", 400),
    ("followups.index", "GET"): ("member", 200),
    ("followups.new", "GET"): ("owner", 200),
    ("followups.new", "POST"): ("owner", 422),
    ("followups.campaign", "GET"): ("member", 200),
    ("followups.campaign", "POST"): ("owner", 422),
    ("followups.switch_on", "POST"): ("owner", 302),
    ("followups.switch_off", "POST"): ("owner", 302),
    ("api.get_buyer", "GET"): ("api_member", 200),
    ("api.record_consent", "POST"): ("api_member", 400),  # an empty body lacks the action
    ("api.list_campaigns", "GET"): ("api_member", 200),
    ("api.get_campaign", "GET"): ("api_member", 200),
    # The first escalation makes a draft; later ones are sent to the open ticket of the same problem.
    ("tickets.escalate", "POST"): ("member", 302),
    ("tickets.listing", "GET"): ("user", 200),
    ("tickets.ticket_page", "GET"): ("member", 200),
    ("tickets.edit_draft", "POST"): ("member", 422),  # no topic chosen
    ("tickets.file", "POST"): ("member", (302, 422)),  # filed once; then "already filed" or "closed"
    ("tickets.platform_ref", "POST"): ("member", 302),
    # An empty form records the status "answered" (a status change alone is allowed), unless the ticket ended.
    ("tickets.support_reply", "POST"): ("member", (302, 422)),
    ("tickets.details", "POST"): ("member", 422),  # empty details
    ("tickets.rate", "POST"): ("member", 422),  # not answered yet
    ("tickets.cancel", "POST"): ("member", 302),
    ("dispute_rules.index", "GET"): ("member", 200),
    ("dispute_rules.add_keyword", "POST"): ("owner", 422),  # an empty keyword
    ("dispute_rules.switch_keyword", "POST"): ("owner", 302),
    ("dispute_rules.settings", "POST"): ("owner", 302),
    ("api.list_tickets", "GET"): ("api_member", 200),
    ("api.support_topics", "GET"): ("api_member", 200),
    ("api.escalate", "POST"): ("api_member", (201, 409)),
    ("api.get_ticket", "GET"): ("api_member", 200),
    ("api.file_ticket", "POST"): ("api_member", (200, 400)),
    ("api.support_reply", "POST"): ("api_member", 400),  # neither an answer nor a status
    ("api.add_details", "POST"): ("api_member", 400),
    ("api.rate", "POST"): ("api_member", 400),
    ("api.cancel", "POST"): ("api_member", (200, 400)),  # cancelled once; then it is closed
    ("api.support_mail", "POST"): ("api_member", 400),
    ("system.healthz", "GET"): ("public", 200),
    ("system.readyz", "GET"): ("public", (200, 503)),  # 503: no scheduler has beaten in this test
    ("system.prometheus_metrics", "GET"): ("public", 200),  # the test client comes from 127.0.0.1
    ("system.system_page", "GET"): ("admin", 200),
    ("channels.index", "GET"): ("member", 200),
    ("channels.new", "GET"): ("owner", 200),
    ("channels.new", "POST"): ("owner", 200),  # no kind named: the list of kinds to choose from
    ("channels.detail", "GET"): ("member", 200),
    ("channels.detail", "POST"): ("owner", 302),  # an empty form keeps every stored setting
    ("channels.pause", "POST"): ("owner", 302),
    ("channels.resume", "POST"): ("owner", 302),
    ("channels.fetch", "POST"): ("owner", 302),
    ("channels.test", "POST"): ("owner", 200),
    ("channels.delete", "POST"): ("owner", 302),
    ("channels.authorize", "GET"): ("owner", 302),  # to the platform's consent page
    # The signed state is the credential: without one the callback is refused.
    ("channels.oauth_callback", "GET"): ("user", 400),
    ("api.list_channels", "GET"): ("api_member", 200),
    ("api.create_channel", "POST"): ("api_owner", 400),
    ("api.get_channel", "GET"): ("api_member", 200),
    ("api.patch_channel", "PATCH"): ("api_owner", 200),
    ("api.delete_channel", "DELETE"): ("api_owner", 204),
    ("api.test_channel", "POST"): ("api_owner", 200),
    ("api.fetch_channel", "POST"): ("api_owner", 202),
}
#: Routes that destroy their object get a new one for every request, so they cannot disturb later cases.
DESTRUCTIVE = {"replies.delete", "api.delete_saved_reply", "channels.delete", "api.delete_channel"}

ROLES = ("anonymous", "owner_a", "agent_a", "owner_b")
SHOP_OF = {"owner_a": "A", "agent_a": "A", "owner_b": "B"}
MISSING = 999_999


def expected_status(access, allowed, role, target):
    """The answer a request should get, as one status or a tuple of acceptable ones."""
    if access == "public":
        return allowed
    if access == "guest":
        return allowed if role == "anonymous" else 302
    if role == "anonymous":
        return 401 if access.startswith("api") else "login"
    if access in ("user", "api_user"):
        return allowed
    if access == "admin":
        return 404
    if access == "own_token":
        return allowed if target == "own" else 404
    if target == "missing" or SHOP_OF[role] != target:
        return 404
    if access in ("owner", "api_owner") and role == "agent_a":
        return 403
    return allowed


@pytest.fixture
def world(app, client, db, make_user, make_shop, add_member, *, make_conversation, make_saved_reply,
          publish_policy, make_vacation, make_campaign, make_import, make_channel):
    """Shop A with its owner and an agent, shop B with its owner; each user logged in once, with an API token."""
    users = {"owner_a": make_user("owner-a@example.com"), "agent_a": make_user("agent-a@example.com"),
             "owner_b": make_user("owner-b@example.com")}
    shops = {"A": make_shop(users["owner_a"], name="Shop A"), "B": make_shop(users["owner_b"], name="Shop B")}
    add_member(shops["A"], users["agent_a"])
    cookies, tokens = {}, {}
    for role, user_id in users.items():
        email = db.get(User, user_id).email
        browser = app.test_client()
        assert browser.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        cookies[role] = browser.get_cookie("sellerkit_session").value
        page = browser.post("/settings/tokens", data={"name": "matrix"}).get_data(as_text=True)
        tokens[role] = re.search(r"(sk_[\w-]+)</code>", page).group(1)
        browser.post("/settings/tokens", data={"name": "to be revoked by the matrix"})
    owners = {name: db.scalar(select(Membership.id).where(Membership.shop_id == shop_id, Membership.role == "owner"))
              for name, shop_id in shops.items()}
    conversations = {name: make_conversation(shop_id, users["owner_a" if name == "A" else "owner_b"])
                     for name, shop_id in shops.items()}
    token_ids = {role: db.scalar(select(ApiToken.id).where(ApiToken.user_id == users[role],
                                                           ApiToken.name == "to be revoked by the matrix"))
                 for role in users}
    replies = {name: make_saved_reply(shop_id) for name, shop_id in shops.items()}
    vacations = {name: make_vacation(shop_id) for name, shop_id in shops.items()}
    for name, shop_id in shops.items():
        publish_policy(shop_id, users["owner_a" if name == "A" else "owner_b"], "returns")
    threads = {name: ids["thread_id"] for name, ids in conversations.items()}
    buyers = {name: db.get(Thread, thread_id).buyer_id for name, thread_id in threads.items()}
    messages = {name: db.scalar(select(Message.id).where(Message.thread_id == thread_id, Message.direction == "in"))
                for name, thread_id in threads.items()}
    campaigns = {name: make_campaign(shop_id) for name, shop_id in shops.items()}
    imports = {name: make_import(shop_id) for name, shop_id in shops.items()}
    with app.app_context():
        tickets = {name: ticket_services.escalate(database.session.get(Shop, shops[name]),
                                                  database.session.get(Thread, thread_id), NOW,
                                                  topic_key="wrong_item").id
                   for name, thread_id in threads.items()}
        database.session.commit()
    channels = {name: make_channel(shop_id, kind=fakechannel.OAUTH_NAME)[0] for name, shop_id in shops.items()}
    return {"shop_id": shops, "member_id": owners, "channel_id": channels,
            "fresh_channel": lambda name: make_channel(shops[name])[0], "reply_id": replies, "vacation_id": vacations,
            "buyer_id": buyers, "message_id": messages, "campaign_id": campaigns, "ticket_id": tickets,
            "import_id": imports, "fresh": lambda name: make_saved_reply(shops[name]), "cookies": cookies,
            "tokens": tokens, "token_ids": token_ids,
            **{name: {shop: ids[name] for shop, ids in conversations.items()}
               for name in ("thread_id", "attachment_id", "item_id")}}


def url_arguments(rule, target, role, world):
    values = {}
    for name in rule.arguments:
        if name == "reply_id" and rule.endpoint in DESTRUCTIVE and target != "missing":
            values[name] = world["fresh"](target)
        elif name == "channel_id" and rule.endpoint in DESTRUCTIVE and target != "missing":
            values[name] = world["fresh_channel"](target)
        elif name in ("shop_id", "member_id", "thread_id", "attachment_id", "item_id", "reply_id", "buyer_id",
                      "message_id", "campaign_id", "ticket_id", "import_id", "channel_id"):
            values[name] = MISSING if target == "missing" else world[name][target]
        elif name == "token_id":
            other = "owner_b" if role != "owner_b" else "owner_a"
            values[name] = {"own": world["token_ids"].get(role, MISSING), "other": world["token_ids"][other],
                            "missing": MISSING}[target]
        elif name == "token":
            values[name] = "not-a-real-reset-token"
        elif name in ("language", "keyword", "state"):
            values[name] = {"language": "en", "keyword": "refund", "state": "off"}[name]
        elif name == "section":
            values[name] = "returns"
        elif name == "vacation_id":
            values[name] = MISSING if target == "missing" else world["vacation_id"][target]
        elif name == "number":
            values[name] = MISSING if target == "missing" else 1
        elif name == "filename":
            values[name] = "app.css"
        else:
            raise AssertionError(f"{rule.endpoint}: no test value for <{name}>; teach the access matrix")
    return values


def comparable(body):
    """A page without what differs per request anyway: the CSRF token, the address the language menu returns to, and
    the event the live stream starts after (the user's own shops' newest, which their other requests move on)."""
    body = re.sub(rb'sse-connect="[^"]*"', b"sse-connect", body)
    return re.sub(rb'name="(csrf_token|next)" value="[^"]*"', rb'name="\1"', body)


def targets_for(rule):
    if rule.arguments & {"shop_id", "thread_id", "attachment_id", "item_id", "reply_id", "ticket_id", "import_id",
                         "channel_id"}:
        return ("A", "B", "missing")
    if "token_id" in rule.arguments:
        return ("own", "other", "missing")
    return ("none",)


def request_as(app, role, world, method, url, api):
    browser = app.test_client()
    headers = {}
    if role != "anonymous":
        if api:
            headers["Authorization"] = f"Bearer {world['tokens'][role]}"
        else:
            browser.set_cookie("sellerkit_session", world["cookies"][role])
    if api and method in ("POST", "PATCH"):
        response = browser.open(url, method=method, json={}, headers=headers)
    else:
        response = browser.open(url, method=method, headers=headers, data={} if method == "POST" else None)
    body = response.get_data()
    response.close()  # static files are streamed from an open file
    return response.status_code, response.headers.get("Location", ""), body


def test_every_route_is_in_the_matrix(app):
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert not routes - set(ACCESS), f"routes without an access decision: {sorted(routes - set(ACCESS))}"
    assert not set(ACCESS) - routes, f"matrix entries for routes that no longer exist: {sorted(set(ACCESS) - routes)}"


def test_access_matrix(app, world):
    cases = [(rule, method) for rule in app.url_map.iter_rules()
             for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    # Logging out ends the shared sessions, so it goes last.
    cases.sort(key=lambda case: case[0].endpoint == "accounts.logout")
    failures = []
    for rule, method in cases:
        access, allowed = ACCESS[(rule.endpoint, method)]
        for role in ROLES:
            bodies = {}
            for target in targets_for(rule):
                with app.test_request_context():
                    from flask import url_for

                    url = url_for(rule.endpoint, **url_arguments(rule, target, role, world))
                got, location, body = request_as(app, role, world, method, url, rule.rule.startswith("/api/"))
                want = expected_status(access, allowed, role, target)
                if want == "login":
                    ok = got == 302 and "/login" in location
                else:
                    ok = got in (want if isinstance(want, tuple) else (want,))
                if not ok:
                    failures.append(f"{method} {url} as {role}: expected {want}, got {got}")
                bodies[target] = (got, comparable(body))
            if bodies.get("missing", (None,))[0] == 404:
                foreign = [t for t in bodies if t not in ("missing", SHOP_OF.get(role), "own")]
                for target in foreign:
                    if bodies[target] != bodies["missing"]:
                        failures.append(f"{method} {rule.rule} as {role}: {target}'s object differs from a missing one")
    assert not failures, "\n".join(failures)
