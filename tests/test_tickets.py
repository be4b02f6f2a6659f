"""Disputes escalated into platform support tickets and tracked to the end, through the pages, the API and jobs."""
import email
import io
import re
from datetime import timedelta
from email.policy import default

import pytest
from sqlalchemy import select

from sellerkit import inbox, jobs
from sellerkit.clock import utcnow
from sellerkit.extensions import db as _db
from sellerkit.outbox.delivery import deliver_due
from sellerkit.shops.models import Shop
from sellerkit.threads.domain import Inbound
from sellerkit.threads.models import Thread
from sellerkit.tickets import disputes
from sellerkit.tickets import services as tickets
from sellerkit.tickets.models import Ticket, TicketEvent, TicketFile
from tests.samples import png


@pytest.fixture
def owner(make_user, auth):
    user_id = make_user()
    auth.login()
    return user_id


def write(app, shop_id, body, name="b-1", language=None, files=0, *, order="ORD-1", at=None):
    """A buyer message (about an order, with `files` photos): returns the thread id."""
    at = at or utcnow()
    with app.app_context():
        received = inbox.receive_buyer_message(_db.session.get(Shop, shop_id), Inbound(
            external_id=f"{name}-{body[:20]}-{at.timestamp()}", body=body, received_at=at, buyer_external_id=name,
            buyer_name="Maryam", buyer_language=language, order_reference=order,
            order={"placed_at": at - timedelta(days=9), "tracking_number": "TRK-77"}),
            at, files=[(f"photo{n}.png", io.BytesIO(png(2 + n, 2))) for n in range(files)])
        _db.session.commit()
        return received.thread.id


def ticket_id_from(response):
    return int(re.search(r"/tickets/(\d+)$", response.headers["Location"]).group(1))


@pytest.mark.parametrize("body, language", [("I have not received it, it never arrived", "en"),
                                            ("سفارش را دریافت نکردم", "fa"), ("我还没收到包裹", "zh"),
                                            ("Посылка пришла, но стекло разбито", "ru")])
def test_keywords_in_the_buyers_language_make_a_dispute(app, db, owner, make_shop, body, language):
    thread_id = write(app, make_shop(owner), body, language=language)
    assert db.get(Thread, thread_id).is_dispute


def test_ordinary_messages_and_switched_off_keywords_do_not(app, client, db, owner, make_shop):
    shop_id = make_shop(owner)
    assert not db.get(Thread, write(app, shop_id, "Thanks, lovely mug!")).is_dispute
    client.post(f"/shops/{shop_id}/dispute-rules/en/refund/off")
    assert not db.get(Thread, write(app, shop_id, "Can I get a refund?", name="b-2", order="ORD-2")).is_dispute
    assert "refund" in client.get(f"/shops/{shop_id}/dispute-rules").get_data(as_text=True)


def test_a_keyword_added_in_another_process_counts_from_the_next_message(app, make_app, db, owner, make_shop):
    # Each process keeps the rules it read; the shop's stamp tells it when another process changed them.
    shop_id = make_shop(owner)
    assert not db.get(Thread, write(app, shop_id, "The table is wobbly")).is_dispute
    other = make_app()
    with other.app_context():
        disputes.add_keyword(_db.session.get(Shop, shop_id), "en", "wobbly", utcnow())
        _db.session.commit()
    assert db.get(Thread, write(app, shop_id, "Still wobbly, sadly", name="b-2", order="ORD-2")).is_dispute


def test_escalating_builds_the_pack_and_a_second_one_for_the_same_problem_shows_the_first(
        app, client, db, owner, make_shop, publish_policy):
    shop_id = make_shop(owner)
    publish_policy(shop_id, owner, "returns", now=utcnow() - timedelta(days=30))
    thread_id = write(app, shop_id, "The parcel never arrived, I want a refund", files=2)
    response = client.post(f"/threads/{thread_id}/escalate", data={"topic": ""})
    ticket_id = ticket_id_from(response)
    ticket = db.get(Ticket, ticket_id)
    assert (ticket.lifecycle, ticket.topic_key, ticket.platform) == ("draft", "order_not_received", "etsy")
    assert ticket.title.startswith("Order ORD-1")
    for fact in ("ORD-1", "TRK-77", "b-1", "The parcel never arrived", "version 1"):
        assert fact in ticket.description
    assert ticket.policy_versions == {"returns": 1}
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert f"SK-{ticket_id:06d}" in page and "photo0.png" in page and "photo1.png" in page
    again = client.post(f"/threads/{thread_id}/escalate", data={"topic": ""}, follow_redirects=True)
    assert "This problem already has an open ticket" in again.get_data(as_text=True)
    assert db.count(Ticket) == 1
    other = client.post(f"/threads/{thread_id}/escalate", data={"topic": "item_damaged"})
    assert ticket_id_from(other) != ticket_id and db.count(Ticket) == 2


