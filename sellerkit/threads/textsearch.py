"""Pure search terms: the same words for SQLite FTS5 and PostgreSQL, in every script buyers write in.

Words are runs of letters, marks and digits (Bengali vowel signs are marks, so they stay in the word).
Chinese and Japanese have no spaces: each character and each pair of neighbours becomes a term, so
"包裹" is found inside "我的包裹在哪里". Persian is folded (Arabic yeh/kaf to Persian, zero-width
non-joiner and short vowels removed) so that the ways people type a word find each other.
"""
import re
import sys
import unicodedata
from functools import lru_cache

MAX_TERMS = 2000
_PERSIAN_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ۀ": "ه", "ة": "ه", "\u200c": None, "\u200d": None,
                               "ـ": None})
_HARAKAT = dict.fromkeys(range(0x064B, 0x0660))
_CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f"


@lru_cache(maxsize=1)
def _patterns():
    """Compiled once, on first use: a word (letters, digits, marks, joiners) and its CJK / non-CJK pieces."""
    marks = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)).startswith("M")]
    ranges, start = [], None
    for index, char in enumerate(marks):  # compress the ~2,400 marks into ranges for a small character class
        if start is None:
            start = char
        if index + 1 == len(marks) or ord(marks[index + 1]) != ord(char) + 1:
            ranges.append(re.escape(start) + ("-" + re.escape(char) if char != start else ""))
            start = None
    # One class, not "a letter or a mark" (twice as fast): _runs turns underscores, which \w counts, into spaces.
    word = re.compile(r"[\w" + "".join(ranges) + "\u200c\u200d]+")
    pieces = re.compile(f"[{_CJK_RANGES}]+|[^{_CJK_RANGES}]+")
    return word, pieces


def _is_cjk(char):
    code = ord(char)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x3040 <= code <= 0x30FF
            or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FA1F or 0xAC00 <= code <= 0xD7AF)


def _fold(word):
    if word.isascii():
        return word.lower()
    if not unicodedata.is_normalized("NFKC", word):
        word = unicodedata.normalize("NFKC", word)
    word = word.casefold().translate(_PERSIAN_FOLD)
    # Arabic-script short vowels (harakat) are optional in writing; Latin and Bengali marks are kept.
    return word.translate(_HARAKAT)


def _runs(text):
    """Runs of word characters, each split into its CJK and non-CJK pieces."""
    word, pieces = _patterns()
    for run in word.findall(text.replace("_", " ")):
        if run.isascii():
            yield run
        else:
            yield from pieces.findall(run)


def terms(text):
    """The search terms of a text, in order, duplicates removed."""
    found = []
    for run in _runs(text or ""):
        if _is_cjk(run[0]):
            found.extend(run)
            found.extend(run[index:index + 2] for index in range(len(run) - 1))
        else:
            found.append(_fold(run)[:100])
    return [term for term in dict.fromkeys(found) if term][:MAX_TERMS]


def query_terms(query):
    """Terms for what a user typed, as (term, is_prefix) pairs: words match as prefixes (answers while typing),
    Chinese as the character pairs of the query (or the single character)."""
    result = []
    for run in _runs(query or ""):
        if _is_cjk(run[0]):
            pairs = [run[i:i + 2] for i in range(len(run) - 1)] or [run]
            result.extend((pair, False) for pair in pairs)
        else:
            folded = _fold(run)[:100]
            if folded:
                result.append((folded, True))
    return result[:20]
