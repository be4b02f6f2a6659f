"""Vacations and auto-replies: planned, answered once in the buyer's language, never to machines, per platform."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from sellerkit import inbox
from sellerkit.autoreply.models import Vacation
from sellerkit.clock import utcnow
from sellerkit.extensions import db as sqla
from sellerkit.outbox.models import OutboxItem
from sellerkit.shops.models import Shop
from sellerkit.sla.models import ResponseClock
from sellerkit.threads.domain import Inbound
from sellerkit.threads.models import Message
from tests.concurrency import run_together
from tests.conftest import NOW

AWAY = {"en": "Thanks! I'm away until {vacation_return_date}, {buyer_name|friend}.",
        "fa": "ممنون! تا {vacation_return_date} در سفرم."}


@pytest.fixture
def shop(make_user, make_shop, auth, make_vacation):
    def make(platform="etsy", vacation=True):
        owner = make_user(f"{platform}@example.com")
        shop_id = make_shop(owner, platform=platform, timezone_name="Asia/Tehran")
        if vacation:
            make_vacation(shop_id, starts_at=NOW - timedelta(days=1), days=7, bodies=AWAY)
        auth.login(f"{platform}@example.com")
        return shop_id
    return make


def deliver(app, shop_id, number, thread="t-1", buyer="b-1", language=None, *, headers=None, at=NOW):
    with app.app_context():
        received = inbox.receive_buyer_message(sqla.session.get(Shop, shop_id), Inbound(
            external_id=f"m-{number}", body="Hello?", received_at=at, buyer_external_id=buyer, buyer_name="Maryam",
            buyer_language=language, thread_external_id=thread, headers=headers or {}), at)
        sqla.session.commit()
        return received.auto_reply.body if received.auto_reply else None


def test_a_buyer_gets_one_auto_reply_in_their_language_with_the_return_date(app, db, shop):
    shop_id = shop()
    text = deliver(app, shop_id, 1, language="fa")
    assert text == "ممنون! تا ۸ آذر ۱۴۰۵ در سفرم."  # 29 November 2026, in the Solar Hijri calendar
    assert deliver(app, shop_id, 2, language="fa") is None  # the same thread, the same vacation
    auto = db.scalar(select(Message).where(Message.kind == "auto_reply"))
    assert auto.is_automatic and db.scalar(select(OutboxItem.message_id)) == auto.id


def test_the_russian_return_date_ends_the_sentence_with_one_full_stop(app, make_user, make_shop, make_vacation):
    owner = make_user("ru@example.com")
    shop_id = make_shop(owner, platform="ozon", default_language="ru", timezone_name="Europe/Moscow")
    make_vacation(shop_id, starts_at=NOW - timedelta(days=1), days=7,
                  bodies={"ru": "Спасибо за сообщение! Магазин не работает до {vacation_return_date}."})
    text = deliver(app, shop_id, 1, language="ru")
    assert text == "Спасибо за сообщение! Магазин не работает до 29 ноября 2026\u202fг."
    assert "г.." not in text


def test_messages_arriving_at_once_get_one_auto_reply(make_app, db, shop):
    """Eight workers receive eight messages of one thread at the same instant: all kept, answered once."""
    shop_id = shop()
    apps = [make_app() for _ in range(8)]
    answers = []

    def worker(number):
        return lambda: answers.append(deliver(apps[number], shop_id, number))

    assert run_together([worker(number) for number in range(8)]) == []
    assert len(answers) == 8 and len([answer for answer in answers if answer]) == 1
    assert db.count(Message, Message.kind == "buyer") == 8 and db.count(Message, Message.kind == "auto_reply") == 1


def test_once_per_buyer_per_week_even_in_another_thread(app, shop):
    shop_id = shop()
    assert deliver(app, shop_id, 1, thread="t-1") is not None
    assert deliver(app, shop_id, 2, thread="t-2") is None
    assert deliver(app, shop_id, 3, thread="t-3", buyer="b-2") == "Thanks! I'm away until November 29, 2026, Maryam."


@pytest.mark.parametrize("headers", [{"Auto-Submitted": "auto-replied"}, {"Precedence": "bulk"},
                                     {"From": "no-reply@marketplace.example"}])
def test_machines_get_no_auto_reply(app, shop, headers):
    assert deliver(app, shop(), 1, headers=headers) is None


def test_no_auto_reply_at_work_or_after_ending_early(app, shop):
    from sellerkit.autoreply import services as vacations
    from sellerkit.shops.models import Membership

    assert deliver(app, shop(platform="ebay", vacation=False), 1) is None
    shop_id = shop()
    with app.app_context():
        membership = sqla.session.scalar(select(Membership).where(Membership.shop_id == shop_id))
        vacation_id = sqla.session.scalar(select(Vacation.id).where(Vacation.shop_id == shop_id))
        vacations.end_early(membership, vacation_id, NOW)
        sqla.session.commit()
    assert deliver(app, shop_id, 2, at=NOW + timedelta(hours=1)) is None
    assert deliver(app, shop_id, 3, thread="t-2", at=NOW - timedelta(hours=1)) is not None  # before it ended


def test_vacations_changed_in_another_process_count_from_the_next_message(app, make_app, shop):
    # Each process keeps the vacations it read; the shop's stamp tells it when another process changed them.
    from sellerkit.autoreply import services as vacations
    from sellerkit.shops.models import Membership

    shop_id = shop(vacation=False)
    assert deliver(app, shop_id, 1) is None
    other = make_app()
    with other.app_context():
        membership = sqla.session.scalar(select(Membership).where(Membership.shop_id == shop_id))
        vacation = vacations.plan_vacation(membership, NOW.date(), NOW.date() + timedelta(days=3), AWAY, NOW)
        sqla.session.commit()
        vacation_id = vacation.id
    assert deliver(app, shop_id, 2, thread="t-2", buyer="b-2") is not None
    with other.app_context():
        membership = sqla.session.scalar(select(Membership).where(Membership.shop_id == shop_id))
        vacations.end_early(membership, vacation_id, NOW + timedelta(minutes=1))
        sqla.session.commit()
    assert deliver(app, shop_id, 3, thread="t-3", buyer="b-3", at=NOW + timedelta(hours=1)) is None


def send_by_webhook(app, shop_ids, url):
    with app.app_context():
        sqla.session.execute(update(Shop).where(Shop.id.in_(shop_ids)).values(
            reply_transport="webhook", webhook_url=url, webhook_secret="s" * 32))
        sqla.session.commit()


def deliver_outbox(app, at):
    """The scheduler's delivery sweep."""
    from sellerkit.outbox.delivery import deliver_due

    with app.app_context():
        return deliver_due(at, {**app.config, "WEBHOOK_ALLOW_PRIVATE": True})


