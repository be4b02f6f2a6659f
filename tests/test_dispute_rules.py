"""The shop's dispute phrase rules: the Dispute rules page, the topic a dispute suggests per platform, the profiles'
[problems] tables, and the migration of the rules shops stored before phrases."""
import re
from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from sellerkit import inbox
from sellerkit.clock import utcnow
from sellerkit.extensions import db as _db
from sellerkit.shops.models import Shop
from sellerkit.threads.domain import Inbound
from sellerkit.threads.models import Thread
from sellerkit.tickets import domain
from sellerkit.tickets import services as tickets
from sellerkit.tickets.labels import PROBLEM_LABELS
from sellerkit.tickets.models import DisputeRule
from sellerkit.tickets.profiles import PROBLEM_TOPICS, ProfileError, load_profiles, parse_profile
from tests.test_ticket_profiles import built_in_text

#: The revision before dispute rules became phrases.
BEFORE_PHRASES = "e5a7c1d3b920"
PERSIAN_NOT_RECEIVED = "سفارشم را دریافت نکرده‌ام و می‌خواهم پولم را پس بگیرم"


@pytest.fixture
def owner(make_user, auth):
    user_id = make_user()
    auth.login()
    return user_id


def write(app, shop_id, body, name="b-1"):
    """A buyer message about an order; returns the thread id."""
    now = utcnow()
    with app.app_context():
        received = inbox.receive_buyer_message(_db.session.get(Shop, shop_id), Inbound(
            external_id=f"{name}-{body[:20]}", body=body, received_at=now, buyer_external_id=name,
            buyer_name="Maryam", order_reference=f"ORD-{name}",
            order={"placed_at": now - timedelta(days=9), "tracking_number": "TRK-77"}), now)
        _db.session.commit()
        return received.thread.id


def escalated_topic(app, shop_id, thread_id):
    with app.app_context():
        ticket = tickets.escalate(_db.session.get(Shop, shop_id), _db.session.get(Thread, thread_id), utcnow())
        _db.session.commit()
        return ticket.topic_key


@pytest.mark.parametrize("platform", ["digikala", "ozon", "etsy", "other"])
def test_the_persian_non_delivery_message_is_a_dispute_that_suggests_the_non_delivery_topic(app, db, owner,
                                                                                             make_shop, platform):
    shop_id = make_shop(owner, platform=platform, default_language="fa")
    thread_id = write(app, shop_id, PERSIAN_NOT_RECEIVED)
    assert db.get(Thread, thread_id).is_dispute
    assert escalated_topic(app, shop_id, thread_id) == "order_not_received"


@pytest.mark.parametrize("platform, topic", [("ebay", "case_opened"), ("ozon", "returns_other"),
                                             ("wildberries", "returns_other"), ("other", "returns_other")])
def test_a_case_threat_suggests_the_platforms_own_topic_for_it(app, owner, make_shop, platform, topic):
    shop_id = make_shop(owner, platform=platform)
    thread_id = write(app, shop_id, "No answer for a week, I'm opening a case.")
    assert escalated_topic(app, shop_id, thread_id) == topic


def test_traps_are_not_disputes(app, db, owner, make_shop):
    shop_id = make_shop(owner)
    for number, body in enumerate(["Just in case, could you wrap it as a gift?", "Do you sell a phone case too?",
                                   "Not a refund, a replacement please", "What's your refund policy?"]):
        assert not db.get(Thread, write(app, shop_id, body, name=f"b-{number}")).is_dispute, body


