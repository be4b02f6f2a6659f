"""Follow-up campaigns end to end: consent, preview, sending in the buyer's language, opt-out, limits, figures."""
import email
import email.policy
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from sellerkit import inbox, jobs
from sellerkit.clock import utcnow
from sellerkit.consent import services as consent
from sellerkit.consent.models import ConsentEvent
from sellerkit.coupons import services as coupons
from sellerkit.extensions import db as _db
from sellerkit.followups import services as followups
from sellerkit.followups.models import Campaign, FollowUp
from sellerkit.outbox.delivery import deliver_due
from sellerkit.outbox.models import OutboxItem
from sellerkit.shops.models import Membership, Shop
from sellerkit.threads.domain import Inbound
from sellerkit.threads.models import Buyer, Message


@pytest.fixture
def app(make_app):
    return make_app(SERVER_NAME="shop.example")


@pytest.fixture
def shop(make_user, make_shop, auth):
    shop_id = make_shop(make_user())
    auth.login()
    return shop_id


def customer(app, shop_id, name="b-1", language="en", delivered_days_ago=20, consent_given=True, *, body=None):
    """A buyer who wrote about a delivered order (and agreed to marketing): returns (buyer id, thread id)."""
    now = utcnow()
    with app.app_context():
        shop = _db.session.get(Shop, shop_id)
        received = inbox.receive_buyer_message(shop, Inbound(
            external_id=f"m-{name}", body=body or {"en": "It arrived, thanks!", "fa": "رسید، ممنون!",
                                                   "ru": "Пришло, спасибо!"}[language],
            received_at=now - timedelta(days=delivered_days_ago), buyer_external_id=name, buyer_name=name.upper(),
            buyer_language=language, order_reference=f"ORD-{name}",
            order={"delivered_at": now - timedelta(days=delivered_days_ago)}), now)
        if consent_given:
            consent.record(received.thread.buyer, "given", "order_checkbox", "Send me offers and coupons.",
                           now - timedelta(days=40), now)
        _db.session.commit()
        return received.thread.buyer_id, received.thread.id


def membership(shop_id):
    return _db.session.scalar(select(Membership).where(Membership.shop_id == shop_id, Membership.role == "owner"))


def send_due(app, now=None):
    with app.app_context():
        followups.send_due(now or utcnow())
        _db.session.commit()


def campaign_form(**changes):
    return {"name": "Thank you", "trigger": "after_delivery", "days": "14", "min_days_between": "30",
            "coupon_mode": "none", "coupon_id": "0", "coupon_pool": "",
            "body_en": "Hi {buyer_name|there}, thanks for order {order_reference}!",
            "body_fa": "سلام {buyer_name}، از خرید شما ممنونیم!", **changes}


def follow_up_messages(db):
    return db.scalars(select(Message).where(Message.kind == "follow_up").order_by(Message.id))


def test_preview_then_switch_on_sends_once_in_the_buyers_language_with_an_opt_out_link(app, client, db, shop):
    customer(app, shop, "b-en")
    customer(app, shop, "b-fa", language="fa")
    customer(app, shop, "b-none", consent_given=False)
    customer(app, shop, "b-recent", delivered_days_ago=2)
    response = client.post(f"/shops/{shop}/campaigns/new", data=campaign_form())
    campaign_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/shops/{shop}/campaigns/{campaign_id}").get_data(as_text=True)
    assert "2 buyers would get it now" in page
    assert "1 more buyer later" in page
    assert re.search(r"No marketing consent</td><td>1<", page)
    assert db.count(FollowUp) == 0  # a preview changes nothing

    assert client.post(f"/shops/{shop}/campaigns/{campaign_id}/on").status_code == 302
    send_due(app)
    send_due(app)  # the next sweep finds nothing new to send
    messages = follow_up_messages(db)
    assert len(messages) == 2
    english, persian = sorted(messages, key=lambda m: m.language)
    assert english.body.startswith("Hi B-EN, thanks for order ORD-b-en!")
    assert persian.body.startswith("سلام B-FA، از خرید شما ممنونیم!")
    assert "http://shop.example/opt-out/" in english.body and "reply STOP" in english.body
    assert "http://shop.example/opt-out/" in persian.body and "لغو" in persian.body
    assert db.count(OutboxItem, OutboxItem.message_id.in_([english.id, persian.id])) == 2
    statuses = {(f.status, f.reason) for f in db.scalars(select(FollowUp))}
    assert statuses == {("sent", None), ("skipped", "no_consent"), ("pending", None)}


