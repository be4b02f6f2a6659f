"""The response dashboard, its CSV and its API agree on the figures a seller is judged by."""
import re
from datetime import UTC, datetime, time, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from sellerkit import inbox
from sellerkit.accounts.models import User
from sellerkit.clock import utcnow
from sellerkit.extensions import db as sqla
from sellerkit.outbox.models import OutboxItem
from sellerkit.shops.models import Shop
from sellerkit.sla import services as sla
from sellerkit.sla.models import ResponseClock, ResponseDay
from sellerkit.threads.domain import Inbound
from tests.conftest import NOW
from tests.test_shops import settings_form


@pytest.fixture
def shop(app, auth, make_user, make_shop, make_conversation):
    owner = make_user()
    shop_id = make_shop(owner, platform="etsy")
    ids = make_conversation(shop_id, owner)
    now = utcnow()
    with app.app_context():
        # The conversation's own clock (met by its reply, once sent) counts too, moved into the window whatever
        # today is; four more, reusing its message.
        own = sqla.session.scalar(select(ResponseClock).where(ResponseClock.thread_id == ids["thread_id"]))
        own.status, own.stopped_by = "met", "reply"
        own.started_at = now - timedelta(hours=60)
        own.due_at, own.warn_at = own.started_at + timedelta(hours=24), own.started_at + timedelta(hours=20)
        own.stopped_at = own.started_at + timedelta(hours=1)
        message_id = own.message_id
        rows = []
        for hours_ago, answered, status in ((50, 2, "met"), (40, 3, "met"), (30, 30, "breached"), (20, 1, "met")):
            start = now - timedelta(hours=hours_ago)
            rows.append(ResponseClock(shop_id=shop_id, thread_id=ids["thread_id"], message_id=message_id,
                                      started_at=start, due_at=start + timedelta(hours=24),
                                      warn_at=start + timedelta(hours=20), status=status,
                                      stopped_at=start + timedelta(hours=answered), stopped_by="reply"))
        sqla.session.add_all(rows)
        sqla.session.flush()
        sla.recount_days(sqla.session.get(Shop, shop_id))  # written past the reply path, as an import would
        sqla.session.commit()
    auth.login()
    return shop_id


def test_page_csv_and_api_tell_the_same_story(client, shop):
    page = client.get(f"/shops/{shop}/response?days=7").get_data(as_text=True)
    figures = re.findall(r'class="figure">([^<]*)<', page)
    assert figures == ["80%", "2 hr", "1"] and "4 of 5, target 95%" in page and page.count("<rect") == 7
    csv_text = client.get(f"/shops/{shop}/response/export.csv?days=7").get_data(as_text=True)
    token = client.application.test_cli_runner().invoke(
        args=["create-token", "owner@example.com", "--name", "t"]).output.strip().splitlines()[-1]
    stats = client.get(f"/api/v1/shops/{shop}/response-stats?days=7",
                       headers={"Authorization": f"Bearer {token}"}).json
    assert stats["counted"] == stats["on_time"] + stats["breaches"]
    assert f"{stats['rate']:.4f}" in csv_text and len(stats["daily"]) == 7
    assert stats["needed_for_target"] > 0


def test_buyers_still_waiting_past_the_deadline_count_as_breaches_on_the_day_they_wrote(app, client, shop):
    now = utcnow()
    with app.app_context():
        shop_row = sqla.session.get(Shop, shop)
        for number, hours_ago in enumerate((30, 40, 2)):  # the last one is still within its 24 hours
            inbox.receive_buyer_message(shop_row, Inbound(
                external_id=f"waiting-{number}", body="Hello?", received_at=now - timedelta(hours=hours_ago),
                buyer_external_id=f"waiting-buyer-{number}", thread_external_id=f"waiting-{number}"), now)
        sqla.session.commit()
    page = client.get(f"/shops/{shop}/response?days=7").get_data(as_text=True)
    # Four answered on time, the late answer and the two buyers still waiting past their 24 hours.
    assert "4 of 7, target 95%" in page and "53 more on-time replies reach the target." in page
    assert re.findall(r'class="figure">([^<]*)<', page)[2] == "3"


