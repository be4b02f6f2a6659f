"""Pure search terms: the same words for SQLite FTS5 and PostgreSQL, in every script buyers write in.

Words are runs of letters, marks and digits (Bengali vowel signs are marks, so they stay in the word).
Chinese and Japanese have no spaces: each character and each pair of neighbours becomes a term, so
"包裹" is found inside "我的包裹在哪里"; Traditional characters are written as Simplified first (OpenCC), so
either script finds the other. Words are folded so that the ways people type a word find each other: Latin
letters lose their accents ("zamowienie" finds "zamówienie"), ё is е, Arabic yeh/kaf are Persian, short vowels
are dropped, and Arabic-Indic, Persian and Bengali digits are ASCII. A zero-width non-joiner splits a Persian
word into parts that are terms too, so "می رسه" finds "می‌رسه" (the whole word stays a term: "میرسه" finds it).
"""
import re
import sys
import unicodedata
from functools import lru_cache

from sellerkit.textfold import ZWNJ, fold_word, is_cjk, to_simplified

MAX_TERMS = 2000
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


def _runs(text):
    """Runs of word characters, each split into its CJK and non-CJK pieces, as (piece, is CJK) pairs; CJK pieces
    in Simplified Chinese."""
    word, pieces = _patterns()
    for run in word.findall(text.replace("_", " ")):
        if run.isascii():
            yield run, False
            continue
        for piece in pieces.findall(run):
            if is_cjk(piece[0]):
                yield to_simplified(piece), True
            else:
                yield piece, False


def terms(text):
    """The search terms of a text, in order, duplicates removed. A word with zero-width non-joiners is a term
    whole and each of its parts is one too."""
    found = []
    for run, cjk in _runs(text or ""):
        if cjk:
            found.extend(run)
            found.extend(run[index:index + 2] for index in range(len(run) - 1))
            continue
        folded = fold_word(run)
        if ZWNJ in folded:
            found.append(folded.replace(ZWNJ, "")[:100])
            found.extend(part[:100] for part in folded.split(ZWNJ))
        else:
            found.append(folded[:100])
    return [term for term in dict.fromkeys(found) if term][:MAX_TERMS]


def query_terms(query):
    """Terms for what a user typed, as (term, is_prefix) pairs: words match as prefixes (answers while typing),
    Chinese as the character pairs of the query (or the single character). Words joined by punctuation, as in
    "DKC-558812" or an e-mail address, are whole but for the last: the user typed past them. A word typed with
    zero-width non-joiners is asked for whole, which every text of it holds (written with or without them)."""
    result = []
    for chunk in (query or "").split():
        words = []
        for run, cjk in _runs(chunk):
            if cjk:
                pairs = [run[i:i + 2] for i in range(len(run) - 1)] or [run]
                result.extend((pair, False) for pair in pairs)
            else:
                folded = fold_word(run).replace(ZWNJ, "")[:100]
                if folded:
                    words.append(folded)
        result.extend((word, index == len(words) - 1) for index, word in enumerate(words))
    return result[:20]


def thread_terms(subject, words, identifiers):
    """The terms of a thread's own search row: its subject, the words that name it (the buyer's name and e-mail
    address), and identifiers (order, tracking and ticket numbers, the buyer's platform id), each also as one
    term without its separators, so "DKC-558812" is found as typed, as "DKC558812" and by "558812"."""
    found = terms(subject) + [term for text in words for term in terms(text)]
    for identifier in identifiers:
        parts = terms(identifier)
        found.extend(parts)
        if len(parts) > 1 and identifier.isascii():
            found.append("".join(parts)[:100])
    return [term for term in dict.fromkeys(found) if term][:MAX_TERMS]
