"""Every date on a page in one timezone (the shop's, unless the user chose their own), and Persian dates in the
Solar Hijri calendar in the UI and in what buyers and support read."""
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from sellerkit import inbox
from sellerkit.clock import utcnow
from sellerkit.extensions import db as sqla
from sellerkit.i18n import buyer_date
from sellerkit.outbox.models import OutboxItem
from sellerkit.shops.models import Shop
from sellerkit.threads.domain import Inbound
from sellerkit.tickets.models import Ticket
from tests.conftest import NOW

#: 18:41 in London is 22:11 in Tehran (UTC+3:30 all year).
MOMENT = datetime(2026, 12, 7, 18, 41, 15, tzinfo=UTC)


@pytest.fixture
def owner(make_user, auth):
    user_id = make_user()
    auth.login()
    return user_id


def dispute(app, shop_id, at=MOMENT, language="en", body="It never arrived, I want a refund"):
    """A buyer's complaint about an order placed nine days before `at`: returns the thread id."""
    with app.app_context():
        received = inbox.receive_buyer_message(sqla.session.get(Shop, shop_id), Inbound(
            external_id="m-1", body=body, received_at=at, buyer_external_id="b-1", buyer_name="Maryam",
            buyer_language=language, order_reference="ORD-1", order={"placed_at": at - timedelta(days=9)}), at)
        sqla.session.commit()
        return received.thread.id


def escalate(app, client, thread_id, created_at=MOMENT):
    response = client.post(f"/threads/{thread_id}/escalate", data={"topic": ""})
    ticket_id = int(re.search(r"/tickets/(\d+)$", response.headers["Location"]).group(1))
    with app.app_context():
        sqla.session.execute(update(Ticket).where(Ticket.id == ticket_id).values(created_at=created_at))
        sqla.session.commit()
    return ticket_id


def test_a_conversation_and_its_ticket_show_the_same_hour_in_the_shops_timezone(app, client, owner, make_shop):
    shop_id = make_shop(owner, timezone_name="Asia/Tehran")
    thread_id = dispute(app, shop_id)
    ticket_id = escalate(app, client, thread_id)
    thread_page = client.get(f"/threads/{thread_id}").get_data(as_text=True)
    ticket_page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert "Dec 7, 2026, 10:11\u202fPM" in thread_page  # the buyer's message
    assert "Nov 28, 2026, 10:11\u202fPM" in thread_page  # the order card: placed nine days before
    assert "Dec 7, 2026, 10:11\u202fPM" in ticket_page
    assert "6:41" not in thread_page
    assert "6:41" not in ticket_page
    assert "UTC" not in ticket_page


def test_a_user_who_chose_a_timezone_sees_every_page_in_it(app, client, owner, make_shop):
    shop_id = make_shop(owner, timezone_name="Asia/Tehran")
    thread_id = dispute(app, shop_id)
    client.post("/settings/", data={"display_name": "", "locale": "en", "timezone": "America/New_York"})
    assert "Dec 7, 2026, 1:41\u202fPM" in client.get(f"/threads/{thread_id}").get_data(as_text=True)
    client.post("/settings/", data={"display_name": "", "locale": "en", "timezone": ""})
    assert "Dec 7, 2026, 10:11\u202fPM" in client.get(f"/threads/{thread_id}").get_data(as_text=True)


def test_the_inbox_shows_times_in_the_timezone_of_the_shop_being_worked_in(app, client, owner, make_shop,
                                                                            make_conversation):
    shop_id = make_shop(owner, timezone_name="Asia/Tehran")
    item_id = make_conversation(shop_id, owner)["item_id"]
    with app.app_context():  # the reply, copied to the platform by hand, counts once marked sent
        inbox.mark_reply_sent(sqla.session.get(OutboxItem, item_id), NOW)  # 12:00 UTC on 23 November, 15:30 in Tehran
        sqla.session.commit()
    client.get(f"/shops/{shop_id}")  # the shop the seller works in
    assert "Nov 23, 2026, 3:30\u202fPM" in client.get("/inbox?view=all").get_data(as_text=True)


def test_a_vacation_planned_for_days_shows_those_days(client, owner, make_shop):
    shop_id = make_shop(owner)  # Warsaw, an hour ahead of UTC in December
    response = client.post(f"/shops/{shop_id}/vacations", data={
        "starts_on": "2026-12-07", "ends_on": "2026-12-14", "body_en": "Back on {vacation_return_date}."})
    assert response.status_code == 302
    page = client.get(f"/shops/{shop_id}/vacations").get_data(as_text=True)
    assert "Dec 7, 2026 – Dec 14, 2026" in page
    assert "Dec 6" not in page


def test_a_coupon_valid_through_a_day_shows_that_day_in_the_shops_timezone(client, owner, make_shop):
    shop_id = make_shop(owner)  # Warsaw
    client.post(f"/shops/{shop_id}/coupons", data={
        "code": "WINTER", "kind": "percent", "value": "10", "currency": "", "valid_from": "2026-12-01",
        "valid_until": "2026-12-31", "usage_limit": "", "min_order": ""})
    page = client.get(f"/shops/{shop_id}/coupons").get_data(as_text=True)
    assert "Dec 1, 2026 – Dec 31, 2026" in page


