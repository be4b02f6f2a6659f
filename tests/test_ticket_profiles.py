"""Platform support profiles: the built-in files, sorting and search per language, seller overrides, broken files."""
import re
import tomllib
from datetime import timedelta
from importlib import resources

import pytest

from sellerkit.collation import sort_key
from sellerkit.shops.domain import PLATFORMS
from sellerkit.tickets.profiles import (
    OTHER_SUFFIX,
    ProfileError,
    load_profiles,
    parse_profile,
    profile_for,
)
from sellerkit.tickets.vocabulary import LANGUAGES, LIFECYCLES

BUILT_IN = resources.files("sellerkit.tickets") / "profiles"
#: The topics the dispute keywords suggest; every profile must offer them.
SHARED_TOPICS = ("order_not_received", "item_damaged", "refund_request", "wrong_item", "chargeback")
ZWNJ = "\u200c"


@pytest.fixture(scope="module")
def profiles():
    return load_profiles()


def built_in_text(stem):
    return (BUILT_IN / f"{stem}.toml").read_text(encoding="utf-8")


def every_names(profile):
    yield from profile.statuses.values()
    for category in profile.categories:
        yield category.names
        yield from (topic.names for topic in category.topics)


def test_every_shop_platform_and_the_fallback_have_a_built_in_profile(profiles):
    stems = {entry.name for entry in BUILT_IN.iterdir() if entry.name.endswith(".toml")}
    assert stems == {f"{stem}.toml" for stem in
                     ("etsy", "ozon", "digikala", "wildberries", "amazon", "ebay", "own", "generic")}
    assert set(profiles) == set(PLATFORMS) | {"generic"}
    assert profiles["other"].name == "Own shop"


@pytest.mark.parametrize("platform", [*PLATFORMS, "generic"])
def test_built_in_profiles_are_complete_in_six_languages(profiles, platform):
    profile = profiles[platform]
    assert tuple(profile.statuses) == LIFECYCLES
    for names in every_names(profile):
        assert set(names) == set(LANGUAGES) and all(text.strip() for text in names.values()), names
    assert 4 <= len(profile.categories) <= 8
    for category in profile.categories:
        assert 4 <= len(category.topics) <= 7, category.key  # 3 to 6 topics, and "other requests"
    for key in SHARED_TOPICS:
        assert profile.topic(key) is not None, f"{platform} has no {key} topic"


