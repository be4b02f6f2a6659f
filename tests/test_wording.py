"""Words that name different things get their own translations, and placeholders read right in Persian."""
import re

import pytest
from flask_babel import force_locale

from sellerkit.followups.labels import STATUS_LABELS as FOLLOW_UP_STATUSES
from sellerkit.threads.labels import DELIVERY_LABELS, STATUS_LABELS, VIEW_LABELS
from sellerkit.tickets.labels import CLOSED_REASON_LABELS, EVENT_LABELS, LIFECYCLE_LABELS


@pytest.mark.parametrize("label, locale, text", [
    # A tab lists resolved conversations; a conversation is resolved (диалог); a ticket is resolved (обращение).
    (VIEW_LABELS["resolved"], "ru", "Решённые"),
    (STATUS_LABELS["resolved"], "ru", "Решён"),
    (LIFECYCLE_LABELS["resolved"], "ru", "Решено"),
    (LIFECYCLE_LABELS["new"], "ru", "Новое"),
    (LIFECYCLE_LABELS["cancelled"], "ru", "Отменено"),
    (EVENT_LABELS["cancelled"], "ru", "Обращение отменено"),
    (CLOSED_REASON_LABELS["cancelled"], "ru", "Отменено продавцом"),
    # Polish: a conversation (rozmowa) and a message (wiadomość) are feminine, a ticket (zgłoszenie) neuter.
    (STATUS_LABELS["resolved"], "pl", "Rozwiązana"),
    (LIFECYCLE_LABELS["resolved"], "pl", "Rozwiązane"),
    (DELIVERY_LABELS["sent"], "pl", "Wysłana"),
    (FOLLOW_UP_STATUSES["pending"], "pl", "Zaplanowana"),
    (FOLLOW_UP_STATUSES["pending"], "ru", "Запланировано"),
])
def test_each_role_of_a_word_has_its_own_translation(app, label, locale, text):
    with app.test_request_context(), force_locale(locale):
        assert str(label) == text


@pytest.fixture
def seller(make_user, make_shop, make_conversation, auth):
    def make(locale):
        owner = make_user(locale=locale, name="Ana")
        shop_id = make_shop(owner)
        ids = make_conversation(shop_id, owner)
        auth.login()
        return {"shop": shop_id, **ids}
    return make


def test_the_russian_inbox_tab_and_status_badge_say_resolved_differently(client, seller):
    thread = seller("ru")["thread_id"]
    client.post(f"/threads/{thread}/settings", data={"status": "resolved"})
    inbox = client.get("/inbox?view=resolved").get_data(as_text=True)
    assert re.search(r'aria-current="page"[^>]*>\s*Решённые', inbox)
    page = client.get(f"/threads/{thread}").get_data(as_text=True)
    assert '<span class="badge">Решён</span>' in page


def test_polish_names_a_campaign_nazwa_and_a_person_imie(client, seller, make_campaign):
    shop = seller("pl")["shop"]
    make_campaign(shop)
    campaigns = client.get(f"/shops/{shop}/campaigns").get_data(as_text=True)
    members = client.get(f"/shops/{shop}/members").get_data(as_text=True)
    assert "<th>Nazwa</th>" in campaigns
    assert '<th scope="col">Imię</th>' in members


@pytest.mark.parametrize("path", ["/shops/{shop}/vacations", "/shops/{shop}/campaigns/new"])
def test_persian_placeholder_hints_keep_the_fallback_inside_its_braces(client, seller, path):
    shop = seller("fa")["shop"]
    page = client.get(path.format(shop=shop)).get_data(as_text=True)
    # Set apart left to right, the Persian fallback stays between the bar and the closing brace.
    assert '<code dir="ltr">{buyer_name|دوست عزیز}</code>' in page
    assert '<code dir="ltr">{shop_name}</code>' in page
