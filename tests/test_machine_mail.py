"""Machine mail (out-of-office, bounces, lists, no-reply senders) waits for nobody, by every path a message enters."""
import json

import pytest
from sqlalchemy import select

from sellerkit.sla.models import ResponseClock
from sellerkit.threads.domain import machine_mail_reason
from sellerkit.threads.models import Message, Thread
from tests.test_api import make_token
from tests.test_import import run_import, write_csv

#: Headers as mail clients and services really send them, with what they are.
LABELLED = [
    ({"Auto-Submitted": "auto-replied (vacation)", "From": "Olga Petrova <olga.petrova@mail.ru>"}, "auto_submitted"),
    ({"Auto-Submitted": "auto-generated", "From": "MAILER-DAEMON@mx.example.net"}, "auto_submitted"),
    ({"Precedence": "bulk", "From": "Etsy <transaction@etsy.com>"}, "bulk"),
    ({"Precedence": "auto_reply", "From": "kasia.nowak@wp.pl"}, "bulk"),
    ({"Precedence": "junk", "From": "deals@shop.example"}, "bulk"),
    ({"List-Id": "<sellers.lists.example.org>", "From": "ana@example.org"}, "mailing_list"),
    ({"X-Autoreply": "yes", "From": "wang.fang@qq.com"}, "autoreply"),
    ({"From": "Ozon <noreply@ozon.ru>"}, "no_reply_sender"),
    ({"From": "do-not-reply@amazon.com"}, "no_reply_sender"),
    ({"Auto-Submitted": "no", "From": "Maryam <maryam.h@gmail.com>"}, None),
    ({"From": "Olga Petrova <olga.petrova@mail.ru>", "X-Auto-Response-Suppress": "All"}, None),
    ({"Precedence": "first-class", "From": "rahim@example.com.bd"}, None),
]


@pytest.mark.parametrize("headers, reason", LABELLED)
def test_machine_mail_is_told_from_a_persons_mail(headers, reason):
    assert machine_mail_reason(headers) == reason


def test_a_no_reply_sender_without_headers_is_machine_mail():
    assert machine_mail_reason({}, "no-reply@wildberries.ru") == "no_reply_sender"
    assert machine_mail_reason({}, "nora@example.com") is None


@pytest.fixture
def api(client, auth, make_user, make_shop):
    shop_id = make_shop(make_user(), platform="ozon")
    return shop_id, make_token(client, auth)


def post(client, api, external_id, body, **extra):
    shop_id, headers = api
    return client.post(f"/api/v1/shops/{shop_id}/messages", headers=headers, json={
        "external_id": external_id, "body": body, "received_at": "2026-11-22T09:00:00Z",
        "buyer": {"id": f"b-{external_id}", "name": "Olga"}, **extra})


def test_machine_mail_from_the_api_is_automatic_opens_no_clock_and_has_its_own_view(client, db, api):
    answer = post(client, api, "ooo-1", "Я в отпуске до 1 декабря. Отвечу, когда вернусь.",
                  headers={"Auto-Submitted": "auto-replied", "From": "olga@mail.ru"})
    person = post(client, api, "q-1", "Здравствуйте! Когда отправите заказ?")
    assert answer.json["is_automatic"] is True
    assert person.json["is_automatic"] is False
    machine_thread, person_thread = answer.json["thread_id"], person.json["thread_id"]
    assert [c.thread_id for c in db.scalars(select(ResponseClock))] == [person_thread]
    shop_id, headers = api
    thread = client.get(f"/api/v1/threads/{machine_thread}", headers=headers).json
    assert thread["messages"][0]["is_automatic"] is True and thread["is_automatic"] is True

    def listed(view):
        found = client.get(f"/api/v1/shops/{shop_id}/threads", query_string={"view": view}, headers=headers).json
        return [row["id"] for row in found["threads"]]

    assert listed("needs_reply") == [person_thread]
    assert listed("automatic") == [machine_thread]
    inbox = client.get("/inbox").get_data(as_text=True)
    assert f'href="/threads/{machine_thread}"' not in inbox
    assert f'href="/threads/{machine_thread}"' in client.get("/inbox?view=automatic").get_data(as_text=True)
    page = client.get(f"/threads/{machine_thread}").get_data(as_text=True)
    assert "Sent by a machine: nobody waits for an answer" in page


def test_a_person_writing_after_machine_mail_makes_the_conversation_a_buyers(client, db, api):
    first = post(client, api, "ooo-2", "Automatic reply: I am away.", thread_external_id="t-9",
                 headers={"X-Autoreply": "yes"})
    post(client, api, "q-2", "Back now. Did my parcel ship?", thread_external_id="t-9")
    thread = db.get(Thread, first.json["thread_id"])
    assert not thread.is_automatic and thread.waiting_since is not None


def test_every_import_path_marks_machine_mail_the_same_way(app, db, tmp_path, make_user, make_shop):
    shop_id = make_shop(make_user())
    lines = [
        {"external_id": "j1", "thread_external_id": "tj1", "buyer": {"id": "b1", "name": "Kasia"},
         "body": "Dziękujemy za wiadomość. Jestem na urlopie do poniedziałku.", "received_at": "2026-11-20T10:00:00Z",
         "headers": {"Precedence": "auto_reply"}},
        {"external_id": "j2", "thread_external_id": "tj2", "buyer": {"id": "b2", "name": "Kasia"},
         "body": "Gdzie jest moja paczka?", "received_at": "2026-11-20T10:05:00Z"},
    ]
    jsonl = tmp_path / "messages.jsonl"
    jsonl.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    run_import(app, jsonl, shop_id)
    run_import(app, write_csv(tmp_path / "bounce.csv", [{
        "external_id": "c1", "thread_external_id": "tc1", "buyer_id": "", "buyer_name": "",
        "buyer_email": "mailer-daemon@mx.example.net", "subject": "Undelivered Mail Returned to Sender",
        "body": "This is the mail system at host mx.example.net. I'm sorry to have to inform you...",
        "received_at": "2026-11-20T11:00:00Z"}]), shop_id)
    automatic = {m.external_id: m.is_automatic for m in db.scalars(select(Message))}
    assert automatic == {"j1": True, "j2": False, "c1": True}
    waiting = {t.external_id: (t.is_automatic, t.waiting_since is not None) for t in db.scalars(select(Thread))}
    assert waiting == {"tj1": (True, False), "tj2": (False, True), "tc1": (True, False)}
