"""Shop policies: drafts, immutable versions, the policy an order agreed to, translations, exports, consistency."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from sellerkit.policies.domain import DEFAULT_OPTIONS
from sellerkit.policies.models import PolicyVersion
from tests.conftest import NOW

RETURNS = {"returns_accepted": "y", "return_window_days": "30", "exchanges": "y", "return_shipping_paid_by": "buyer",
           "non_returnable": "Custom orders", "free_text": "Write to us first, please."}


@pytest.fixture
def shop(auth, make_user, make_shop):
    owner = make_user(name="Ana")
    shop_id = make_shop(owner, default_language="fa")
    auth.login()
    return {"id": shop_id, "owner": owner}


def test_publish_makes_numbered_versions_and_refuses_an_unchanged_draft(client, db, shop):
    url = f"/shops/{shop['id']}/policies/returns"
    assert client.post(url + "?publish=1", data=RETURNS).status_code == 302
    assert client.post(url + "?publish=1", data={**RETURNS, "return_window_days": "45"}).status_code == 302
    again = client.post(url + "?publish=1", data={**RETURNS, "return_window_days": "45"})
    assert again.status_code == 422 and "nothing to publish" in again.get_data(as_text=True)
    versions = db.scalars(select(PolicyVersion).order_by(PolicyVersion.number))
    assert [(v.number, v.options["return_window_days"]) for v in versions] == [(1, 30), (2, 45)]


@pytest.mark.parametrize("window", ["-3", "0", "366", "abc"])
def test_absurd_return_windows_are_refused(client, db, shop, window):
    response = client.post(f"/shops/{shop['id']}/policies/returns?publish=1",
                           data={**RETURNS, "return_window_days": window})
    assert response.status_code == 422
    assert db.count(PolicyVersion) == 0


def test_a_draft_is_kept_without_changing_the_published_version(client, db, shop):
    url = f"/shops/{shop['id']}/policies/returns"
    client.post(url + "?publish=1", data=RETURNS)
    client.post(url, data={**RETURNS, "return_window_days": "60"})
    assert db.scalar(select(PolicyVersion.options)) ["return_window_days"] == 30
    page = client.get(url).get_data(as_text=True)
    assert 'value="60"' in page and "The draft differs from the published version" in page


def test_the_policy_is_written_in_each_language_without_the_seller_writing_it(client, shop, publish_policy):
    publish_policy(shop["id"], shop["owner"], "returns", return_window_days=30)
    persian = client.get(f"/shops/{shop['id']}/policies/returns?lang=fa").get_data(as_text=True)
    english = client.get(f"/shops/{shop['id']}/policies/returns?lang=en").get_data(as_text=True)
    assert "Returns are accepted within 30 days of delivery." in english
    assert "۳۰" in persian and "Returns are accepted" not in persian.split('class="policy"')[1]


def test_export_as_text_and_markdown(client, shop, publish_policy):
    publish_policy(shop["id"], shop["owner"], "shipping", processing_days=2, carriers="DHL")
    text = client.get(f"/shops/{shop['id']}/policies/shipping/export?lang=en")
    assert text.headers["Content-Disposition"].endswith('shipping-en.txt"')
    assert text.get_data(as_text=True).startswith("Shipping\n\nOrders are prepared and shipped within 2 business days.")
    markdown = client.get(f"/shops/{shop['id']}/policies/shipping/export?lang=en&format=md").get_data(as_text=True)
    assert markdown.startswith("## Shipping") and "Carriers: DHL." in markdown


def test_old_versions_stay_readable_with_a_diff(client, shop, publish_policy):
    publish_policy(shop["id"], shop["owner"], "returns", now=NOW, return_window_days=14)
    publish_policy(shop["id"], shop["owner"], "returns", now=NOW + timedelta(days=1), return_window_days=30)
    page = client.get(f"/shops/{shop['id']}/policies/returns/versions/1?lang=en").get_data(as_text=True)
    assert "within 14 days" in page
    assert 'class="diff-removed" dir="auto">Returns are accepted within 14 days' in page
    assert 'class="diff-added" dir="auto">Returns are accepted within 30 days' in page


def test_an_order_shows_the_policy_in_force_when_it_was_placed(app, client, shop, publish_policy):
    """Also for an order imported later with an earlier date."""
    from sellerkit import inbox
    from sellerkit.extensions import db as sqla
    from sellerkit.shops.models import Shop
    from sellerkit.threads.domain import Inbound

    publish_policy(shop["id"], shop["owner"], "returns", now=NOW - timedelta(days=30), return_window_days=14)
    publish_policy(shop["id"], shop["owner"], "returns", now=NOW - timedelta(days=1), return_window_days=30)
    with app.app_context():
        received = inbox.receive_buyer_message(sqla.session.get(Shop, shop["id"]), Inbound(
            external_id="m1", body="I want to return it", received_at=NOW, buyer_external_id="b1",
            order_reference="O-1", order={"placed_at": NOW - timedelta(days=10)}), NOW)
        sqla.session.commit()
        thread_id = received.thread.id
    page = client.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert f"/shops/{shop['id']}/policies/returns/versions/1" in page
    assert "/versions/2" not in page


def test_saved_replies_quote_the_current_policy_and_are_listed_on_it(client, shop, publish_policy, make_saved_reply,
                                                                   make_conversation):
    ids = make_conversation(shop["id"], shop["owner"])
    make_saved_reply(shop["id"], title="Returns", bodies={"en": "You can return it within {return_window} days."})
    publish_policy(shop["id"], shop["owner"], "returns", return_window_days=21)
    client.post(f"/threads/{ids['thread_id']}/settings", data={"language": "en"})
    assert "within 21 days" in client.get(f"/threads/{ids['thread_id']}/saved-replies").get_data(as_text=True)
    make_saved_reply(shop["id"], title="Persian returns", bodies={"fa": "تا {return_window} روز"})
    client.post(f"/threads/{ids['thread_id']}/settings", data={"language": "fa"})
    assert 'data-text="تا ۲۱ روز"' in client.get(f"/threads/{ids['thread_id']}/saved-replies").get_data(as_text=True)
    assert ">Returns</a>" in client.get(f"/shops/{shop['id']}/policies/returns").get_data(as_text=True)


def test_agents_read_policies_but_cannot_change_them(app, client, db, shop, make_user, add_member):
    add_member(shop["id"], make_user("agent@example.com"))
    agent = app.test_client()
    agent.post("/login", data={"email": "agent@example.com", "password": "correct horse battery"})
    assert agent.get(f"/shops/{shop['id']}/policies/returns").status_code == 200
    assert agent.post(f"/shops/{shop['id']}/policies/returns?publish=1", data=RETURNS).status_code == 403
    assert db.count(PolicyVersion) == 0


def test_defaults_cover_every_section():
    assert set(DEFAULT_OPTIONS) == {"shipping", "payment", "returns", "privacy", "faq"}


def test_a_published_version_cannot_be_edited(client, db, shop, publish_policy):
    publish_policy(shop["id"], shop["owner"], "returns", return_window_days=30)
    response = client.post(f"/shops/{shop['id']}/policies/returns/versions/1", data={"return_window_days": "90"})
    assert response.status_code == 405
    assert db.scalar(select(PolicyVersion.options))["return_window_days"] == 30


@pytest.mark.parametrize("language, sentence", [
    ("en", "Accepted payment methods: card, PayPal, bank transfer, and cash on delivery."),
    # These two read the catalogs' "payment method in a sentence" entries.
    ("ru", "Доступные способы оплаты: банковская карта, PayPal, банковский перевод и оплата при получении."),
    ("pl", "Akceptowane metody płatności: karta płatnicza, PayPal, przelew bankowy i płatność za pobraniem."),
], ids=["en", "ru", "pl"])
def test_payment_methods_are_not_capitalised_mid_sentence(client, shop, publish_policy, language, sentence):
    publish_policy(shop["id"], shop["owner"], "payment",
                   methods=["card", "paypal", "bank_transfer", "cash_on_delivery"])
    text = client.get(f"/shops/{shop['id']}/policies/payment/export?lang={language}").get_data(as_text=True)
    assert text.split("\n\n")[1].strip() == sentence
    # The seller still picks them from a capitalised list.
    assert ">Bank transfer<" in client.get(f"/shops/{shop['id']}/policies/payment").get_data(as_text=True)
