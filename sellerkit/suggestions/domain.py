"""Pure suggestion ranking: BM25 of a buyer message against each saved reply's document, sinking ignored replies.

A reply's document is its own title and text (in every language it has) together with every buyer message it
answered before. A new reply is so found by its own words, and one with history by the ways buyers ask for it.
Terms come in already folded by the search's term builder. A word also counts, at half weight, by its first
letters and by its three-letter pieces, so that "доставки" meets "доставку", "parcle" meets "parcel" and a
Bengali or Persian word meets its inflected forms; Chinese terms (characters and pairs) count as they are.
The parameters were chosen on the history half of tests/corpora alone (see README, "Suggested replies").
"""
import math
import sys
import unicodedata
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass

K1 = 2.0
B = 0.5
#: Words longer than PREFIX + 1 letters also count by their first PREFIX letters: a light stemmer for any script.
PREFIX = 4
PIECE = 3
PART_WEIGHT = 0.5
MAX_SUGGESTIONS = 3
MAX_MATCHED_WORDS = 3
#: A word is named as matched when it gave at least this share of what the strongest word gave.
MATCHED_SHARE = 0.25


def _is_cjk(char):
    return unicodedata.name(char, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL"))


def features(terms):
    """The weighted features of a list of folded terms: each term, and for a word its prefix and pieces.

    Each feature is interned: an index keeps one copy of it, not one for every saved reply it occurs with."""
    weighted = Counter()
    intern = sys.intern
    for term in terms:
        weighted[intern(term)] += 1.0
        if _is_cjk(term[0]) or term.isdigit():
            continue
        if len(term) > PREFIX + 1:
            weighted[intern("\x00" + term[:PREFIX])] += PART_WEIGHT
        marked = f"<{term}>"
        for start in range(len(marked) - PIECE + 1):
            weighted[intern("\x01" + marked[start:start + PIECE])] += PART_WEIGHT
    return weighted


@dataclass(frozen=True)
class Document:
    """Evidence for a saved reply: a buyer message it answered, or its own title and text."""

    reply_id: int
    terms: tuple


class Index:
    """BM25 over one document per saved reply. Each posting keeps its document's part of the formula (term
    frequency against length), and each feature its idf, so a query only multiplies and adds."""

    def __init__(self, documents, merged=None):
        merged, copied = dict(merged or {}), set()
        for document in documents:
            if document.reply_id not in copied:
                # Copied before it changes: an index in use by another request stays as it is.
                merged[document.reply_id] = Counter(merged.get(document.reply_id, ()))
                copied.add(document.reply_id)
            merged[document.reply_id].update(features(document.terms))
        #: Each reply's features, kept so that new history is added without reading the old again.
        self.merged = merged
        self.reply_ids = list(merged)
        lengths = [sum(merged[reply_id].values()) for reply_id in self.reply_ids]
        average = (sum(lengths) / len(lengths)) if lengths else 1.0
        #: feature -> (reply ids, their parts): the parts in an array of doubles, not one float object each, since a
        #: shop's index holds tens of thousands of postings in every worker process that serves its pages.
        self.postings = defaultdict(lambda: ([], array("d")))
        for number, reply_id in enumerate(self.reply_ids):
            norm = K1 * (1 - B + B * lengths[number] / average)
            for feature, weight in merged[reply_id].items():
                reply_ids, parts = self.postings[feature]
                reply_ids.append(reply_id)
                parts.append(weight * (K1 + 1) / (weight + norm))
        count = len(self.reply_ids)
        self.idfs = {feature: math.log(1 + (count - len(found) + 0.5) / (len(found) + 0.5))
                     for feature, (found, _parts) in self.postings.items()}

    def adding(self, documents):
        """A new index: this one's documents and `documents` (new history of some replies)."""
        return Index(documents, self.merged)

    def scores(self, query_terms, allowed):
        """{reply id: {feature: its part of the score}} for every allowed reply sharing a feature."""
        found = defaultdict(dict)
        for feature, query_weight in features(query_terms).items():
            idf = self.idfs.get(feature)
            if idf is None:
                continue
            idf *= min(query_weight, 1.0)
            for reply_id, part in zip(*self.postings[feature], strict=True):
                if reply_id in allowed:
                    found[reply_id][feature] = idf * part
        return found


@dataclass(frozen=True)
class Suggestion:
    reply_id: int
    score: float
    #: (feature, its part of the score) pairs, to name the buyer's words that matched.
    matched: tuple


def acceptance(shown, taken):
    """How much a reply's score keeps when it was suggested `shown` times and used `taken` of them: the smoothed
    share of suggestions the seller took, softened by a square root so that one ignored suggestion costs little."""
    return math.sqrt((1 + taken) / (1 + max(shown, taken)))


def rank(index, query_terms, allowed, feedback=None, limit=MAX_SUGGESTIONS):
    """The best saved replies for a buyer message among the `allowed` reply ids; feedback maps a reply id to its
    (shown, taken) counts."""
    feedback = feedback or {}
    ranked = [Suggestion(reply_id, sum(parts.values()) * acceptance(*feedback.get(reply_id, (0, 0))),
                         tuple(parts.items()))
              for reply_id, parts in index.scores(query_terms, allowed).items()]
    ranked.sort(key=lambda suggestion: (-suggestion.score, suggestion.reply_id))
    return ranked[:limit]


def _strip_punctuation(word):
    start, end = 0, len(word)
    while start < end and unicodedata.category(word[start])[0] in "PSZ":
        start += 1
    while end > start and unicodedata.category(word[end - 1])[0] in "PSZ":
        end -= 1
    return word[start:end]


def matched_words(words, matched, limit=MAX_MATCHED_WORDS):
    """The buyer's own words that made a reply match, strongest first. `words` are (word as written, its terms)
    pairs; a word is named as written, a run of Chinese by its strongest matched term."""
    gains = dict(matched)
    named = {}
    for written, word_terms in words:
        if len(word_terms) == 1:
            gain = sum(gains.get(feature, 0.0) for feature in features(word_terms))
            label = _strip_punctuation(written)
        else:  # a run of Chinese (or words joined by punctuation): its strongest term
            best = max(word_terms, key=lambda term: (sum(gains.get(f, 0.0) for f in features([term])), len(term)),
                       default=None)
            gain = sum(gains.get(feature, 0.0) for feature in features([best])) if best else 0.0
            label = best
        if label and gain > named.get(label, 0.0):
            named[label] = gain
    if not named:
        return []
    strongest = max(named.values())
    ordered = sorted((label for label, gain in named.items() if gain >= strongest * MATCHED_SHARE and gain > 0),
                     key=lambda label: -named[label])
    return ordered[:limit]