def test_a_bad_period_is_refused_by_the_api(client, shop):
    token = client.application.test_cli_runner().invoke(
        args=["create-token", "owner@example.com", "--name", "t"]).output.strip().splitlines()[-1]
    response = client.get(f"/api/v1/shops/{shop}/response-stats?days=12", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and "days" in response.json["error"]["fields"]


def test_one_platform_across_the_users_shops(client, shop, make_shop):
    make_shop(1, name="Second Etsy shop", platform="etsy")
    make_shop(1, name="An Ozon shop", platform="ozon")
    page = client.get("/response?platform=etsy&days=7").get_data(as_text=True)
    figures = re.findall(r'class="figure">([^<]*)<', page)
    assert figures == ["80%", "2 hr", "1"] and "Etsy" in page and "Ozon" in page
    empty = client.get("/response?platform=ozon&days=7").get_data(as_text=True)
    assert re.findall(r'class="figure">([^<]*)<', empty)[0] == "—"


def answer(app, shop_id, owner, number, received_at, after_hours):
    """A buyer writes to the shop at `received_at` in a conversation of their own; the owner answers after
    `after_hours`."""
    with app.app_context():
        shop = sqla.session.get(Shop, shop_id)
        received = inbox.receive_buyer_message(shop, Inbound(
            external_id=f"m-{number}", body="Is it still available?", received_at=received_at,
            buyer_external_id=f"b-{number}", subject="Question"), received_at)
        reply = inbox.send_reply(shop, received.thread, sqla.session.get(User, owner), "Yes!",
                                 received_at + timedelta(hours=after_hours))
        sqla.session.flush()
        inbox.mark_reply_sent(sqla.session.scalar(select(OutboxItem).where(OutboxItem.message_id == reply.id)),
                              received_at + timedelta(hours=after_hours))
        sqla.session.commit()


def _daily_csv(client, shop_id):
    lines = client.get(f"/shops/{shop_id}/response/export.csv?days=7").get_data(as_text=True).splitlines()
    return {line.split(",")[0]: line.split(",")[1:] for line in lines[1:8]}


def test_an_answer_counts_on_the_shops_day_and_moves_with_a_new_timezone(app, client, auth, make_user, make_shop):
    owner = make_user()
    shop_id = make_shop(owner, timezone_name="UTC")
    evening = datetime.combine(utcnow().date() - timedelta(days=3), time(20, 0), UTC)  # 05:00 next day in Tokyo
    answer(app, shop_id, owner, 1, evening, after_hours=1)
    auth.login()
    day, next_day = evening.date().isoformat(), (evening.date() + timedelta(days=1)).isoformat()
    daily = _daily_csv(client, shop_id)
    assert daily[day] == ["1.00", "1.0000"] and daily[next_day] == ["", ""]

    response = client.post(f"/shops/{shop_id}/settings", data=settings_form(timezone="Asia/Tokyo"))
    assert response.status_code == 302
    daily = _daily_csv(client, shop_id)
    assert daily[day] == ["", ""] and daily[next_day] == ["1.00", "1.0000"]


def test_a_new_answer_counts_on_a_day_already_shown(app, client, auth, make_user, make_shop):
    owner = make_user()
    shop_id = make_shop(owner, timezone_name="UTC")
    morning = datetime.combine(utcnow().date() - timedelta(days=2), time(8, 0), UTC)
    auth.login()
    answer(app, shop_id, owner, 1, morning, after_hours=3)
    assert _daily_csv(client, shop_id)[morning.date().isoformat()] == ["3.00", "1.0000"]
    answer(app, shop_id, owner, 2, morning, after_hours=1)  # now the quicker answer (nearest rank of 1 and 3 hours)
    assert _daily_csv(client, shop_id)[morning.date().isoformat()] == ["1.00", "1.0000"]
    answer(app, shop_id, owner, 3, morning, after_hours=30)
    assert _daily_csv(client, shop_id)[morning.date().isoformat()] == ["3.00", "0.6667"]


def test_upgrading_an_existing_database_counts_its_answered_clocks(app, make_user, make_shop, make_conversation):
    owner = make_user()
    shop_id = make_shop(owner)
    ids = make_conversation(shop_id, owner)
    with app.app_context():
        inbox.mark_reply_sent(sqla.session.get(OutboxItem, ids["item_id"]), NOW + timedelta(hours=1))
        sqla.session.commit()

    def days():
        return sqla.session.execute(select(ResponseDay.shop_id, ResponseDay.zone, ResponseDay.day,
                                           ResponseDay.on_time, ResponseDay.breaches,
                                           ResponseDay.response_seconds)).all()

    with app.app_context():
        counted_by_the_reply = days()
        sqla.session.remove()
        downgrade(revision="5d3b1c9e7a42")  # before response_days existed
        upgrade()
        assert days() == counted_by_the_reply and counted_by_the_reply[0][3:5] == (1, 0)


def chart_labels(page):
    """The value axis labels of each chart on the page, as shown."""
    return [re.findall(r'text-anchor="end" dominant-baseline="middle">([^<]*)<', svg)
            for svg in re.findall(r"<svg class=\"chart\".*?</svg>", page, re.S)]


def test_an_answer_in_no_time_shows_a_median_of_zero_seconds(app, client, auth, make_user, make_shop):
    owner = make_user()
    shop_id = make_shop(owner, timezone_name="UTC")
    answer(app, shop_id, owner, 1, utcnow() - timedelta(hours=5), after_hours=0)
    auth.login()
    page = client.get(f"/shops/{shop_id}/response?days=7").get_data(as_text=True)
    assert re.findall(r'class="figure">([^<]*)<', page)[1] == "0 sec"
    assert "median; 90% within 0 sec" in page
    assert _daily_csv(client, shop_id)[(utcnow() - timedelta(hours=5)).date().isoformat()] == ["0.00", "1.0000"]


def test_the_charts_have_a_labelled_value_axis(app, client, auth, make_user, make_shop):
    owner = make_user()
    shop_id = make_shop(owner, timezone_name="UTC")
    morning = datetime.combine(utcnow().date() - timedelta(days=2), time(8, 0), UTC)
    answer(app, shop_id, owner, 1, morning, after_hours=5)
    answer(app, shop_id, owner, 2, morning - timedelta(days=1), after_hours=0.5)
    auth.login()
    page = client.get(f"/shops/{shop_id}/response?days=7").get_data(as_text=True)
    times, shares = chart_labels(page)
    # The slowest day's median is 5 hours: ticks every 2 hours up to the first one above it.
    assert times == ["0 sec", "2 hr", "4 hr", "6 hr"]
    assert shares == ["0%", "25%", "50%", "75%", "100%"]
    persian = client.get(f"/shops/{shop_id}/response?days=7", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert chart_labels(persian)[1] == ["۰٪", "۲۵٪", "۵۰٪", "۷۵٪", "۱۰۰٪"]


def test_a_period_without_answers_says_so_instead_of_an_empty_chart(client, auth, make_user, make_shop):
    shop_id = make_shop(make_user())
    auth.login()
    page = client.get(f"/shops/{shop_id}/response?days=7").get_data(as_text=True)
    assert "No conversation was answered in this period, so there is nothing to chart yet." in page
    assert "<svg" not in page