@pytest.mark.parametrize("platform", [*PLATFORMS, "generic"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_pickers_are_alphabetical_with_other_requests_last(profiles, platform, language):
    categories = profiles[platform].sorted_categories(language)
    names = [category.name(language) for category in categories]
    assert names == sorted(names, key=lambda name: sort_key(name, language))
    for category in categories:
        *topics, other = category.topics
        assert other.key == category.key + OTHER_SUFFIX
        assert [t.name(language) for t in topics] == sorted((t.name(language) for t in topics),
                                                                  key=lambda name: sort_key(name, language))


def test_russian_names_sort_in_russian_order(profiles):
    assert [c.name("ru") for c in profiles["ozon"].sorted_categories("ru")] == [
        "Аккаунт и магазин", "Возвраты и возмещения", "Заказы и доставка", "Карточки товаров",
        "Платежи и выплаты", "Покупатели и отзывы", "Поставки и склады", "Технические проблемы"]
    assert [c.key for c in profiles["ozon"].sorted_categories("en")] == [
        "account", "buyers", "orders", "payments", "listings", "returns", "supplies", "technical"]


def test_persian_and_polish_names_sort_in_their_alphabets(profiles):
    # Persian: پ right after ب, so "پرداخت" leads; Polish: "Oferty" before "Problemy", "Zamówienia" before "Zwroty".
    assert [c.key for c in profiles["digikala"].sorted_categories("fa")] == [
        "payments", "account", "buyers", "orders", "listings", "supplies", "returns", "technical"]
    assert [c.key for c in profiles["etsy"].sorted_categories("pl")] == [
        "payments", "buyers", "listings", "technical", "account", "orders", "returns"]


@pytest.mark.parametrize("platform, query, language, expected", [
    ("digikala", "جریمه", "fa", {"chargeback"}),
    ("digikala", "جريمه", "fa", {"chargeback"}),  # typed with the Arabic keyboard's yeh
    ("digikala", "آسیبدیده", "fa", {"item_damaged"}),  # typed without the zero-width non-joiner
    ("digikala", "damaged", "fa", {"item_damaged", "warehouse_loss"}),  # English names are searched too
    ("ozon", "повреждён", "ru", {"item_damaged", "warehouse_loss"}),
    ("ozon", "ПОВРЕЖДЕН", "ru", {"item_damaged", "warehouse_loss"}),
    ("ozon", "破损", "zh", {"item_damaged"}),
    ("etsy", "CHARGEBACK", "en", {"chargeback"}),
    ("etsy", "ক্রয় সুরক্ষা", "bn", {"purchase_protection"}),
    ("etsy", "wymuszanie", "pl", {"review_extortion"}),
])
def test_search_finds_topics_by_a_word_in_the_language(profiles, platform, query, language, expected):
    assert {topic.key for _, topic in profiles[platform].search(query, language)} == expected


def test_search_by_a_category_name_lists_its_topics(profiles):
    found = profiles["ozon"].search("возвраты", "ru")
    assert {category.key for category, _ in found} == {"returns"}
    assert [topic.key for _, topic in found][-1] == "returns_other"
    assert len(profiles["ozon"].search("", "ru")) == sum(len(c.topics) for c in profiles["ozon"].categories)


def test_digikala_closes_five_days_after_resolved(profiles):
    digikala = profiles["digikala"]
    assert digikala.auto_close_after == timedelta(days=5)
    assert digikala.auto_close_from == ("resolved",)
    assert not digikala.rating and not digikala.same_topic_interval
    assert {lifecycle: digikala.status_name(lifecycle, "fa") for lifecycle in
            ("new", "in_review", "awaiting_details", "resolved", "closed")} == {
        "new": "جدید", "in_review": "در حال بررسی", "awaiting_details": "در انتظار جزئیات",
        "resolved": f"حل{ZWNJ}شده", "closed": f"بسته{ZWNJ}شده"}
    assert {"title", "description"} <= set(digikala.required_fields)


@pytest.mark.parametrize("platform", ["ozon", "wildberries"])
def test_russian_portal_profiles_limit_topics_and_ask_for_a_rating(profiles, platform):
    profile = profiles[platform]
    assert profile.same_topic_interval == timedelta(minutes=15)
    assert profile.rating
    assert (profile.limits.max_file_bytes, profile.limits.max_total_bytes) == (10 * 2**20, 50 * 2**20)
    assert "answered" in profile.auto_close_from and profile.auto_close_after >= timedelta(days=1)
    assert [profile.status_name(lifecycle, "ru") for lifecycle in ("new", "answered", "awaiting_details", "closed")] \
        == ["Создан", "Поступил ответ", "Ждём вашего ответа", "Завершён"]
    assert profile.status_name("new", "zh_Hans") == "已创建"
    assert profile.status_name("draft", "en") is None  # a draft is sellerkit's own, not a platform status


def test_names_fall_back_to_english_and_unknown_keys_show_as_themselves(profiles):
    etsy = profiles["etsy"]
    assert etsy.topic_name("refund_request", "de") == "Refund request"
    assert etsy.topic_name("refund_request", "fa-IR") == "درخواست بازگشت وجه"
    assert etsy.category_name("payments", "bn") == "অর্থ ও বিলিং"
    assert etsy.topic_name("retired_topic", "ru") == "retired_topic"
    category, topic = etsy.topic("case_opened")
    assert (category.key, topic.name("pl")) == ("returns", "Kupujący otworzył spór")
    assert etsy.topic("nothing_like_it") is None


def test_unknown_platforms_get_the_generic_profile(profiles):
    assert profile_for(profiles, "allegro").platform == "generic"
    assert profile_for(profiles, "ozon").platform == "ozon"


def test_seller_files_replace_a_platform_and_add_new_ones(tmp_path):
    (tmp_path / "my-digikala.toml").write_text(
        built_in_text("digikala").replace('name = "Digikala"', 'name = "Digikala (my rules)"')
        .replace("same_topic_interval_minutes = 0", "same_topic_interval_minutes = 30"), encoding="utf-8")
    (tmp_path / "allegro.toml").write_text(
        built_in_text("generic").replace('platform = "generic"', 'platform = "allegro"'), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a profile", encoding="utf-8")

    profiles = load_profiles(tmp_path)

    assert profiles["digikala"].name == "Digikala (my rules)"
    assert profiles["digikala"].same_topic_interval == timedelta(minutes=30)
    assert profile_for(profiles, "allegro").platform == "allegro"
    assert profiles["ozon"].name == "Ozon"
    assert load_profiles()["digikala"].name == "Digikala"  # nothing is cached between calls
    assert set(load_profiles(tmp_path / "missing")) == set(PLATFORMS) | {"generic"}


DELETE = object()


def broken(path, value):
    """The generic profile's data with the value at `path` replaced (a callable gets the old value) or deleted."""
    data = tomllib.loads(built_in_text("generic"))
    *parents, last = path
    table = data
    for step in parents:
        table = table[step]
    if value is DELETE:
        del table[last]
    else:
        table[last] = value(table[last]) if callable(value) else value
    return data


@pytest.mark.parametrize("path, value, message", [
    (("platform",), DELETE, 'missing "platform"'),
    (("platform",), "My Shop", 'platform: "My Shop" must be lowercase ascii snake_case'),
    (("colour",), "red", 'unknown key "colour"'),
    (("statuses", "answered"), DELETE, 'statuses: missing lifecycle "answered"'),
    (("statuses", "new", "bn"), DELETE, 'statuses.new: missing language "bn"'),
    (("categories", 1, "topics", 0, "names", "fa"), DELETE,
     'category "returns", topic "refund_request".names: missing language "fa"'),
    (("categories", 0, "names", "de"), "Bestellungen", 'category "orders".names: unknown key "de"'),
    (("categories", 0, "topics", 0, "key"), "refund_request",
     'category "returns", topic "refund_request": duplicate topic key (also in category "orders")'),
    (("categories", 1, "key"), "orders", 'category "orders": the key is used by two categories'),
    (("categories", 2, "topics"), lambda topics: topics[:-1], 'category "payments": has no "payments_other" topic'),
    (("categories", 0, "topics", 0, "key"), "Order Lost", 'topics[0].key: "Order Lost" must be lowercase'),
    (("limits", "max_files"), -1, "limits.max_files: must be a whole number, 0 or more, not -1"),
    (("limits", "max_file_bytes"), 10**9, "limits: max_file_bytes (1000000000) is larger than max_total_bytes"),
    (("rules", "auto_close_from"), ["resolved", "done"], 'rules.auto_close_from: unknown lifecycle "done"'),
    (("rules", "auto_close_from"), ["closed"], 'rules.auto_close_from: "closed" has already ended'),
    (("rules", "auto_close_from"), [], "rules.auto_close_from: is empty, but auto_close_after_days is set"),
    (("rules", "required_fields"), lambda fields: [*fields, "phone"], 'rules.required_fields: unknown field "phone"'),
    (("rules", "rating"), "yes", "rules.rating: must be true or false"),
    (("rules", "same_topic_interval_minutes"), DELETE, 'rules: missing "same_topic_interval_minutes"'),
    (("contact",), {"web_form": "http://example.com/form"},
     'contact.web_form: "http://example.com/form" must be an https:// link'),
    (("contact",), {"email": "support at example"}, 'contact.email: "support at example" is not an e-mail address'),
    (("contact",), {"phone": "+7 800"}, 'contact: unknown key "phone"'),
])
def test_broken_profiles_name_the_problem(path, value, message):
    with pytest.raises(ProfileError, match=re.escape(message)):
        parse_profile(broken(path, value))


def test_broken_seller_files_name_the_file(tmp_path):
    (tmp_path / "ozon.toml").write_text('platform = "ozon"\nname = [unclosed', encoding="utf-8")
    with pytest.raises(ProfileError, match=r"ozon\.toml: not a valid UTF-8 TOML file"):
        load_profiles(tmp_path)

    (tmp_path / "ozon.toml").write_text(built_in_text("ozon").replace("answered = {", "replied = {"), encoding="utf-8")
    with pytest.raises(ProfileError, match=r'ozon\.toml: statuses: unknown key "replied"'):
        load_profiles(tmp_path)

    (tmp_path / "ozon.toml").write_text(built_in_text("ozon"), encoding="utf-8")
    (tmp_path / "ozon-copy.toml").write_text(built_in_text("ozon"), encoding="utf-8")
    with pytest.raises(ProfileError, match=r'ozon\.toml: platform "ozon" is already described in ozon-copy\.toml'):
        load_profiles(tmp_path)


@pytest.mark.parametrize("path, value, message", [
    (("categories", 0, "key"), DELETE, 'categories[0]: missing "key"'),
    (("categories", 0, "topics", 1), "tracking", 'category "orders", topics[1]: must be a table'),
    (("categories", 0, "topics", 1, "key"), 7, 'category "orders", topics[1].key: must be a non-empty string'),
    (("categories", 0, "topics", 1, "colour"), "red",
     'category "orders", topic "delivery_delayed": unknown key "colour" (expected: key, names)'),
    (("categories", 0, "topics"), [], 'category "orders": needs one or more [[categories.topics]] tables'),
    (("categories", 0, "topics"), DELETE, 'category "orders": needs one or more [[categories.topics]] tables'),
    (("categories", 0, "names"), "Orders", 'category "orders".names: must be a table'),
    (("categories",), [], "categories: must be one or more [[categories]] tables"),
    (("statuses", "new"), "New", "statuses.new: must be a table of names by language"),
    (("statuses", "new", "en"), "  ", "statuses.new.en: must be a non-empty string"),
    (("name",), 3, "name: must be a non-empty string"),
    (("limits", "max_files"), True, "limits.max_files: must be a whole number, 0 or more, not True"),
    (("limits", "max_files"), 1.5, "limits.max_files: must be a whole number, 0 or more, not 1.5"),
    (("limits",), DELETE, 'missing "limits"'),
    (("rules", "auto_close_from"), "resolved", "rules.auto_close_from: must be a list of strings"),
    (("rules", "auto_close_from"), [1], 'rules.auto_close_from: unknown lifecycle "1" (one of: new, in_review,'),
    (("rules", "required_fields"), ["title", "title"], 'rules.required_fields: "title" is listed twice'),
    (("problems", "case"), "Case", 'problems.case: "Case" must be lowercase ascii snake_case'),
    (("contact",), "support@example.com", "contact: must be a table"),
    (("contact",), {"chat": "https://"}, 'contact.chat: "https://" must be an https:// link'),
])
def test_broken_profiles_name_the_problem_where_the_author_looks(path, value, message):
    with pytest.raises(ProfileError, match=re.escape(message)):
        parse_profile(broken(path, value))


def test_a_document_that_is_no_table_is_refused():
    with pytest.raises(ProfileError, match="a profile must be a TOML table"):
        parse_profile(["platform", "generic"])


def test_contact_channels_values_are_trimmed_and_a_chat_may_be_words():
    contact = {"chat": "  Seller panel > Help  ", "email": "help@example.com", "web_form": "https://example.com/f"}
    profile = parse_profile(broken(("contact",), contact))
    assert profile.contact == {"chat": "Seller panel > Help", "email": "help@example.com",
                               "web_form": "https://example.com/f"}
    assert parse_profile(broken(("contact",), DELETE)).contact == {}
