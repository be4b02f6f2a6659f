"""Pure suggestion ranking: BM25 over the buyer messages each saved reply answered, sinking ignored replies.

A reply's evidence is the buyer messages it answered before (its history). Each history message is a document;
a reply scores the sum of its best few documents' BM25 scores, so one lucky match counts less than several
good ones. A reply with no history yet is scored on its own title and text instead. Terms come in already
folded (the search's term builder); a word also counts by its first letters, so that "доставки" meets
"доставку" and "parcle" meets "parcel" in part.
"""
import math
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

K1 = 1.2
B = 0.75
#: Words longer than this also count by their first PREFIX letters: a light stemmer for every script.
PREFIX = 4
PREFIX_WEIGHT = 0.5
#: How many of a reply's best-matching history messages add up to its score.
BEST_OF = 3
MAX_SUGGESTIONS = 3
MAX_MATCHED_WORDS = 3


def features(terms):
    """(feature, weight) pairs of a list of folded terms: each term, and a prefix of each long word."""
    weighted = {}
    for term in terms:
        weighted[term] = 1.0
        if len(term) > PREFIX + 1 and term.isalpha() and not _is_cjk(term[0]):
            weighted.setdefault("\x00" + term[:PREFIX], PREFIX_WEIGHT)
    return weighted


def _is_cjk(char):
    return unicodedata.name(char, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL"))


@dataclass(frozen=True)
class Document:
    """One piece of evidence for a saved reply: a buyer message it answered, or its own title and text."""

    reply_id: int
    terms: tuple
    is_history: bool = True


class Index:
    """BM25 statistics over a shop's documents, built once and queried many times."""

    def __init__(self, documents):
        self.documents = list(documents)
        self.postings = defaultdict(list)
        self.lengths = []
        for number, document in enumerate(self.documents):
            weighted = features(document.terms)
            self.lengths.append(sum(weighted.values()))
            for feature, weight in weighted.items():
                self.postings[feature].append((number, weight))
        self.average_length = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0
        self.with_history = {document.reply_id for document in self.documents if document.is_history}

    def idf(self, feature):
        count = len(self.postings.get(feature, ()))
        return math.log(1 + (len(self.documents) - count + 0.5) / (count + 0.5))

    def document_scores(self, query_terms):
        """{document number: (score, {feature: contribution})} for every document sharing a feature."""
        scores = {}
        for feature, query_weight in features(query_terms).items():
            postings = self.postings.get(feature)
            if not postings:
                continue
            idf = self.idf(feature) * query_weight
            for number, weight in postings:
                norm = K1 * (1 - B + B * self.lengths[number] / self.average_length)
                gain = idf * weight * (K1 + 1) / (weight + norm)
                score, matched = scores.get(number, (0.0, {}))
                matched[feature] = matched.get(feature, 0.0) + gain
                scores[number] = (score + gain, matched)
        return scores


@dataclass(frozen=True)
class Suggestion:
    reply_id: int
    score: float
    #: The matched features, strongest first (a prefix feature starts with NUL).
    matched: tuple


def acceptance(shown, taken):
    """How much a reply's score keeps when it was suggested `shown` times and used `taken` of them: the smoothed
    share of suggestions the seller took, softened by a square root so that one ignored suggestion costs little."""
    return math.sqrt((1 + taken) / (1 + max(shown, taken)))


def rank(index, query_terms, allowed, feedback=None, limit=MAX_SUGGESTIONS):
    """The best saved replies for a buyer message, among the `allowed` reply ids; feedback maps reply id to
    (shown, taken) counts. Replies with history use only their history; the others their own title and text."""
    feedback = feedback or {}
    per_reply = defaultdict(list)
    for number, (score, matched) in index.document_scores(query_terms).items():
        document = index.documents[number]
        if document.reply_id not in allowed:
            continue
        if document.is_history or document.reply_id not in index.with_history:
            per_reply[document.reply_id].append((score, matched))
    ranked = []
    for reply_id, found in per_reply.items():
        best = sorted(found, key=lambda pair: pair[0], reverse=True)[:BEST_OF]
        contributions = defaultdict(float)
        for _score, matched in best:
            for feature, gain in matched.items():
                contributions[feature] += gain
        score = sum(pair[0] for pair in best) * acceptance(*feedback.get(reply_id, (0, 0)))
        strongest = tuple(sorted(contributions, key=contributions.get, reverse=True))
        ranked.append(Suggestion(reply_id, score, strongest))
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
    """The buyer's own words behind the matched features, strongest first. `words` are (word as written, its
    terms) pairs; a word that is one term is shown as written, a run of Chinese by the matched terms in it."""
    shown, strong = [], set(matched)
    for feature in matched:
        for written, word_terms in words:
            hit = [term for term in word_terms if term == feature or
                   (feature.startswith("\x00") and term.startswith(feature[1:]) and len(term) > PREFIX + 1)]
            if not hit:
                continue
            if len(word_terms) == 1:
                label = _strip_punctuation(written)
            else:  # a run of Chinese: its longest matched piece around this character or pair
                label = max((term for term in word_terms if term in strong and hit[0] in term), key=len,
                            default=hit[0])
            if label and not any(label in other for other in shown):
                shown.append(label)
            break
        if len(shown) >= limit:
            break
    return shown
