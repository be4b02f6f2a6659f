"""The response dashboard, its CSV and its API agree on the figures a seller is judged by."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from sellerkit.clock import utcnow
from sellerkit.extensions import db as sqla
from sellerkit.sla.models import ResponseClock


@pytest.fixture
def shop(app, auth, make_user, make_shop, make_conversation):
    owner = make_user()
    shop_id = make_shop(owner, platform="etsy")
    ids = make_conversation(shop_id, owner)
    now = utcnow()
    with app.app_context():
        # The conversation's own clock (met by its reply) counts too; four more, reusing its message.
        message_id = sqla.session.scalar(select(ResponseClock.message_id).where(
            ResponseClock.thread_id == ids["thread_id"]))
        rows = []
        for hours_ago, answered, status in ((50, 2, "met"), (40, 3, "met"), (30, 30, "breached"), (20, 1, "met")):
            start = now - timedelta(hours=hours_ago)
            rows.append(ResponseClock(shop_id=shop_id, thread_id=ids["thread_id"], message_id=message_id,
                                      started_at=start, due_at=start + timedelta(hours=24),
                                      warn_at=start + timedelta(hours=20), status=status,
                                      stopped_at=start + timedelta(hours=answered), stopped_by="reply"))
        sqla.session.add_all(rows)
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
