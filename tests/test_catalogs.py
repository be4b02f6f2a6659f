"""The six message catalogs: complete, not fuzzy, and current with the code (extract + compare)."""
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


@pytest.fixture(scope="module")
def code_messages():
    """Every translatable string in the code and templates, as pybabel extract -F babel.cfg finds them."""
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=METHOD_MAP, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
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
    ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog(locale) if m.id}
    missing = sorted(code_messages - ids)
    stale = sorted(ids - code_messages)
    assert not missing, f"{locale}: strings in the code but not in the catalog (run make messages): {missing[:10]}"
    assert not stale, f"{locale}: strings in the catalog no longer in the code: {stale[:10]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_survive_translation(locale):
    import re

    for message in catalog(locale):
        if not message.id or not isinstance(message.id, str):
            continue
        wanted = sorted(re.findall(r"%\(\w+\)s", message.id))
        assert sorted(re.findall(r"%\(\w+\)s", message.string)) == wanted, (locale, message.id)


@pytest.mark.parametrize("locale, plural_forms", [("fa", "nplurals=2; plural=(n > 1);"),
                                                 ("bn", "nplurals=2; plural=(n > 1);")])
def test_plural_rules_follow_cldr(locale, plural_forms):
    assert catalog(locale).plural_forms == plural_forms
