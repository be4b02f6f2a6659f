"""POST /shops/{id}/messages/batch: many buyer messages in one request, a result for each, by the one write path."""
import pytest
from sqlalchemy import select

from sellerkit.sla.models import ResponseClock
from sellerkit.threads.models import Message, Thread
from tests.test_ingestion import message


@pytest.fixture
def send(client, make_user, make_shop):
    """Post a batch to a new shop of a new owner: returns the response."""
    shop_id = make_shop(make_user(), platform="digikala", default_language="fa", timezone_name="Asia/Tehran")
    result = client.application.test_cli_runner().invoke(args=["create-token", "owner@example.com", "--name", "t"])
    headers = {"Authorization": f"Bearer {result.output.strip().splitlines()[-1]}"}

    def post(body, language=None):
        return client.post(f"/api/v1/shops/{shop_id}/messages/batch", json=body,
                           headers={**headers, **({"Accept-Language": language} if language else {})})

    return post


def test_each_message_gets_its_result_and_a_refused_one_keeps_the_others(send, db):
    batch = [message(1), message(2, body="   "), message(3, received_at="2026-11-23T10:03:00"), message(1),
             message(4, surprise=True), "not an object", message(5, thread_external_id="t-2", buyer={"id": "b-2"})]
    response = send({"messages": batch}, language="pl")
    assert response.status_code == 200
    results = response.json["results"]
    assert [r["status"] for r in results] == ["created", "refused", "refused", "duplicate", "refused", "refused",
                                              "created"]
    assert results[1]["error"]["fields"] == {"body": "To pole jest wymagane."}  # in the caller's language
    assert "received_at" in results[2]["error"]["fields"] and "surprise" in results[4]["error"]["fields"]
    assert results[3]["message_id"] == results[0]["message_id"] and results[3]["conflict"] is False
    assert (response.json["created"], response.json["duplicates"], response.json["refused"]) == (2, 1, 4)
    stored = db.scalars(select(Message.external_id).order_by(Message.id))
    assert stored == ["m-1", "m-5"]
    assert db.get(Message, results[6]["message_id"]).thread_id == results[6]["thread_id"]


def test_sending_the_batch_again_stores_nothing_new(send, db):
    batch = [message(n) for n in range(1, 4)]
    assert send({"messages": batch}).json["created"] == 3
    again = send({"messages": [*batch[:2], message(3, body="Changed")]}).json
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 3
    assert [r["conflict"] for r in again["results"]] == [False, False, True]
    assert db.count(Message) == 3
    thread = db.scalar(select(Thread))
    assert thread.status == "open" and thread.waiting_since.minute == 1  # the oldest unanswered message


def test_live_messages_open_the_clock_and_history_does_not(send, db):
    send({"messages": [message(1)]})
    send({"messages": [message(2, thread_external_id="t-2", buyer={"id": "b-2"})], "history": True})
    clocked = db.scalars(select(Thread.external_id).join(ResponseClock, ResponseClock.thread_id == Thread.id))
    assert clocked == ["t-1"]


@pytest.mark.parametrize("body, field", [
    ({"messages": []}, "messages"),
    ({"messages": {"body": "x"}}, "messages"),
    ({"messages": [message(1)], "history": "yes"}, "history"),
    ({"messages": [message(n) for n in range(501)]}, "messages"),
    ({"messages": [message(1)], "extra": 1}, "extra"),
])
def test_a_malformed_batch_is_refused_whole_and_changes_nothing(send, db, body, field):
    response = send(body)
    assert response.status_code == 400 and field in response.json["error"]["fields"]
    assert db.count(Message) == 0