def test_opening_the_opt_out_link_changes_nothing_and_its_button_withdraws_consent_once(app, client, db, shop,
                                                                                       make_campaign):
    buyer_id, _thread = customer(app, shop, "b-fa", language="fa")
    make_campaign(shop, active=True, activated_at=utcnow(), bodies={"en": "Thanks!"})
    with app.app_context():
        followups.plan_all(utcnow())
        _db.session.commit()
    send_due(app)
    link = re.search(r"http://shop\.example(/opt-out/\S+)", follow_up_messages(db)[0].body).group(1)
    client.post("/logout")
    # Mail scanners and link previews fetch every link: a GET or HEAD only shows the button.
    page = client.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'lang="fa" dir="rtl"' in html
    assert f'<form method="post" action="{link}">' in html
    assert client.head(link).status_code == 200
    assert db.get(Buyer, buyer_id).consent_withdrawn_at is None
    done = client.post(link)
    assert done.status_code == 200
    assert "<form" not in done.get_data(as_text=True)
    assert db.get(Buyer, buyer_id).consent_withdrawn_at is not None
    assert client.post(link).status_code == 200  # a second click is fine and records nothing new
    actions = [(e.action, e.source) for e in db.scalars(select(ConsentEvent).order_by(ConsentEvent.id))]
    assert actions == [("given", "order_checkbox"), ("withdrawn", "opt_out_link")]