def test_etsy_counts_the_auto_reply_once_delivered_amazon_does_not(app, db, shop, receiver):
    etsy, amazon = shop("etsy"), shop("amazon")
    send_by_webhook(app, [etsy, amazon], receiver.base + "/ok")
    deliver(app, etsy, "e1", thread="t-e")
    deliver(app, amazon, "a1", thread="t-a")
    assert deliver_outbox(app, NOW + timedelta(minutes=1)) == (2, 0)
    statuses = {row.shop_id: (row.status, row.stopped_by, row.stopped_at) for row in db.scalars(select(ResponseClock))}
    assert statuses[etsy] == ("met", "auto_reply", NOW + timedelta(minutes=1))
    assert statuses[amazon] == ("open", None, None)


def test_an_auto_reply_in_a_shop_that_sends_by_hand_never_counts(app, db, shop):
    etsy = shop("etsy")
    assert deliver(app, etsy, "e1", thread="t-e") is not None
    with app.app_context():
        inbox.mark_reply_sent(sqla.session.scalar(select(OutboxItem)), NOW + timedelta(minutes=5))
        sqla.session.commit()
    assert [(row.status, row.stopped_by) for row in db.scalars(select(ResponseClock))] == [("open", None)]


def test_the_planner_says_plainly_that_replies_sent_by_hand_cannot_reach_anyone(client, shop):
    shop_id = shop("etsy", vacation=False)
    page = client.get(f"/shops/{shop_id}/vacations").get_data(as_text=True)
    assert "auto-replies cannot reach anyone while you are away" in page
    assert f'href="/shops/{shop_id}/settings#reply_transport"' in page


def test_the_planner_warns_where_auto_replies_do_not_count(client, shop):
    shop_id = shop("amazon", vacation=False)
    page = client.get(f"/shops/{shop_id}/vacations").get_data(as_text=True)
    assert "auto-replies do not count as answers" in page