def test_a_campaign_page_shows_its_follow_ups_in_the_shops_timezone(app, client, owner, make_shop, make_campaign):
    from sellerkit.followups.models import FollowUp
    from sellerkit.threads.models import Order

    shop_id = make_shop(owner, timezone_name="Asia/Tehran")
    thread_id = dispute(app, shop_id)
    campaign_id = make_campaign(shop_id)
    with app.app_context():
        order = sqla.session.scalar(select(Order))
        sqla.session.add(FollowUp(shop_id=shop_id, campaign_id=campaign_id, buyer_id=order.buyer_id,
                                  order_id=order.id, status="sent", sent_at=MOMENT, due_at=MOMENT,
                                  created_at=MOMENT, updated_at=MOMENT))
        sqla.session.commit()
    assert thread_id
    page = client.get(f"/shops/{shop_id}/campaigns/{campaign_id}").get_data(as_text=True)
    assert "Dec 7, 2026, 10:11\u202fPM" in page


def test_the_new_shop_form_asks_the_browser_for_its_timezone(client, owner):
    page = client.get("/shops/new").get_data(as_text=True)
    assert re.search(r'<select[^>]*data-browser-timezone[^>]*name="timezone"|<select[^>]*name="timezone"[^>]*'
                     r'data-browser-timezone', page)
    assert "app.js" in page


def test_persian_dates_are_solar_hijri_with_persian_digits():
    assert buyer_date(date(2026, 12, 13), "fa") == "۲۲ آذر ۱۴۰۵"
    assert buyer_date(date(2026, 3, 21), "fa") == "۱ فروردین ۱۴۰۵"  # Nowruz
    assert buyer_date(date(2026, 12, 13), "bn") == "১৩ ডিসেম্বর, ২০২৬"
    assert buyer_date(date(2026, 12, 13), "en") == "December 13, 2026"


def test_persian_pages_write_dates_times_and_percents_the_persian_way(app, client, owner, make_shop):
    shop_id = make_shop(owner, timezone_name="Asia/Tehran")
    thread_id = dispute(app, shop_id)
    page = client.get(f"/threads/{thread_id}", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert "۱۶ آذر ۱۴۰۵" in page  # 7 December 2026
    assert "۲۲:۱۱" in page
    assert "دسامبر" not in page
    dashboard = client.get(f"/shops/{shop_id}/response", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert "۹۵٪" in dashboard  # the target
    assert "%" not in re.sub(r"<[^>]*>", "", dashboard)


def test_bengali_pages_write_times_with_bengali_digits(app, client, owner, make_shop):
    shop_id = make_shop(owner, timezone_name="Asia/Dhaka")  # 18:41 UTC is 00:41 the next day in Dhaka
    thread_id = dispute(app, shop_id)
    ticket_id = escalate(app, client, thread_id)
    for url in (f"/threads/{thread_id}", f"/tickets/{ticket_id}"):
        page = client.get(url, headers={"Accept-Language": "bn"}).get_data(as_text=True)
        assert "৮ ডিসে, ২০২৬ ১২:৪১ AM" in page, url


def test_a_digikala_ticket_draft_dates_the_order_in_the_solar_hijri_calendar(app, client, owner, make_shop):
    shop_id = make_shop(owner, platform="digikala", default_language="fa", timezone_name="Asia/Tehran")
    thread_id = dispute(app, shop_id, language="fa", body="سفارش را دریافت نکردم")
    ticket_id = escalate(app, client, thread_id)
    with app.app_context():
        ticket = sqla.session.get(Ticket, ticket_id)
        draft = ticket.description + ticket.transcript
    assert "۷ آذر ۱۴۰۵" in draft  # placed on 28 November 2026
    assert "۱۶ آذر ۱۴۰۵" in draft  # the buyer wrote on 7 December 2026
    assert not re.search(r"20\d\d", draft)


def test_a_persian_follow_up_names_the_coupons_last_day_in_the_solar_hijri_calendar(app, owner, make_shop):
    from sellerkit.coupons.models import Coupon
    from sellerkit.followups import services as followups
    from sellerkit.followups.models import Campaign, CampaignMessage
    from sellerkit.threads.models import Buyer, Order

    shop_id = make_shop(owner, default_language="fa", timezone_name="Asia/Tehran")
    dispute(app, shop_id, at=utcnow(), language="fa", body="ممنون")
    with app.test_request_context():
        shop = sqla.session.get(Shop, shop_id)
        # Valid through 31 December in Tehran: until the midnight that starts 1 January there.
        coupon = Coupon(shop_id=shop_id, code="YALDA", kind="percent", value=10, redeemed_count=0, created_at=MOMENT,
                        valid_until=datetime(2026, 12, 31, 20, 30, tzinfo=UTC))
        campaign = Campaign(shop_id=shop_id, name="Thanks", trigger="after_delivery", days=14, min_days_between=30,
                            coupon_mode="shared", is_active=False, created_at=MOMENT, updated_at=MOMENT)
        campaign.messages = [CampaignMessage(language="fa", body="کد {coupon_code} تا {coupon_expiry} اعتبار دارد.")]
        sqla.session.add_all([coupon, campaign])
        sqla.session.flush()
        _language, text = followups.message_text(campaign, shop, sqla.session.scalar(select(Buyer)),
                                                 sqla.session.scalar(select(Order)), coupon)
    assert text.startswith("کد YALDA تا ۱۰ دی ۱۴۰۵ اعتبار دارد.")  # 31 December 2026