def test_a_draft_cannot_be_filed_without_a_title_or_over_the_file_limits(app, client, db, owner, make_shop):
    shop_id = make_shop(owner, platform="digikala", default_language="fa", timezone_name="Asia/Tehran")
    thread_id = write(app, shop_id, "کالا شکسته رسید", files=6, language="fa")
    ticket_id = ticket_id_from(client.post(f"/threads/{thread_id}/escalate", data={"topic": ""}))
    ticket = db.get(Ticket, ticket_id)
    all_files = db.scalars(select(TicketFile.attachment_id).where(TicketFile.ticket_id == ticket_id))
    draft = {"topic": ticket.topic_key, "title": "", "description": ticket.description, "files": all_files}
    assert client.post(f"/tickets/{ticket_id}/draft", data=draft).status_code == 302
    refused = client.post(f"/tickets/{ticket_id}/file", data={})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "This field is required." in text and "at most 5 files" in text
    assert db.get(Ticket, ticket_id).lifecycle == "draft"
    client.post(f"/tickets/{ticket_id}/draft", data={**draft, "title": "کالا شکسته", "files": all_files[:5]})
    assert client.post(f"/tickets/{ticket_id}/file", data={"platform_ref": "DK-991"}).status_code == 302
    filed = db.get(Ticket, ticket_id)
    assert (filed.lifecycle, filed.platform_ref, filed.channel) == ("new", "DK-991", "manual")
    assert db.count(TicketFile, TicketFile.ticket_id == ticket_id, TicketFile.included.is_(True)) == 5


def test_the_russian_portal_allows_one_ticket_per_topic_every_15_minutes(app, db, owner, make_shop):
    shop_id = make_shop(owner, platform="ozon", default_language="ru")
    first, second = (write(app, shop_id, "Посылка не пришла", name=n, order=f"O-{n}") for n in ("a", "b"))
    now = utcnow()
    with app.app_context():
        shop = _db.session.get(Shop, shop_id)
        one = tickets.escalate(shop, _db.session.get(Thread, first), now)
        tickets.file(one, None, now)
        two = tickets.escalate(shop, _db.session.get(Thread, second), now)
        with pytest.raises(tickets.ServiceError) as refused:
            tickets.file(two, None, now + timedelta(minutes=5))
        assert "try again in 11 minutes" in str(refused.value.message)
        assert two.lifecycle == "draft"
        tickets.file(two, None, now + timedelta(minutes=16))
        assert two.lifecycle == "new"


def test_a_ticket_is_tracked_to_the_end(app, client, db, owner, make_shop):
    thread_id = write(app, make_shop(owner, platform="ozon", default_language="ru"), "Товар не пришел")
    ticket_id = ticket_id_from(client.post(f"/threads/{thread_id}/escalate", data={"topic": ""}))
    client.post(f"/tickets/{ticket_id}/file", data={})
    refused = client.post(f"/tickets/{ticket_id}/rate", data={"rating": "5"})
    assert refused.status_code == 422 and "once support has answered" in refused.get_data(as_text=True)
    client.post(f"/tickets/{ticket_id}/support-reply", data={"body": "Пришлите фото упаковки",
                                                             "status": "awaiting_details"})
    assert db.get(Ticket, ticket_id).lifecycle == "awaiting_details"
    client.post(f"/tickets/{ticket_id}/details", data={"body": "Фото во вложении"})
    assert db.get(Ticket, ticket_id).lifecycle == "in_review"
    client.post(f"/tickets/{ticket_id}/support-reply", data={"body": "Компенсация начислена", "status": "answered"})
    out_of_range = client.post(f"/tickets/{ticket_id}/rate", data={"rating": "7"})
    assert out_of_range.status_code == 422 and "from 1 to 5" in out_of_range.get_data(as_text=True)
    assert client.post(f"/tickets/{ticket_id}/rate", data={"rating": "5", "comment": "Быстро"}).status_code == 302
    done = db.get(Ticket, ticket_id)
    assert (done.lifecycle, done.rating, done.closed_reason) == ("closed", 5, "rated")
    closed = client.post(f"/tickets/{ticket_id}/details", data={"body": "Ещё"})
    assert closed.status_code == 422 and "This ticket is closed" in closed.get_data(as_text=True)
    kinds = [e.kind for e in db.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
                                        .order_by(TicketEvent.id))]
    assert kinds == ["created", "filed", "support_reply", "details_added", "support_reply", "rated"]


