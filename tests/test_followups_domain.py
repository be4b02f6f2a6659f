"""The pure follow-up and consent rules: who gets a follow-up when, stop replies, opt-out tokens."""
from datetime import UTC, datetime, timedelta

import pytest

from sellerkit.consent import domain as consent
from sellerkit.followups import domain

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ELIGIBLE = dict(consent_given=True, consent_withdrawn=False, delivered=True)


def decide(**facts):
    return domain.decide(domain.Facts(**{**ELIGIBLE, **facts}), 30, NOW)


def test_an_eligible_buyer_gets_the_follow_up_now():
    assert decide() == domain.Decision("send")


@pytest.mark.parametrize("facts, reason", [
    ({"consent_given": False}, "no_consent"),
    ({"consent_given": False, "consent_withdrawn": True}, "consent_withdrawn"),
    ({"already_sent_in_campaign": True}, "already_sent"),
    ({"delivered": False}, "not_delivered"),
    ({"newer_order": True}, "newer_order"),
    ({"open_dispute": True}, "open_dispute"),
    ({"open_ticket": True}, "open_ticket"),
    ({"last_message_is_complaint": True}, "complaint"),
    ({"coupon_available": False}, "no_coupon"),
    ({"campaign_active": False}, "campaign_off"),
])
def test_each_rule_skips_with_its_own_reason(facts, reason):
    assert decide(**facts) == domain.Decision("skip", reason)


def test_a_withdrawal_outranks_every_other_reason():
    assert decide(consent_given=False, consent_withdrawn=True, open_dispute=True, delivered=False).reason == \
        "consent_withdrawn"


def test_a_vacation_postpones_to_its_end_and_skips_nothing():
    back = NOW + timedelta(days=3)
    assert decide(vacation_ends_at=back) == domain.Decision("wait", "vacation", back)
    assert decide(vacation_ends_at=NOW - timedelta(minutes=1)).action == "send"


def test_a_recent_follow_up_of_any_campaign_postpones_until_the_interval_passed():
    last = NOW - timedelta(days=10)
    assert decide(last_follow_up_at=last) == domain.Decision("wait", "recently_contacted", last + timedelta(days=30))
    assert decide(last_follow_up_at=NOW - timedelta(days=31)).action == "send"


def test_due_time_counts_from_delivery_or_from_the_order():
    placed, delivered = NOW - timedelta(days=9), NOW - timedelta(days=2)
    assert domain.due_at("after_delivery", 7, placed, delivered, NOW) == delivered + timedelta(days=7)
    assert domain.due_at("after_last_order", 7, placed, delivered, NOW) == placed + timedelta(days=7)
    assert domain.due_at("after_last_order", 7, None, None, NOW) == NOW + timedelta(days=7)
    assert domain.due_at("after_delivery", 7, placed, None, NOW) is None


@pytest.mark.parametrize("bodies, problem", [
    ({"en": "Thanks!"}, None),
    ({"ru": "Спасибо!"}, ("body_en", "default_language_missing", None)),
    ({"en": "Use {coupon} now"}, ("body_en", "unknown_placeholder", "coupon")),
    ({"en": "Use {coupon_code}"}, ("body_en", "coupon_placeholder_without_coupon", None)),
])
def test_campaign_messages_are_checked(bodies, problem):
    assert domain.campaign_problem("Thanks", "after_delivery", 14, 30, "none", bodies, default_language="en") == problem


@pytest.mark.parametrize("days", [0, -1, 366, None])
def test_days_must_be_one_to_365(days):
    problem = domain.campaign_problem("Thanks", "after_delivery", days, 30, "none", {"en": "x"}, default_language="en")
    assert problem[1] == "days_range"


def test_the_opt_out_footer_is_added_only_when_the_seller_left_the_link_out():
    link = "https://shop.example/opt-out/1/abc"
    assert domain.with_opt_out(f"Stop: {link}", link, "\n\nfooter") == f"Stop: {link}"
    assert domain.with_opt_out("Thanks!\n", link, f"\n\nUnsubscribe: {link}") == f"Thanks!\n\nUnsubscribe: {link}"


@pytest.mark.parametrize("body", ["STOP", "Stop.", "unsubscribe", "Отписаться!", "стоп", "Wypisz mnie", "退订",
                                  "取消订阅。", "বন্ধ করুন", "لغو اشتراک", "لغو", "stop\n\n> On Monday the shop wrote:"])
def test_stop_replies_in_the_six_languages_are_recognised(body):
    assert consent.is_stop_reply(body)


@pytest.mark.parametrize("body", ["Please stop sending the wrong size, I want a refund", "Where is my order?",
                                  "Не приходит посылка, стоп что происходит", ""])
def test_ordinary_messages_that_mention_stop_are_not_opt_outs(body):
    assert not consent.is_stop_reply(body)


def test_a_late_import_of_an_old_consent_does_not_undo_a_newer_opt_out():
    withdrawn = consent.after_event(consent.ConsentState(NOW - timedelta(days=5), "message"), "withdrawn",
                                    "opt_out_link", NOW)
    assert not withdrawn.is_given
    assert consent.after_event(withdrawn, "given", "import", NOW - timedelta(days=30)) == withdrawn
    again = consent.after_event(withdrawn, "given", "message", NOW + timedelta(days=1))
    assert again.is_given and again.source == "message"


def test_opt_out_tokens_name_the_shop_and_buyer_and_refuse_tampering():
    token = consent.opt_out_token("secret", 3, 41)
    assert consent.read_opt_out_token("secret", token) == (3, 41)
    assert consent.read_opt_out_token("other secret", token) is None
    assert consent.read_opt_out_token("secret", token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    assert consent.read_opt_out_token("secret", "garbage") is None
