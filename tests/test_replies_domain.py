"""Saved-reply placeholders: the rules and, with hypothesis, that no body or value can escape plain substitution."""
import string

from hypothesis import given
from hypothesis import strategies as st

from sellerkit.replies.domain import (
    PLACEHOLDERS,
    choose_variant,
    render,
    reply_problem,
    unknown_placeholders,
)


def test_placeholders_fill_with_values_and_fallbacks():
    body = "Hello {buyer_name|there}, your order {order_reference} ships with {tracking_number|a tracked service}."
    result = render(body, {"buyer_name": None, "order_reference": "ET-1002", "tracking_number": ""})
    assert result.text == "Hello there, your order ET-1002 ships with a tracked service."
    assert result.missing == ()


def test_a_placeholder_without_value_or_fallback_renders_as_nothing_and_is_reported():
    result = render("Returns within {return_window} days. Thanks, {seller_name}", {"seller_name": "Ana"})
    assert result.text == "Returns within  days. Thanks, Ana"
    assert result.missing == ("return_window",)


def test_a_value_ending_in_a_full_stop_does_not_double_the_sentences_stop():
    # Russian long dates end in the abbreviation «г.» (год); the sentence's own full stop follows the placeholder.
    body = "Вернусь {vacation_return_date}. До встречи, {seller_name|команда}."
    result = render(body, {"vacation_return_date": "29 ноября 2026\u202fг.", "seller_name": "Анна Inc."})
    assert result.text == "Вернусь 29 ноября 2026\u202fг. До встречи, Анна Inc."
    assert render("{shop_name}, {today}.", {"shop_name": "A.B.", "today": "1 мая"}).text == "A.B., 1 мая."


def test_template_syntax_is_plain_text():
    body = "{{ config }} {% for x in y %}{{ x }}{% endfor %} { buyer_name } {BUYER_NAME} {}"
    assert render(body, {"buyer_name": "Ana"}).text == body
    assert unknown_placeholders(body) == []


def test_unknown_placeholders_are_named():
    assert unknown_placeholders("Hi {buyer_name}, {secret_key} and {password|x}") == ["secret_key", "password"]
    assert reply_problem("T", None, {"en": "{coupon}"}) == ("body_en", "unknown_placeholder", "coupon")


def test_variant_choice_prefers_the_buyer_then_the_shop_then_any():
    variants = {"pl": "Dzień dobry", "en": "Hello"}
    assert choose_variant(variants, "pl", "en") == ("pl", "Dzień dobry")
    assert choose_variant(variants, "fa", "en") == ("en", "Hello")
    assert choose_variant(variants, "fa", "ru") == ("en", "Hello")
    assert choose_variant({}, "fa", "ru") == (None, None)


def test_bad_replies_are_refused():
    assert reply_problem("", None, {"en": "x"})[:2] == ("title", "required")
    assert reply_problem("T", "has space", {"en": "x"})[:2] == ("shortcut", "shortcut")
    assert reply_problem("T", None, {"en": "  "})[:2] == ("body", "required")
    assert reply_problem("T", None, {"fa": "x" * 10_001})[:2] == ("body_fa", "too_long")
    assert reply_problem("Thanks", "thanks-2", {"en": "Thank you, {buyer_name|friend}!"}) is None
    assert reply_problem("Доставка", "доставка", {"ru": "Отправим завтра."}) is None
    assert reply_problem("ডেলিভারি", "ডেলিভারি", {"bn": "কাল পাঠাব।"}) is None
    assert reply_problem("T", "a_b", {"en": "x"})[:2] == ("shortcut", "shortcut")


names = st.sampled_from(PLACEHOLDERS)
values = st.dictionaries(names, st.one_of(st.none(), st.text(max_size=30)))


@given(body=st.text(max_size=300), values=values)
def test_rendering_only_ever_substitutes(body, values):
    """Whatever the body and values, the result is the body with placeholders replaced: nothing is evaluated,
    and text outside placeholders comes through unchanged."""
    result = render(body, values)
    if "{" not in body:
        assert result.text == body and result.missing == ()
    for name in result.missing:
        assert values.get(name) in (None, "")


@given(value=st.text(alphabet=string.printable + "{}%", max_size=40))
def test_values_are_never_read_as_placeholders_or_templates(value):
    """A value that itself looks like a placeholder or template is inserted as it is, once."""
    result = render("[{buyer_name}]", {"buyer_name": value, "shop_name": "SECRET"})
    expected = f"[{value}]" if value else "[]"
    assert result.text == expected