def test_open_tickets_can_be_cancelled_and_then_the_problem_can_get_a_new_one(app, client, db, owner, make_shop):
    thread_id = write(app, make_shop(owner), "It arrived broken")
    ticket_id = ticket_id_from(client.post(f"/threads/{thread_id}/escalate", data={"topic": ""}))
    client.post(f"/tickets/{ticket_id}/cancel")
    assert db.get(Ticket, ticket_id).lifecycle == "cancelled"
    assert ticket_id_from(client.post(f"/threads/{thread_id}/escalate", data={"topic": ""})) != ticket_id


def test_digikala_closes_a_resolved_ticket_after_five_days(app, db, owner, make_shop):
    shop_id = make_shop(owner, platform="digikala", default_language="fa")
    thread_id = write(app, shop_id, "کالا شکسته است")
    now = utcnow()
    with app.app_context():
        ticket = tickets.escalate(_db.session.get(Shop, shop_id), _db.session.get(Thread, thread_id), now)
        tickets.file(ticket, None, now)
        tickets.record_support_reply(ticket, "حل شد", "resolved", now)
        assert tickets.close_by_platform_rules(now + timedelta(days=4)) == 0
        assert tickets.close_by_platform_rules(now + timedelta(days=5, minutes=1)) == 1
        assert (ticket.lifecycle, ticket.closed_reason) == ("closed", "auto_closed")
        _db.session.commit()


def test_filing_by_email_and_support_replies_threaded_back(app, make_app, client, db, owner, make_shop, *, smtp_server):
    shop_id = make_shop(owner)
    client.post(f"/shops/{shop_id}/dispute-rules/settings", data={"breach_rule": "y",
                                                                  "support_email": "support@marketplace.example"})
    thread_id = write(app, shop_id, "Never arrived", files=1)
    ticket_id = ticket_id_from(client.post(f"/threads/{thread_id}/escalate", data={"topic": ""}))
    client.post(f"/tickets/{ticket_id}/file", data={})
    assert db.get(Ticket, ticket_id).channel == "email"
    mail_app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.config["port"])
    with mail_app.app_context():
        assert deliver_due(utcnow(), mail_app.config) == (1, 0)
    [envelope] = smtp_server.envelopes
    sent = email.message_from_bytes(envelope.content)
    assert envelope.rcpt_tos == ["support@marketplace.example"]
    assert sent["Subject"].startswith(f"[SK-{ticket_id:06d}]")
    assert any(part.get_filename() == "photo0.png" for part in sent.walk())
    page = client.post("/settings/tokens", data={"name": "mail bridge"}).get_data(as_text=True)
    headers = {"Authorization": "Bearer " + re.search(r"(sk_[\w-]+)</code>", page).group(1)}
    answer = {"subject": "Re: your request", "body": "We need the tracking photo.", "status": "awaiting_details",
              "in_reply_to": sent["Message-ID"], "message_id": "<answer-1@marketplace.example>"}
    assert client.post(f"/api/v1/shops/{shop_id}/support-mail", json=answer, headers=headers).status_code == 201
    assert client.post(f"/api/v1/shops/{shop_id}/support-mail", json=answer, headers=headers).status_code == 200
    assert db.get(Ticket, ticket_id).lifecycle == "awaiting_details"
    assert db.count(TicketEvent, TicketEvent.kind == "support_reply") == 1


def test_the_list_filters_searches_and_counts_by_status(app, client, owner, make_shop):
    shop_id = make_shop(owner)
    broken = write(app, shop_id, "The vase arrived broken", name="b-1", order="O-1")
    missing = write(app, shop_id, "It never arrived", name="b-2", order="O-2")
    client.post(f"/threads/{broken}/escalate", data={"topic": ""})
    filed = ticket_id_from(client.post(f"/threads/{missing}/escalate", data={"topic": ""}))
    client.post(f"/tickets/{filed}/file", data={})
    page = client.get("/tickets").get_data(as_text=True)
    assert re.search(r"Draft <span class=\"badge\">1<", page) and re.search(r"New <span class=\"badge\">1<", page)
    only_new = client.get("/tickets?status=new").get_data(as_text=True)
    assert "O-2" in only_new and "O-1" not in only_new
    found = client.get("/tickets?q=vase").get_data(as_text=True)
    assert "O-1" in found and "O-2" not in found
    by_topic = client.get("/tickets?topic=item_damaged").get_data(as_text=True)
    assert "O-1" in by_topic and "O-2" not in by_topic


