"""The pages' markup as assistive technology reads it: valid ARIA states, unique ids, radios named in words."""
import re
from collections import Counter
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from sellerkit.accounts.models import User
from sellerkit.extensions import db as database
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Thread
from sellerkit.tickets import services as tickets
from sellerkit.tickets.models import TicketEvent
from tests.conftest import NOW, PASSWORD
from tests.test_shops import settings_form


class Markup(HTMLParser):
    """Every element's attributes, and for each label the text a screen reader speaks (aria-hidden parts left out)
    with the inputs inside it."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, html):
        super().__init__()
        self.elements, self.labels = [], []
        self._open, self._label, self._hidden_depth = [], None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag == "label":
            self._label = {"text": "", "inputs": []}
            self.labels.append(self._label)
        elif tag == "input" and self._label is not None:
            self._label["inputs"].append(attributes)
        if tag in self.VOID:
            return
        self._open.append(tag)
        if attributes.get("aria-hidden") == "true" and self._hidden_depth is None:
            self._hidden_depth = len(self._open)

    def handle_endtag(self, tag):
        if tag in self.VOID or tag not in self._open:
            return
        while self._open:
            closed = self._open.pop()
            if self._hidden_depth is not None and len(self._open) < self._hidden_depth:
                self._hidden_depth = None
            if closed == "label":
                self._label = None
            if closed == tag:
                break

    def handle_data(self, data):
        if self._label is not None and self._hidden_depth is None:
            self._label["text"] += data

    def ids(self):
        return Counter(attributes["id"] for _tag, attributes in self.elements if "id" in attributes)

    def with_attribute(self, name):
        return [(tag, attributes) for tag, attributes in self.elements if name in attributes]


def csrf_token(page):
    return re.search(r'name="csrf_token" [^>]*value="([^"]+)"', page).group(1)


@pytest.fixture
def seller(make_app, make_user, make_shop):
    """A shop's owner logged in to an app with CSRF on (as served), so every form writes its token."""
    app = make_app(WTF_CSRF_ENABLED=True)
    user_id = make_user(locale="en")
    shop_id = make_shop(user_id)
    client = app.test_client()
    assert client.post("/login", data={"email": "owner@example.com", "password": PASSWORD,
                                       "csrf_token": csrf_token(client.get("/login").get_data(as_text=True))}
                       ).status_code == 302
    return SimpleNamespace(app=app, client=client, shop_id=shop_id, user_id=user_id)


@pytest.fixture
def answered_ticket(seller, make_conversation):
    """A filed ticket that support has answered: its page shows the answer, details and rating forms at once."""
    thread_id = make_conversation(seller.shop_id, seller.user_id)["thread_id"]
    with seller.app.app_context():
        shop, owner = database.session.get(Shop, seller.shop_id), database.session.get(User, seller.user_id)
        thread = database.session.get(Thread, thread_id)
        ticket = tickets.escalate(shop, thread, NOW, owner, topic_key="order_not_received")
        tickets.file(ticket, owner, NOW)
        tickets.record_support_reply(ticket, "Please send a photo of the parcel.", "answered", NOW)
        database.session.commit()
        return ticket.id


def test_business_hours_inputs_carry_no_invalid_aria_state(seller):
    url = f"/shops/{seller.shop_id}/settings"
    page = seller.client.get(url).get_data(as_text=True)
    assert 'aria-invalid="None"' not in page
    assert Markup(page).with_attribute("aria-invalid") == []

    refused = seller.client.post(url, data=settings_form(**{"hours-0-is_open": "y", "csrf_token": csrf_token(page)}))
    assert refused.status_code == 422
    states = {attributes["id"]: attributes["aria-invalid"]
              for _tag, attributes in Markup(refused.get_data(as_text=True)).with_attribute("aria-invalid")}
    assert states == {"hours-0-closes_at": "true"}  # the day's error is shown under its closing time


def test_ticket_page_ids_are_unique(seller, answered_ticket):
    page = seller.client.get(f"/tickets/{answered_ticket}").get_data(as_text=True)
    markup = Markup(page)
    assert page.count('name="csrf_token"') >= 4  # the number, answer, details and rating forms each have one
    repeated = {name: count for name, count in markup.ids().items() if count > 1}
    assert repeated == {}
    # Each label still points at its own field.
    fields = {attributes.get("id") for tag, attributes in markup.elements if tag in ("input", "textarea", "select")}
    assert {attributes["for"] for _tag, attributes in markup.with_attribute("for")} <= fields


def test_the_answer_and_details_keep_their_field_names(seller, answered_ticket, db):
    url = f"/tickets/{answered_ticket}"
    token = csrf_token(seller.client.get(url).get_data(as_text=True))
    details = seller.client.post(f"{url}/details", data={"body": "Photo attached.", "csrf_token": token})
    assert details.status_code == 302
    assert seller.client.post(f"{url}/support-reply", data={"body": "Refund approved.", "status": "answered",
                                                           "csrf_token": token}).status_code == 302
    bodies = db.scalars(select(TicketEvent.body).where(TicketEvent.ticket_id == answered_ticket)
                        .order_by(TicketEvent.id))
    assert bodies[-2:] == ["Photo attached.", "Refund approved."]


def rating_names(page):
    return {label["inputs"][0]["value"]: " ".join(label["text"].split())
            for label in Markup(page).labels if label["inputs"] and label["inputs"][0].get("type") == "radio"}


def test_rating_radios_are_named_in_words_not_only_stars(seller, answered_ticket):
    page = seller.client.get(f"/tickets/{answered_ticket}").get_data(as_text=True)
    assert rating_names(page) == {str(n): f"{n} of 5 stars" for n in range(5, 0, -1)}
    assert "★★★★" in page  # the stars still show

    rated = seller.client.post(f"/tickets/{answered_ticket}/rate", data={"rating": "4", "csrf_token": csrf_token(page)})
    assert rated.status_code == 302
    shown = seller.client.get(f"/tickets/{answered_ticket}").get_data(as_text=True)
    assert '<span aria-hidden="true">★★★★</span><span class="visually-hidden">4 of 5 stars</span>' in shown


def test_rating_radios_in_persian_are_named_with_persian_digits(seller, answered_ticket):
    token = csrf_token(seller.client.get("/inbox").get_data(as_text=True))
    assert seller.client.post("/language", data={"locale": "fa", "csrf_token": token}).status_code == 302
    page = seller.client.get(f"/tickets/{answered_ticket}").get_data(as_text=True)
    assert 'lang="fa"' in page
    names = rating_names(page)
    # The words come from the Persian catalog once it has them; the digits are Persian either way.
    assert set(names) == {"1", "2", "3", "4", "5"}
    assert "۴" in names["4"]
    assert "۵" in names["4"]
    assert "★" not in names["4"]
