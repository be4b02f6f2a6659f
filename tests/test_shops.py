"""Shops: creating one, settings and business hours, roles, the switcher."""
from datetime import UTC, time

import pytest
from sqlalchemy import select

from sellerkit.shops.models import BusinessHours, Holiday, Membership, Shop

SHOP_FORM = {"name": "Amber Studio", "platform": "etsy", "default_language": "pl", "timezone": "Europe/Warsaw"}


def settings_form(**changes):
    data = dict(SHOP_FORM, reply_transport="manual", reply_from_email="", webhook_url="", max_file_mb="10",
                max_message_mb="50", response_hours="", response_business_hours_only="",
                response_auto_reply_counts="", response_warning_hours="", holidays="")
    for day in range(7):
        data[f"hours-{day}-opens_at"] = ""
        data[f"hours-{day}-closes_at"] = ""
    data.update(changes)
    return data


def test_new_user_creates_a_shop_and_lands_on_it(client, db, auth, make_user):
    make_user()
    auth.login()
    response = client.post("/shops/new", data=SHOP_FORM)
    assert response.status_code == 302
    shop = db.scalar(select(Shop))
    assert (shop.name, shop.platform, shop.default_language, shop.timezone) == \
        ("Amber Studio", "etsy", "pl", "Europe/Warsaw")
    assert db.scalar(select(Membership.role)) == "owner"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Amber Studio" in page and "Etsy" in page and "Europe/Warsaw" in page


def test_unknown_timezone_or_platform_is_refused(client, db, auth, make_user):
    make_user()
    auth.login()
    for field, value in (("timezone", "Mars/Olympus"), ("platform", "aliexpress")):
        response = client.post("/shops/new", data={**SHOP_FORM, field: value})
        assert response.status_code == 422
        assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.count(Shop) == 0


def test_owner_sets_business_hours(client, db, auth, make_user, make_shop):
    shop_id = make_shop(make_user())
    auth.login()
    response = client.post(f"/shops/{shop_id}/settings", data=settings_form(**{
        "hours-0-is_open": "y", "hours-0-opens_at": "09:00", "hours-0-closes_at": "17:30"}))
    assert response.status_code == 302
    hours = db.scalars(select(BusinessHours))
    assert [(h.weekday, h.opens_at, h.closes_at) for h in hours] == [(0, time(9), time(17, 30))]
    page = client.get(f"/shops/{shop_id}").get_data(as_text=True)
    assert "Monday" in page and "09:00" in page


def test_business_hours_ending_before_they_start_are_refused(client, db, auth, make_user, make_shop):
    shop_id = make_shop(make_user())
    auth.login()
    response = client.post(f"/shops/{shop_id}/settings", data=settings_form(name="Renamed", **{
        "hours-2-is_open": "y", "hours-2-opens_at": "18:00", "hours-2-closes_at": "09:00"}))
    assert response.status_code == 422
    assert "Business hours must end after they start." in response.get_data(as_text=True)
    assert db.count(BusinessHours) == 0
    assert db.scalar(select(Shop.name)) == "Amber Studio"


def test_agent_cannot_change_settings(client, db, auth, make_user, make_shop, add_member):
    shop_id = make_shop(make_user())
    add_member(shop_id, make_user("agent@example.com"))
    auth.login("agent@example.com")
    assert client.get(f"/shops/{shop_id}").status_code == 200
    response = client.post(f"/shops/{shop_id}/settings", data=settings_form(name="Hijacked"))
    assert response.status_code == 403
    assert "Only the shop's owners can change its settings." in response.get_data(as_text=True)
    assert db.scalar(select(Shop.name)) == "Amber Studio"
    assert "Shop settings" not in client.get(f"/shops/{shop_id}").get_data(as_text=True)


def test_fields_the_form_does_not_offer_are_refused(client, db, auth, make_user, make_shop):
    shop_id = make_shop(make_user())
    auth.login()
    response = client.post(f"/shops/{shop_id}/settings", data=settings_form(name="Renamed", created_at="2001-01-01"))
    assert response.status_code == 422
    assert "created_at" in response.get_data(as_text=True)
    assert db.scalar(select(Shop.name)) == "Amber Studio"


def test_owner_adds_an_agent_who_then_sees_the_shop(app, client, db, auth, make_user, make_shop):
    shop_id = make_shop(make_user())
    make_user("helper@example.com", name="Helper")
    auth.login()
    response = client.post(f"/shops/{shop_id}/members", data={"email": "Helper@example.com", "role": "agent"})
    assert response.status_code == 302
    helper = app.test_client()
    helper.post("/login", data={"email": "helper@example.com", "password": "correct horse battery"})
    assert "Amber Studio" in helper.get(f"/shops/{shop_id}").get_data(as_text=True)
    unknown = client.post(f"/shops/{shop_id}/members", data={"email": "stranger@example.com", "role": "agent"})
    assert unknown.status_code == 422 and "Ask them to sign up first" in unknown.get_data(as_text=True)
    assert db.count(Membership) == 2