def test_a_mailed_follow_up_offers_one_click_unsubscribe_without_session_or_csrf_token(make_app, db, make_user,
                                                                                      make_shop, make_campaign,
                                                                                      smtp_server):
    app = make_app(PUBLIC_URL="https://shop.example.com", MAIL_SERVER="127.0.0.1",
                   MAIL_PORT=smtp_server.config["port"], WTF_CSRF_ENABLED=True)
    shop_id = make_shop(make_user())
    buyer_id, _thread = customer(app, shop_id, "b-1")

    def by_email(session):
        session.get(Shop, shop_id).reply_transport = "email"
        session.get(Buyer, buyer_id).email = "buyer@example.com"

    db.update(by_email)
    make_campaign(shop_id, active=True, activated_at=utcnow())
    with app.app_context():
        followups.plan_all(utcnow())
        _db.session.commit()
    send_due(app)
    with app.app_context():
        assert deliver_due(utcnow(), app.config) == (1, 0)
    (envelope,) = smtp_server.envelopes
    mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(https://shop\.example\.com/opt-out/\S+)>", mail["List-Unsubscribe"]).group(1)
    stranger = app.test_client()  # no session, no CSRF token: the signed token in the URL is the proof
    forged = stranger.post(url.replace(f"/opt-out/{shop_id}/", f"/opt-out/{shop_id}/x"),
                           data={"List-Unsubscribe": "One-Click"})
    assert forged.status_code == 400
    assert db.get(Buyer, buyer_id).consent_withdrawn_at is None
    response = stranger.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert db.get(Buyer, buyer_id).consent_withdrawn_at is not None


def test_tampered_or_foreign_opt_out_links_are_refused_and_change_nothing(app, client, db, shop, make_user, make_shop):
    buyer_id, _thread = customer(app, shop, "b-1")
    other_shop = make_shop(make_user("other@example.com"), name="Other")
    with app.test_request_context():
        token = consent.opt_out_token(shop, buyer_id)
    for url in (f"/opt-out/{shop}/{token[:-3]}xyz", f"/opt-out/{other_shop}/{token}"):
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 400
            assert "This opt-out link is not valid" in response.get_data(as_text=True)
    assert db.get(Buyer, buyer_id).consent_withdrawn_at is None
    assert db.count(ConsentEvent) == 1


def test_a_stop_reply_withdraws_consent_and_is_shown_in_the_history(app, client, db, shop):
    buyer_id, thread_id = customer(app, shop, "b-ru", language="ru")
    with app.app_context():
        inbox.receive_buyer_message(_db.session.get(Shop, shop), Inbound(
            external_id="stop-1", body="Отписаться!", received_at=utcnow(), buyer_external_id="b-ru",
            thread_id=thread_id), utcnow())
        _db.session.commit()
    assert db.get(Buyer, buyer_id).consent_withdrawn_at is not None
    page = client.get(f"/shops/{shop}/buyers/{buyer_id}").get_data(as_text=True)
    assert "Replied STOP" in page and "Checkbox on the order" in page and "Отписаться!" in page


@pytest.mark.parametrize("situation, reason", [("dispute", "open_dispute"), ("complaint", "complaint")])
def test_buyers_with_an_open_dispute_or_a_complaint_are_skipped(app, client, db, shop, make_campaign, situation,
                                                                 *, reason):
    _buyer, thread_id = customer(app, shop, "b-1")
    if situation == "dispute":
        client.post(f"/threads/{thread_id}/settings", data={"is_dispute": "yes"})
    else:
        message_id = db.scalar(select(Message.id).where(Message.thread_id == thread_id))
        assert client.post(f"/threads/{thread_id}/messages/{message_id}/complaint").status_code == 302
        assert "Complaint" in client.get(f"/threads/{thread_id}").get_data(as_text=True)
    make_campaign(shop, active=True, activated_at=utcnow())
    with app.app_context():
        followups.plan_all(utcnow())
        _db.session.commit()
    send_due(app)
    assert [(f.status, f.reason) for f in db.scalars(select(FollowUp))] == [("skipped", reason)]
    assert follow_up_messages(db) == []


def test_follow_ups_wait_for_the_end_of_a_vacation(app, db, shop, make_campaign, make_vacation):
    customer(app, shop, "b-1")
    back = utcnow() + timedelta(days=4)
    make_vacation(shop, starts_at=back - timedelta(days=7), days=7)
    make_campaign(shop, active=True, activated_at=utcnow())
    with app.app_context():
        followups.plan_all(utcnow())
        _db.session.commit()
    send_due(app)
    [waiting] = db.scalars(select(FollowUp))
    assert (waiting.status, waiting.reason) == ("pending", "vacation")
    assert abs(waiting.due_at - back) < timedelta(seconds=1)
    send_due(app, back + timedelta(minutes=1))
    assert db.get(FollowUp, waiting.id).status == "sent"


def test_at_most_one_follow_up_per_buyer_in_the_interval_across_campaigns(app, db, shop, make_campaign):
    customer(app, shop, "b-1")
    first, second = make_campaign(shop, active=True, activated_at=utcnow()), \
        make_campaign(shop, active=True, activated_at=utcnow(), days=15)
    with app.app_context():
        followups.plan_all(utcnow())
        _db.session.commit()
    send_due(app)
    rows = {f.campaign_id: f for f in db.scalars(select(FollowUp))}
    assert rows[first].status == "sent"
    assert (rows[second].status, rows[second].reason) == ("pending", "recently_contacted")


def test_a_pool_gives_each_buyer_their_own_code_and_an_edit_changes_only_unsent_ones(app, client, db, shop):
    now = utcnow()
    with app.app_context():
        codes = coupons.generate_pool(membership(shop), "THANKS", 3, "percent", Decimal(10), None, valid_from=None,
                                      valid_until=now + timedelta(days=30), min_order=None, now=now)
        _db.session.commit()
    customer(app, shop, "b-1")
    customer(app, shop, "b-2")
    response = client.post(f"/shops/{shop}/campaigns/new", data=campaign_form(
        coupon_mode="pool", coupon_pool="THANKS", body_en="Your code {coupon_code} works until {coupon_expiry}."))
    campaign_id = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post(f"/shops/{shop}/campaigns/{campaign_id}/on")
    with app.app_context():
        later = _db.session.scalar(select(FollowUp).order_by(FollowUp.id.desc()))
        later.due_at = now + timedelta(days=1)  # one of them waits a day
        _db.session.commit()
    send_due(app)
    client.post(f"/shops/{shop}/campaigns/{campaign_id}", data=campaign_form(
        coupon_mode="pool", coupon_pool="THANKS", body_en="New text {coupon_code}."))
    send_due(app, now + timedelta(days=1, minutes=1))
    first, second = follow_up_messages(db)
    assert first.body.startswith("Your code ") and second.body.startswith("New text ")
    used = [code for code in codes if code in first.body or code in second.body]
    assert len(used) == 2 and used[0] != used[1]


def test_redemptions_of_sent_codes_show_on_the_campaign_page(app, client, db, shop, make_campaign):
    now = utcnow()
    with app.app_context():
        coupon = coupons.create_coupon(membership(shop), "WELCOME10", "percent", Decimal(10), None, None,
                                       valid_until=now + timedelta(days=30), usage_limit=None, min_order=None, now=now)
        _db.session.commit()
        coupon_id = coupon.id
    customer(app, shop, "b-1")
    campaign_id = make_campaign(shop, active=True, activated_at=now, coupon_mode="shared", coupon_id=coupon_id,
                                bodies={"en": "Use {coupon_code}"})
    with app.app_context():
        followups.plan_all(now)
        _db.session.commit()
    send_due(app)
    with app.app_context():
        coupons.record_redemption(_db.session.get(Shop, shop), "welcome10", "ORD-b-1", Decimal("40.00"), "EUR",
                                  utcnow(), source="api", now=utcnow())
        _db.session.commit()
    page = client.get(f"/shops/{shop}/campaigns/{campaign_id}").get_data(as_text=True)
    assert re.search(r"Redeemed</h2><p class=\"figure\">1<", page)
    assert "€40.00" in page
    assert "<svg class=\"chart\"" in page


def test_the_campaign_page_lists_its_follow_ups_a_page_at_a_time_latest_changed_first(app, client, shop,
                                                                                       make_campaign):
    for number in range(30):
        customer(app, shop, f"b-{number:02d}")
    campaign_id = make_campaign(shop, active=True, activated_at=utcnow())
    with app.app_context():
        followups.plan_all(utcnow())
        for number, follow_up in enumerate(_db.session.scalars(select(FollowUp).order_by(FollowUp.id))):
            follow_up.updated_at = utcnow() + timedelta(minutes=number)  # b-29 changed last
        _db.session.commit()
    first = client.get(f"/shops/{shop}/campaigns/{campaign_id}").get_data(as_text=True)
    shown = re.findall(r"<bdi>(B-\d+)</bdi>", first)
    assert shown == [f"B-{number:02d}" for number in range(29, 4, -1)]
    next_page = re.search(r'href="([^"]*\?after=\d+)"', first).group(1)
    second = client.get(next_page).get_data(as_text=True)
    assert re.findall(r"<bdi>(B-\d+)</bdi>", second) == ["B-04", "B-03", "B-02", "B-01", "B-00"]
    assert "First page" in second and "Next page" not in second
    assert client.get(f"/shops/{shop}/campaigns/{campaign_id}?after=nope").status_code == 200


@pytest.mark.parametrize("changes, message", [
    ({"body_en": ""}, "Write the message at least in the shop"),
    ({"body_en": "Hi {first_name}"}, "Unknown placeholder: first_name."),
    ({"days": "0"}, "Give a number of days from 1 to 365."),
    ({"coupon_mode": "shared", "coupon_id": "0"}, "Choose the coupon to send."),
    ({"coupon_mode": "shared", "coupon_id": str(2**31)}, "Choose the coupon to send."),  # past any INTEGER id
    ({"coupon_mode": "pool", "coupon_pool": "NOPE"}, "This pool has no free codes left"),
])
def test_bad_campaigns_are_refused_with_a_clear_message(client, db, shop, changes, message):
    response = client.post(f"/shops/{shop}/campaigns/new", data=campaign_form(**changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.count(Campaign) == 0


def test_a_campaign_on_an_expired_coupon_cannot_be_switched_on(app, client, db, shop, make_campaign):
    now = utcnow()
    with app.app_context():
        coupon = coupons.create_coupon(membership(shop), "OLD", "fixed", Decimal(5), "EUR", now - timedelta(days=60),
                                       valid_until=now + timedelta(days=1), usage_limit=None, min_order=None, now=now)
        _db.session.commit()
        coupon_id = coupon.id
    campaign_id = make_campaign(shop, coupon_mode="shared", coupon_id=coupon_id)
    db.update(lambda session: setattr(session.get(type(coupon), coupon_id), "valid_until", now - timedelta(days=1)))
    response = client.post(f"/shops/{shop}/campaigns/{campaign_id}/on", follow_redirects=True)
    assert "This coupon has expired" in response.get_data(as_text=True)
    assert db.get(Campaign, campaign_id).is_active is False


def test_agents_see_campaigns_but_only_owners_change_them(app, client, db, shop, make_user, add_member, *, auth,
                                                          make_campaign):
    campaign_id = make_campaign(shop)
    add_member(shop, make_user("agent@example.com"))
    auth.logout()
    auth.login("agent@example.com")
    assert client.get(f"/shops/{shop}/campaigns/{campaign_id}").status_code == 200
    assert client.post(f"/shops/{shop}/campaigns/{campaign_id}/on").status_code == 403
    assert db.get(Campaign, campaign_id).is_active is False


def test_the_scheduler_job_plans_and_sends_and_waits_without_a_public_address(app, make_app, db, shop,
                                                                               make_campaign, monkeypatch):
    customer(app, shop, "b-1")
    make_campaign(shop, active=True, activated_at=utcnow())
    # No public address (production refuses to start without one, tests may): no link could work, nothing is sent.
    with make_app(ENV="production").app_context():
        jobs.send_follow_ups()
    assert db.count(FollowUp) == 0
    with app.app_context():
        jobs.send_follow_ups()
    assert [f.status for f in db.scalars(select(FollowUp))] == ["sent"]


def test_consents_import_from_csv_reports_bad_lines(app, client, db, shop):
    buyer_id, _thread = customer(app, shop, "b-1", consent_given=False)
    csv_text = ("buyer_id,given_at,text\nb-1,2026-10-01,Yes please\nunknown,2026-10-01,Yes\n"
                "b-1,not a date,Yes\n")
    import io
    response = client.post(f"/shops/{shop}/consents/import", data={"file": (io.BytesIO(csv_text.encode()), "c.csv")},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "1 new, 0 already known, 2 refused" in page
    assert "Line 3: No buyer with this id or e-mail in this shop." in page
    assert "Line 4: This date is not valid." in page
    assert db.get(Buyer, buyer_id).consent_source == "import"


def api_token(client):
    page = client.post("/settings/tokens", data={"name": "crm"}).get_data(as_text=True)
    return {"Authorization": "Bearer " + re.search(r"(sk_[\w-]+)</code>", page).group(1)}


def test_consent_through_the_api_is_appended_and_bad_input_changes_nothing(app, client, db, shop):
    buyer_id, _thread = customer(app, shop, "b-1", consent_given=False)
    headers = api_token(client)
    url = f"/api/v1/shops/{shop}/buyers/{buyer_id}/consent"
    future = (utcnow() + timedelta(days=2)).isoformat()
    for body, field in (({"action": "given"}, "text"), ({"action": "maybe"}, "action"),
                        ({"action": "given", "text": "Yes", "occurred_at": future}, "occurred_at"),
                        ({"action": "given", "text": "Yes", "source": "opt_out_link"}, "source")):
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 400 and field in response.get_json()["error"]["fields"]
    assert db.count(ConsentEvent) == 0
    response = client.post(url, json={"action": "given", "source": "order_checkbox", "text": "Send me coupons"},
                           headers=headers)
    assert response.status_code == 201
    assert response.get_json()["consent"]["given"] is True
    assert client.post(url, json={"action": "withdrawn"}, headers=headers).status_code == 201
    assert client.post(url, json={"action": "withdrawn"}, headers=headers).status_code == 200
    history = client.get(f"/api/v1/shops/{shop}/buyers/{buyer_id}", headers=headers).get_json()["consent_history"]
    assert [(e["action"], e["source"]) for e in history] == [("withdrawn", "api"), ("given", "order_checkbox")]


def test_the_api_shows_a_campaigns_preview_and_figures(app, client, shop, make_campaign):
    customer(app, shop, "b-1")
    customer(app, shop, "b-2", consent_given=False)
    campaign_id = make_campaign(shop)
    body = client.get(f"/api/v1/shops/{shop}/campaigns/{campaign_id}", headers=api_token(client)).get_json()
    assert body["preview"] == {"reach_now": 1, "later": 0, "waiting": {}, "skipped": {"no_consent": 1}}
    assert body["figures"]["sent"] == 0 and body["messages"]["en"].startswith("Hi {buyer_name|there}")


def test_a_buyer_with_an_open_support_ticket_gets_no_follow_up(app, db, shop, make_campaign):
    from sellerkit.threads.models import Thread
    from sellerkit.tickets import services as tickets

    _buyer, thread_id = customer(app, shop, "b-1")
    with app.app_context():
        tickets.escalate(_db.session.get(Shop, shop), _db.session.get(Thread, thread_id), utcnow(),
                         topic_key="wrong_item")
        _db.session.commit()
    make_campaign(shop, active=True, activated_at=utcnow())
    with app.app_context():
        followups.plan_all(utcnow())
        _db.session.commit()
    send_due(app)
    assert [(f.status, f.reason) for f in db.scalars(select(FollowUp))] == [("skipped", "open_ticket")]


def test_only_buyers_who_would_get_the_message_are_listed_as_planned(app, client, db, shop):
    customer(app, shop, "b-yes", delivered_days_ago=2)
    customer(app, shop, "b-no", delivered_days_ago=2, consent_given=False)
    response = client.post(f"/shops/{shop}/campaigns/new", data=campaign_form())
    campaign_id = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post(f"/shops/{shop}/campaigns/{campaign_id}/on")
    assert db.count(FollowUp, FollowUp.status == "pending") == 2  # both orders wait for their due day

    page = client.get(f"/shops/{shop}/campaigns/{campaign_id}").get_data(as_text=True)
    assert "1 planned" in page
    rows = {name: row for name, row in re.findall(r"<bdi>(B-YES|B-NO)</bdi>.*?</td>\s*<td>.*?</td>\s*(<td>.*?</td>)",
                                                  page, re.S)}
    assert "Planned" in rows["B-YES"]
    assert "Will not be sent · No marketing consent" in rows["B-NO"]
    listing = client.get(f"/shops/{shop}/campaigns").get_data(as_text=True)
    assert re.search(r"<td>1</td>\s*<td><span class=\"badge\">On", listing)


def test_the_campaign_chart_has_a_count_axis_and_says_when_there_is_nothing_yet(app, client, db, shop):
    customer(app, shop, "b-1")
    customer(app, shop, "b-2")
    response = client.post(f"/shops/{shop}/campaigns/new", data=campaign_form())
    campaign_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/shops/{shop}/campaigns/{campaign_id}").get_data(as_text=True)
    assert "Nothing was sent or redeemed in this period, so there is nothing to chart yet." in page
    assert "<svg" not in page

    client.post(f"/shops/{shop}/campaigns/{campaign_id}/on")
    send_due(app)
    page = client.get(f"/shops/{shop}/campaigns/{campaign_id}").get_data(as_text=True)
    svg = re.search(r"<svg class=\"chart\".*?</svg>", page, re.S).group(0)
    assert re.findall(r'text-anchor="end" dominant-baseline="middle">([^<]*)<', svg) == ["0", "1", "2"]