def test_the_rules_page_lists_phrases_per_language_and_a_phrase_added_with_its_problem_suggests_the_topic(
        app, client, db, owner, make_shop):
    shop_id = make_shop(owner, platform="ozon")
    page = client.get(f"/shops/{shop_id}/dispute-rules?language=fa").get_data(as_text=True)
    assert "دریافت نکرد*" in page
    assert "just in case" not in page and "never arriv*" not in page  # English is on its own tab
    response = client.post(f"/shops/{shop_id}/dispute-rules/keywords",
                           data={"language": "en", "keyword": "wobbl*", "problem": "damaged"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "wobbl*" in page
    thread_id = write(app, shop_id, "The table is WOBBLY and scratched")
    assert db.get(Thread, thread_id).is_dispute
    assert escalated_topic(app, shop_id, thread_id) == "item_damaged"


def test_the_phrases_of_a_language_come_a_page_at_a_time_the_shops_own_first(client, owner, make_shop):
    shop_id = make_shop(owner)
    client.post(f"/shops/{shop_id}/dispute-rules/keywords", data={"language": "en", "keyword": "wobbl*", "problem": ""})
    english = [rule.phrase for rule in domain.default_rules() if rule.language == "en"]
    first = client.get(f"/shops/{shop_id}/dispute-rules?language=en").get_data(as_text=True)
    assert first.count('<bdi lang="en">') == 25
    assert first.index("wobbl*") < first.index(f'<bdi lang="en">{english[0]}</bdi>')
    assert f'<bdi lang="en">{english[24]}</bdi>' not in first
    next_page = re.search(r'href="([^"]*after=[^"]*)"', first).group(1).replace("&amp;", "&")
    second = client.get(next_page).get_data(as_text=True)
    assert f'<bdi lang="en">{english[24]}</bdi>' in second and "wobbl*" not in second
    assert "First page" in second
    # Switching a rule off on the second page comes back to the second page.
    switch = re.search(r'action="([^"]*/off\?after=[^"]*)"', second).group(1).replace("&amp;", "&")
    response = client.post(switch)
    assert "after=" in response.headers["Location"]
    everything = [client.get(f"/shops/{shop_id}/dispute-rules?language=en&after={phrase}").status_code
                  for phrase in ("", "not a phrase of this list")]
    assert everything == [200, 200]


@pytest.mark.parametrize("language, keyword, error", [
    ("en", "*", "This field is required."), ("en", "ref*und", "A * may only end a word or stand between two words."),
    ("en", "* refund", "A * may only end a word or stand between two words."),
    ("ru", "во*", "Give at least three letters before a *."),
    ("zh", "坏", "A Chinese phrase needs at least two characters."), ("en", "refund", "This phrase is already a rule."),
    ("en", "wobbly", "Choose one of the listed problems."),
])
def test_a_phrase_that_cannot_be_a_rule_gets_a_clear_error_and_changes_nothing(client, db, owner, make_shop,
                                                                               language, keyword, *, error):
    shop_id = make_shop(owner)
    problem = "wobbling" if keyword == "wobbly" else ""
    response = client.post(f"/shops/{shop_id}/dispute-rules/keywords",
                           data={"language": language, "keyword": keyword, "problem": problem})
    assert response.status_code == 422
    assert error in response.get_data(as_text=True)
    assert db.count(DisputeRule, DisputeRule.shop_id == shop_id) == 0


def test_switching_a_default_off_stores_only_that_choice(app, client, db, owner, make_shop):
    shop_id = make_shop(owner)
    client.post(f"/shops/{shop_id}/dispute-rules/en/refund/off")
    assert db.scalars(select(DisputeRule.keyword).where(DisputeRule.shop_id == shop_id)) == ["refund"]
    assert not db.get(Thread, write(app, shop_id, "Can I get a refund?")).is_dispute
    assert db.get(Thread, write(app, shop_id, "It never arrived", name="b-2")).is_dispute  # the other defaults


def test_every_built_in_profile_names_a_topic_for_every_problem_the_rules_know():
    assert set(domain.PROBLEMS) == set(PROBLEM_TOPICS) == set(PROBLEM_LABELS)
    for profile in load_profiles().values():
        assert set(profile.problems) == set(domain.PROBLEMS), profile.platform


@pytest.mark.parametrize("table, message", [
    ('[problems]\nlost = "orders_other"\n', 'problems: unknown key "lost"'),
    ('[problems]\ncase = "case_opened"\n', 'problems.case: "case_opened" is not a topic of this profile'),
])
def test_a_problems_table_that_names_no_topic_of_the_profile_is_refused(table, message):
    import tomllib

    document = built_in_text("ozon").replace("[problems]\n", table + "[unused]\n", 1)
    data = tomllib.loads(document)
    data.pop("unused")
    with pytest.raises(ProfileError, match=message.replace("(", r"\(")):
        parse_profile(data)


def _migrate(app, step, revision="head"):
    with app.app_context():
        _db.session.remove()
        step(revision=revision)
        _db.engine.dispose()


def test_stored_rules_of_existing_shops_become_phrase_rules(app, db, make_user, make_shop):
    from sellerkit.tickets import disputes

    owner = make_user()
    shop_id = make_shop(owner)
    _migrate(app, downgrade, BEFORE_PHRASES)
    try:
        with app.app_context():
            # What the old code stored on the shop's first edit: every default, switched as the shop chose, and its
            # own keywords.
            for kind, language, keyword, enabled in [("breach", "", "", False), ("keyword", "en", "refund", True),
                                                     ("keyword", "en", "case", False),
                                                     ("keyword", "en", "wobbly", True),
                                                     ("keyword", "ru", "шата", True), ("keyword", "zh", "晃动", True)]:
                _db.session.execute(text(
                    "INSERT INTO dispute_rules (shop_id, kind, language, keyword, enabled, created_at) "
                    "VALUES (:shop, :kind, :language, :keyword, :enabled, :now)"),
                    {"shop": shop_id, "kind": kind, "language": language, "keyword": keyword, "enabled": enabled,
                     "now": utcnow()})
            _db.session.commit()
    finally:
        _migrate(app, upgrade)
    stored = db.scalars(select(DisputeRule).where(DisputeRule.shop_id == shop_id).order_by(DisputeRule.id))
    assert [(r.kind, r.language, r.keyword, r.enabled) for r in stored] == [
        ("breach", "", "", False), ("keyword", "en", "case", False), ("keyword", "en", "wobbly", True),
        ("keyword", "ru", "шата*", True), ("keyword", "zh", "晃动", True)]
    # The new defaults are in force; the shop's own keywords still find what they found.
    for number, body in enumerate(["Where is my refund?", "It never arrived", "Стол шатается", "桌子晃动"]):
        assert db.get(Thread, write(app, shop_id, body, name=f"b-{number}")).is_dispute, body
    with app.app_context():
        assert not disputes.effective_rules(_db.session.get(Shop, shop_id)).breach