def test_last_owner_cannot_be_removed(client, db, auth, make_user, make_shop):
    shop_id = make_shop(make_user())
    auth.login()
    owner_membership = db.scalar(select(Membership.id))
    response = client.post(f"/shops/{shop_id}/members/{owner_membership}/remove")
    assert response.status_code == 400
    assert "A shop needs at least one owner." in response.get_data(as_text=True)
    assert db.count(Membership) == 1


def test_switcher_lists_every_shop_of_the_user(client, auth, make_user, make_shop):
    owner = make_user()
    first = make_shop(owner, name="Amber Studio")
    make_shop(owner, name="Birch Goods", platform="ozon")
    make_shop(make_user("other@example.com"), name="Not Mine")
    auth.login()
    page = client.get(f"/shops/{first}").get_data(as_text=True)
    assert "Birch Goods" in page and "Ozon" in page
    assert "Not Mine" not in page


def test_home_is_the_inbox_once_there_is_a_shop(client, auth, make_user, make_shop):
    owner = make_user()
    auth.login()
    assert client.get("/").headers["Location"].endswith("/shops/new")
    make_shop(owner, name="Amber Studio")
    assert client.get("/").headers["Location"].endswith("/inbox")


def test_home_sends_a_newcomer_to_sign_up(client, make_user):
    assert client.get("/").headers["Location"].endswith("/signup")
    make_user()
    assert client.get("/").headers["Location"].endswith("/login")


def test_owner_chooses_webhook_delivery_and_gets_a_signing_secret(client, db, auth, make_user, make_shop):
    shop_id = make_shop(make_user())
    auth.login()
    response = client.post(f"/shops/{shop_id}/settings", data=settings_form(
        reply_transport="webhook", webhook_url="https://hooks.example.com/sellerkit", max_file_mb="5"))
    assert response.status_code == 302
    shop = db.get(Shop, shop_id)
    assert shop.reply_transport == "webhook" and len(shop.webhook_secret) == 64
    assert shop.max_attachment_bytes == 5 * 1024 * 1024
    assert shop.webhook_secret in client.get(f"/shops/{shop_id}/settings").get_data(as_text=True)


@pytest.mark.parametrize("changes, field", [
    ({"reply_transport": "webhook", "webhook_url": ""}, "webhook_url"),
    ({"webhook_url": "ftp://files.example.com/x"}, "webhook_url"),
    ({"webhook_url": "https://user:pw@example.com/"}, "webhook_url"),
    ({"reply_from_email": "not an address"}, "reply_from_email"),
    ({"max_file_mb": "0"}, "max_file_mb"),
    ({"max_file_mb": "20", "max_message_mb": "10"}, "max_message_mb"),
    ({"max_file_mb": "-3"}, "max_file_mb"),
    ({"response_hours": "-5"}, "response_hours"),
    ({"response_hours": "5000"}, "response_hours"),
    ({"response_hours": "12", "response_warning_hours": "12"}, "response_warning_hours"),
    ({"holidays": "2026-12-31\nnext friday"}, "holidays"),
])
def test_bad_reply_settings_are_refused(client, db, auth, make_user, make_shop, changes, *, field):
    shop_id = make_shop(make_user())
    auth.login()
    response = client.post(f"/shops/{shop_id}/settings", data=settings_form(name="Renamed", **changes))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.get(Shop, shop_id).name == "Amber Studio"


def test_owner_changes_the_response_rule_and_holidays_and_clocks_follow(app, client, db, auth, make_user, make_shop):
    from datetime import date, datetime, timedelta

    from sellerkit import inbox
    from sellerkit.extensions import db as sqla
    from sellerkit.sla.models import ResponseClock
    from sellerkit.threads.domain import Inbound

    shop_id = make_shop(make_user())
    auth.login()
    response = client.post(f"/shops/{shop_id}/settings", data=settings_form(**{
        "response_hours": "8", "response_business_hours_only": "yes", "response_warning_hours": "2",
        "holidays": "2026-11-24", "hours-0-is_open": "y", "hours-0-opens_at": "09:00", "hours-0-closes_at": "17:00",
        "hours-1-is_open": "y", "hours-1-opens_at": "09:00", "hours-1-closes_at": "17:00",
        "hours-2-is_open": "y", "hours-2-opens_at": "09:00", "hours-2-closes_at": "17:00"}))
    assert response.status_code == 302
    assert [h.day for h in db.scalars(select(Holiday))] == [date(2026, 11, 24)]
    monday_afternoon = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 15:00 in Warsaw
    with app.app_context():
        inbox.receive_buyer_message(sqla.session.get(Shop, shop_id), Inbound(
            external_id="m1", body="Hi", received_at=monday_afternoon, buyer_external_id="b1"), monday_afternoon)
        sqla.session.commit()
    clock = db.scalar(select(ResponseClock))
    # 2 open hours on Monday, Tuesday is a holiday, 6 more hours on Wednesday: 15:00 in Warsaw, 14:00 UTC.
    assert clock.due_at == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    assert clock.warn_at == clock.due_at - timedelta(hours=2)
