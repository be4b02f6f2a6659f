"""Alphabetical order in the viewer's language: the Unicode Collation Algorithm (pyuca), tailored as CLDR does."""
import unicodedata
from functools import lru_cache

import pyuca
from flask import has_request_context
from flask_babel import get_locale

#: Sorts after every letter: a tailored letter is keyed as the letter it follows, then this.
_AFTER = "\uffff"
#: CLDR's tailorings of the root order for the UI languages whose alphabets differ from it, on decomposed text:
#: in Polish ą ć ę ń ó ś ź ż are letters of their own (ź before ż; ł already is one in the root order); in
#: Persian ه follows و. Russian (ё with е, й its own letter), Bengali and Chinese (radical, then strokes: the
#: root order; pinyin would need ICU) need none.
_TAILORINGS = {
    "pl": {f"{base}{mark}": base + _AFTER * rank
           for letters, mark, rank in (("cnoszCNOSZ", "\u0301", 1), ("aeAE", "\u0328", 1), ("zZ", "\u0307", 2))
           for base in letters},
    "fa": {"\u0647": "\u0648" + _AFTER},
}
#: The script each UI language's own names are written in: as in CLDR's collations for these languages, names in
#: the viewer's script come before names in other scripts (a Russian reader finds «Ёлка» before "Zebra").
_OWN_SCRIPT = {
    "ru": (("\u0400", "\u052f"),),
    "fa": (("\u0600", "\u06ff"), ("\u0750", "\u077f"), ("\ufb50", "\ufdff"), ("\ufe70", "\ufeff")),
    "bn": (("\u0980", "\u09ff"),),
    "zh": (("\u3400", "\u4dbf"), ("\u4e00", "\u9fff"), ("\uf900", "\ufaff")),
}


@lru_cache(maxsize=1)
def _collator():
    # The collation table is read once per process, when a list is first sorted, and kept.
    return pyuca.Collator()


def _language(locale):
    if locale is None:
        locale = get_locale() if has_request_context() else None
    return str(locale or "en").replace("-", "_").split("_")[0]


def sort_key(text, locale=None):
    """The key that puts `text` in alphabetical order for readers of `locale` (default: the viewer's language)."""
    return _key(text or "", _language(locale))


def sort_key_for(locale=None):
    """sort_key with the language looked up once, for sorting a whole list."""
    language = _language(locale)
    return lambda text: _key(text or "", language)


@lru_cache(maxsize=8192)
def _key(text, language):
    # Lists repeat the same names page after page (shops, labels, reply titles): each is keyed once per language.
    decomposed = unicodedata.normalize("NFD", text)
    for letter, keyed_as in _TAILORINGS.get(language, {}).items():
        decomposed = decomposed.replace(letter, keyed_as)
    own = _OWN_SCRIPT.get(language)
    first = next((char for char in text if char.isalnum()), "")
    is_foreign = bool(own) and not any(low <= first <= high for low, high in own)
    return is_foreign, _collator().sort_key(decomposed)


def alphabetical(items, name=None, locale=None):
    """`items` sorted by `name(item)` (the item itself by default) for readers of `locale`."""
    key = sort_key_for(locale)
    return sorted(items, key=lambda item: key(name(item) if name else item))
