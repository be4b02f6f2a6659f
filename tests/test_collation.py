"""Lists in alphabetical order as readers of each UI language expect it, not in code point order."""
import re

import pytest

from sellerkit.collation import alphabetical, sort_key


@pytest.mark.parametrize("language, words", [
    ("en", ["abc", "Ábc", "Abd", "éclair", "Eva", "Zebra"]),
    ("pl", ["Az", "Ąb", "Cena", "Czat", "Ćma", "Lis", "Łódź", "Mama", "Oz", "Ósemka", "Ser", "Śliwka", "Tak", "Zebra",
            "Źrebię", "Żaba"]),
    ("ru", ["Арбуз", "Еда", "Ёж", "Ёлка", "Ель", "Итог", "Йогурт", "Кот"]),
    ("fa", ["آب", "اسب", "بار", "پنل", "تیکت", "جو", "چای", "زرد", "ژاکت", "سبد", "قند", "کتاب", "گل", "لب", "وقت",
            "همه", "یک"]),
    ("bn", ["অজয়", "আম", "ইলিশ", "কলা", "খাতা", "গান", "ঘর", "ডাক"]),
], ids=["en", "pl", "ru", "fa", "bn"])
def test_words_follow_the_alphabet_of_the_language(language, words):
    shuffled = words[1::2] + words[::2]
    assert alphabetical(shuffled, locale=language) == words


def test_persian_letters_beyond_arabic_sit_inside_the_alphabet():
    # By code point پ چ ژ گ (U+067E and up) would follow every Arabic letter, ی too.
    names = alphabetical(["گلاب", "ژاله", "زهره", "چمن", "جواد", "پری", "بهار", "کاوه", "یاس", "ماهان"], locale="fa")
    assert names == ["بهار", "پری", "جواد", "چمن", "زهره", "ژاله", "کاوه", "گلاب", "ماهان", "یاس"]


@pytest.mark.parametrize("language, names", [
    ("ru", ["Ёлка", "Матрёшка", "Amber", "Zebra"]),
    ("fa", ["پارچه", "گل‌سرخ", "Amber", "Zebra"]),
    ("en", ["Amber", "Zebra", "Ёлка", "Матрёшка"]),
])
def test_names_in_the_readers_own_script_come_first(language, names):
    assert alphabetical(reversed(names), locale=language) == names


def test_zero_width_non_joiners_do_not_change_the_order():
    assert alphabetical(["گلشن", "گل\u200cسرخ", "گلاب"], locale="fa") == ["گلاب", "گل\u200cسرخ", "گلشن"]
    assert sort_key("گل\u200cسرخ", "fa")[1][:4] == sort_key("گلسرخ", "fa")[1][:4]


@pytest.fixture
def russian_seller(make_user, make_shop, auth):
    owner = make_user(locale="ru")
    shop_id = make_shop(owner, name="Zebra")
    auth.login()
    return {"owner": owner, "shop": shop_id}


def test_saved_replies_are_listed_by_title_in_the_viewers_language(client, russian_seller, make_saved_reply):
    for title in ("Zebra", "Ель", "Ёлка", "Арбуз", "Еда"):
        make_saved_reply(russian_seller["shop"], title=title)
    page = client.get(f"/shops/{russian_seller['shop']}/replies?sort=title").get_data(as_text=True)
    assert re.findall(r'<strong dir="auto">([^<]*)</strong>', page) == ["Арбуз", "Еда", "Ёлка", "Ель", "Zebra"]


def test_the_most_used_replies_tie_in_alphabetical_order(client, russian_seller, make_saved_reply):
    for title in ("Ёлка", "Ель", "Арбуз"):
        make_saved_reply(russian_seller["shop"], title=title)
    page = client.get(f"/shops/{russian_seller['shop']}/replies").get_data(as_text=True)
    assert re.findall(r'<strong dir="auto">([^<]*)</strong>', page) == ["Арбуз", "Ёлка", "Ель"]


def test_shops_are_listed_in_persian_order(client, make_user, make_shop, auth):
    owner = make_user(locale="fa")
    for name in ("گل‌فروشی", "ژاله", "زیبا", "چای", "پارچه", "Amber"):
        make_shop(owner, name=name, platform="digikala", default_language="fa", timezone_name="Asia/Tehran")
    auth.login()
    page = client.get("/shops").get_data(as_text=True)
    cards = re.findall(r'<h2><a href="/shops/\d+"><bdi>([^<]*)</bdi>', page)
    assert cards == ["پارچه", "چای", "زیبا", "ژاله", "گل‌فروشی", "Amber"]


def test_a_conversations_labels_are_in_polish_order(app, client, make_user, make_shop, make_conversation, auth):
    owner = make_user(locale="pl")
    thread = make_conversation(make_shop(owner), owner)["thread_id"]
    auth.login()
    client.post(f"/threads/{thread}/settings", data={"labels": "żółte, zwrot, ćwiczenie, cena"})
    page = client.get("/inbox?view=all").get_data(as_text=True)
    assert re.findall(r'<span class="badge label"><bdi>([^<]*)</bdi></span>', page) == [
        "cena", "ćwiczenie", "zwrot", "żółte"]


def test_the_team_is_listed_owners_first_then_by_name(client, make_user, make_shop, add_member, auth):
    owner = make_user(locale="ru", name="Яна")
    shop_id = make_shop(owner)
    for number, name in enumerate(("Zoe", "Ёж Иван", "Анна", "Егор")):
        add_member(shop_id, make_user(f"agent{number}@example.com", name=name))
    auth.login()
    page = client.get(f"/shops/{shop_id}/members").get_data(as_text=True)
    assert re.findall(r"<tr><td><bdi>([^<]*)</bdi></td>", page) == ["Яна", "Анна", "Егор", "Ёж Иван", "Zoe"]
