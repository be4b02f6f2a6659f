"""Pure search terms: the same words for SQLite FTS5 and PostgreSQL, in every script buyers write in.

Words are runs of letters, marks and digits (Bengali vowel signs are marks, so they stay in the word).
Chinese and Japanese have no spaces: each character and each pair of neighbours becomes a term, so
"包裹" is found inside "我的包裹在哪里". Persian is folded (Arabic yeh/kaf to Persian, zero-width
non-joiner and short vowels removed) so that the ways people type a word find each other.
"""
import unicodedata

MAX_TERMS = 2000
_PERSIAN_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ۀ": "ه", "ة": "ه", "\u200c": None, "\u200d": None,
                               "ـ": None})


def _is_cjk(char):
    code = ord(char)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x3040 <= code <= 0x30FF
            or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FA1F or 0xAC00 <= code <= 0xD7AF)


def _is_word_char(char):
    category = unicodedata.category(char)
    return category[0] in "LMN" or char in "\u200c\u200d"


def _fold(word):
    word = unicodedata.normalize("NFKC", word).casefold().translate(_PERSIAN_FOLD)
    # Arabic-script short vowels (harakat) are optional in writing; Latin and Bengali marks are kept.
    return "".join(c for c in word if not (unicodedata.category(c) == "Mn" and 0x064B <= ord(c) <= 0x065F))


def _runs(text):
    """Maximal runs of word characters, each split further into CJK and non-CJK parts."""
    run, runs = [], []
    for char in text:
        if _is_word_char(char):
            if run and _is_cjk(run[-1]) != _is_cjk(char):
                runs.append("".join(run))
                run = []
            run.append(char)
        elif run:
            runs.append("".join(run))
            run = []
    if run:
        runs.append("".join(run))
    return runs


def terms(text):
    """The search terms of a text, in order, duplicates removed."""
    seen, result = set(), []

    def add(term):
        if term and term not in seen and len(result) < MAX_TERMS:
            seen.add(term)
            result.append(term)

    for run in _runs(text or ""):
        if _is_cjk(run[0]):
            for index, char in enumerate(run):
                add(char)
                if index + 1 < len(run):
                    add(run[index:index + 2])
        else:
            add(_fold(run)[:100])
    return result


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