def test_a_waiting_dispute_is_escalated_by_the_shops_rule(app, client, db, owner, make_shop):
    shop_id = make_shop(owner)
    client.post(f"/shops/{shop_id}/dispute-rules/settings", data={"escalate_after_days": "2"})
    thread_id = write(app, shop_id, "Where is my refund?", at=utcnow() - timedelta(days=1))
    with app.app_context():
        assert disputes.escalate_waiting(utcnow()) == []  # a dispute for a day only
        drafts = disputes.escalate_waiting(utcnow() + timedelta(days=1, minutes=1))
        assert [(t.thread_id, t.is_automatic, t.lifecycle) for t in drafts] == [(thread_id, True, "draft")]
        _db.session.commit()
    with app.app_context():
        jobs.follow_tickets()  # nothing more: the dispute has its ticket
    assert db.count(Ticket) == 1
    assert "Automatic draft: file it" in client.get("/tickets").get_data(as_text=True)


def test_a_draft_made_by_the_rule_is_mailed_to_the_owner_through_the_outbox(make_app, client, db, owner, make_shop,
                                                                             smtp_server, *, monkeypatch):
    shop_id = make_shop(owner)
    client.post(f"/shops/{shop_id}/dispute-rules/settings", data={"escalate_after_days": "2"})
    mail_app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.config["port"],
                        PUBLIC_URL="https://shop.example.com")
    write(mail_app, shop_id, "Where is my refund?", at=utcnow() - timedelta(days=1))
    later = utcnow() + timedelta(days=1, minutes=1)
    monkeypatch.setattr(jobs, "utcnow", lambda: later)
    with mail_app.app_context():
        jobs.follow_tickets()
    assert smtp_server.envelopes == []  # queued with the draft, sent by the delivery sweep
    (ticket,) = db.scalars(select(Ticket))
    with mail_app.app_context():
        assert deliver_due(later, mail_app.config) == (1, 0)
    (envelope,) = smtp_server.envelopes
    sent = email.message_from_bytes(envelope.content, policy=default)
    assert envelope.rcpt_tos == ["owner@example.com"]
    assert sent["Subject"] == f"A ticket draft is ready to file: SK-{ticket.id:06d}"
    assert f"https://shop.example.com/tickets/{ticket.id}" in sent.get_content()


def test_the_api_escalates_and_refuses_a_duplicate_with_the_existing_ticket(app, client, db, owner, make_shop):
    shop_id = make_shop(owner)
    thread_id = write(app, shop_id, "Parcel not received")
    page = client.post("/settings/tokens", data={"name": "api"}).get_data(as_text=True)
    headers = {"Authorization": "Bearer " + re.search(r"(sk_[\w-]+)</code>", page).group(1)}
    created = client.post(f"/api/v1/threads/{thread_id}/escalate", json={}, headers=headers)
    assert created.status_code == 201 and created.get_json()["status"] == "draft"
    duplicate = client.post(f"/api/v1/threads/{thread_id}/escalate", json={}, headers=headers)
    assert duplicate.status_code == 409 and duplicate.get_json()["ticket"]["id"] == created.get_json()["id"]
    ticket_id = created.get_json()["id"]
    assert client.post(f"/api/v1/tickets/{ticket_id}/rating", json={"rating": 9}, headers=headers).status_code == 400
    listed = client.get(f"/api/v1/shops/{shop_id}/tickets", headers=headers).get_json()
    assert listed["counts"] == {"draft": 1} and listed["tickets"][0]["number"] == f"SK-{ticket_id:06d}"


def test_topics_are_searched_in_the_sellers_language(app, client, owner, make_shop):
    shop_id = make_shop(owner, platform="ozon", default_language="ru")
    ticket_id = ticket_id_from(client.post(f"/threads/{write(app, shop_id, 'Товар не пришел')}/escalate",
                                           data={"topic": ""}))
    client.post("/language", data={"locale": "ru"})
    page = client.get(f"/tickets/{ticket_id}?find=возврат").get_data(as_text=True)
    options = re.findall(r'<option[^>]*value="([a-z_]+)"', page)
    assert "refund_request" in options and "order_not_received" in options  # the draft's own topic stays
    assert "chargeback" not in options
    missing = client.get(f"/tickets/{ticket_id}?find=zzzz").get_data(as_text=True)
    assert "chargeback" in re.findall(r'<option[^>]*value="([a-z_]+)"', missing)
