"""The six message catalogs: complete, not fuzzy, current with the code, using the glossary's words."""
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from sellerkit.i18n import LOCALES

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None,
            "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}
METHOD_MAP = [("sellerkit/**.py", "python"), ("templates/**.html", "jinja2")]


def catalog(locale):
    with open(ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)


#: Short words that keep one entry for several places: each must tell translators what it names.
AMBIGUOUS = ("All", "Buyer", "Code", "Created", "Draft", "Filed", "From", "Import", "Number", "Off", "On", "Order",
             "Past", "Record", "Reply", "Status", "Title", "Until", "Used", "Valid", "When")


def _extract():
    """Every translatable string in the code and templates with its context and translator comments, as
    `make messages` (pybabel extract -F babel.cfg -c Translators:) finds them."""
    return extract_from_dir(str(ROOT), method_map=METHOD_MAP, keywords=KEYWORDS, comment_tags=["Translators:"],
                            strip_comment_tags=True)


@pytest.fixture(scope="module")
def code_messages():
    """(context, msgid) of every translatable string."""
    return {(context, message[0] if isinstance(message, tuple) else message)
            for _filename, _lineno, message, _comments, context in _extract()}


@pytest.fixture(scope="module")
def translator_comments():
    """(context, msgid) -> the translator comments of all its places."""
    found = {}
    for _filename, _lineno, message, comments, context in _extract():
        found.setdefault((context, message[0] if isinstance(message, tuple) else message), []).extend(comments)
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete_and_not_fuzzy(locale):
    messages = [m for m in catalog(locale) if m.id]
    empty = [m.id for m in messages if not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not empty, f"{locale}: untranslated: {empty[:10]}"
    assert not fuzzy, f"{locale}: fuzzy: {fuzzy[:10]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_current_with_the_code(locale, code_messages):
    ids = {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalog(locale) if m.id}
    missing = sorted(code_messages - ids, key=str)
    stale = sorted(ids - code_messages, key=str)
    assert not missing, f"{locale}: strings in the code but not in the catalog (run make messages): {missing[:10]}"
    assert not stale, f"{locale}: strings in the catalog no longer in the code: {stale[:10]}"


def test_words_with_several_roles_tell_translators_which_one(translator_comments):
    """A context marks a word used in several roles; it and each shared short word say which role they name."""
    contexts = sorted(key for key, comments in translator_comments.items() if key[0] and not comments)
    shared = sorted(word for word in AMBIGUOUS if not translator_comments.get((None, word)))
    assert not contexts, f"strings with a context but no '# Translators:' comment: {contexts}"
    assert not shared, f"ambiguous strings without a '# Translators:' comment: {shared}"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogs_keep_the_translator_comments(locale, translator_comments):
    """make messages extracts the comments (-c Translators:), so translators see them in every catalog."""
    bare = [(m.context, m.id) for m in catalog(locale)
            if m.id and translator_comments.get((m.context, m.id)) and not m.auto_comments]
    assert not bare, f"{locale}: entries whose code has a translator comment but the catalog does not: {bare[:10]}"


def glossary():
    """(English, {locale: word}) of each row of translations/GLOSSARY.md's word table, notes in brackets left out."""
    for line in (ROOT / "translations" / "GLOSSARY.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == len(LOCALES) and cells[0] not in ("English", "---"):
            words = zip(LOCALES[1:], cells[1:], strict=True)
            yield cells[0], {locale: re.sub(r"\s*\(.*?\)", "", word) for locale, word in words}


@pytest.mark.parametrize("locale", LOCALES[1:])
def test_catalogs_use_the_glossarys_words(locale):
    """A word the glossary lists and the UI shows on its own (Order, Buyer, Dispute, ...) is translated with it."""
    entries = catalog(locale)
    checked = 0
    for english, words in glossary():
        message = entries.get(english[:1].upper() + english[1:])
        if message is not None:
            checked += 1
            assert message.string.casefold() == words[locale].casefold(), (english, message.string, words[locale])
    assert checked >= 10


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_survive_translation(locale):
    for message in catalog(locale):
        if not message.id or not isinstance(message.id, str):
            continue
        wanted = sorted(re.findall(r"%\(\w+\)s", message.id))
        assert sorted(re.findall(r"%\(\w+\)s", message.string)) == wanted, (locale, message.id)


@pytest.mark.parametrize("locale, plural_forms", [("fa", "nplurals=2; plural=(n > 1);"),
                                                 ("bn", "nplurals=2; plural=(n > 1);")])
def test_plural_rules_follow_cldr(locale, plural_forms):
    assert catalog(locale).plural_forms == plural_forms