@pytest.mark.parametrize("data, message", [
    ({"starts_on": "2027-01-10", "ends_on": "2027-01-05", "body_en": "Away"}, "must end after it starts"),
    ({"starts_on": "2027-01-10", "ends_on": "2028-03-05", "body_en": "Away"}, "at most 365 days"),
    ({"starts_on": "2027-01-10", "ends_on": "2027-01-15", "body_ru": "Нет на месте"}, "shop's default language"),
    ({"starts_on": "2027-01-10", "ends_on": "2027-01-15", "body_en": "Use {coupon}"}, "Unknown placeholder: coupon"),
    ({"starts_on": "2026-11-25", "ends_on": "2026-11-27", "body_en": "Away"}, "overlaps another one"),
])
def test_bad_vacations_are_refused(client, db, shop, data, message):
    shop_id = shop()
    response = client.post(f"/shops/{shop_id}/vacations", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.count(Vacation) == 1


def test_plan_a_vacation_from_the_page(client, db, shop):
    shop_id = shop(vacation=False)
    starts = utcnow().date() + timedelta(days=40)  # "Planned" is relative to today, so the dates are too
    response = client.post(f"/shops/{shop_id}/vacations", data={
        "starts_on": starts.isoformat(), "ends_on": (starts + timedelta(days=5)).isoformat(),
        "body_en": "Back on {vacation_return_date}."})
    assert response.status_code == 302
    vacation = db.scalar(select(Vacation))
    assert (vacation.ends_at - vacation.starts_at) == timedelta(days=6)
    assert "Planned" in client.get(f"/shops/{shop_id}/vacations").get_data(as_text=True)


@pytest.fixture
def closed_shop(app, client, make_user, make_shop, auth):
    """A shop open Monday to Friday 9-17 (Warsaw) with away replies switched on."""
    from datetime import time

    from sellerkit.shops.models import BusinessHours

    shop_id = make_shop(make_user("away@example.com"), platform="ebay")
    with app.app_context():
        sqla.session.add_all([BusinessHours(shop_id=shop_id, weekday=day, opens_at=time(9), closes_at=time(17))
                              for day in range(5)])
        sqla.session.commit()
    auth.login("away@example.com")
    response = client.post(f"/shops/{shop_id}/away", data={
        "enabled": "y", "away_en": "We're closed now, {buyer_name|friend}; {shop_name} answers in the morning."})
    assert response.status_code == 302
    return shop_id


def test_away_replies_outside_business_hours_once_per_closed_period(app, closed_shop):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    warsaw = ZoneInfo("Europe/Warsaw")
    monday_night = datetime(2026, 11, 23, 20, 0, tzinfo=warsaw)
    text = deliver(app, closed_shop, 1, at=monday_night)
    assert text == "We're closed now, Maryam; Amber Studio answers in the morning."
    assert deliver(app, closed_shop, 2, at=monday_night + timedelta(hours=1)) is None  # same thread, same night
    assert deliver(app, closed_shop, 3, thread="t-2", buyer="b-2",
                   at=datetime(2026, 11, 24, 12, 0, tzinfo=warsaw)) is None  # Tuesday noon: open
    assert deliver(app, closed_shop, 4, thread="t-2", buyer="b-2",
                   at=datetime(2026, 11, 24, 21, 0, tzinfo=warsaw)) is not None  # Tuesday night


def test_away_replies_need_the_default_language_and_known_placeholders(client, db, closed_shop):
    missing = client.post(f"/shops/{closed_shop}/away", data={"enabled": "y", "away_en": "", "away_ru": "Закрыто"})
    assert missing.status_code == 422 and "shop's default language" in missing.get_data(as_text=True)
    unknown = client.post(f"/shops/{closed_shop}/away", data={"enabled": "y",
                                                              "away_en": "Back on {vacation_return_date}"})
    assert unknown.status_code == 422 and "Unknown placeholder: vacation_return_date" in unknown.get_data(as_text=True)
    assert db.get(Shop, closed_shop).away_replies_enabled is True  # unchanged by the refused saves


def test_a_delivered_auto_reply_that_counts_closes_the_clock_for_good(app, db, shop, receiver):
    """Where every buyer message is counted and the shop counts auto-replies, the answered message gets no
    second clock after the auto-reply is delivered, although the thread still waits for the seller."""
    shop_id = shop("ozon")
    send_by_webhook(app, [shop_id], receiver.base + "/ok")
    with app.app_context():
        sqla.session.execute(update(Shop).where(Shop.id == shop_id).values(response_auto_reply_counts=True))
        sqla.session.commit()
    assert deliver(app, shop_id, 1) is not None
    assert deliver_outbox(app, NOW + timedelta(minutes=1)) == (1, 0)
    assert [(row.status, row.stopped_by) for row in db.scalars(select(ResponseClock))] == [("met", "auto_reply")]
