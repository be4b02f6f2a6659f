"""Pure ticket rules: the lifecycle and its moves, the platform's limits and intervals, dispute phrases, topics."""
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from sellerkit.textfold import fold

LIFECYCLES = ("draft", "new", "in_review", "awaiting_details", "answered", "resolved", "closed", "cancelled")
OPEN = ("draft", "new", "in_review", "awaiting_details", "answered")
#: What support can set a filed ticket to (recorded by the seller, or by a mail or the API).
SUPPORT_STATUSES = ("in_review", "awaiting_details", "answered", "resolved", "closed")
MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_COMMENT = 2000

#: What a dispute rule says went wrong, in the order a ticket is filed on when a buyer names several: an escalation
#: to the platform or the bank, then the cause, then the money asked back, then a cancellation (whose reasons, "I
#: changed my mind", also come with refunds). Profiles map each to a topic.
PROBLEMS = ("chargeback", "case", "not_received", "damaged", "not_as_described", "wrong_item", "refund", "cancel")
#: The shortest stem a wildcard may end ("сло*" would find half the dictionary), and the shortest Chinese phrase.
MIN_STEM = 3
MIN_CJK = 2
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def ticket_number(ticket_id):
    """A ticket's own number in sellerkit, unique across every shop."""
    return f"SK-{ticket_id:06d}"


@dataclass(frozen=True)
class Rule:
    """A dispute rule: a phrase in a buyer language, and the problem it names (None for a shop's own phrase that
    names none)."""

    language: str
    phrase: str
    problem: str | None = None


#: Buyers mix English words into messages in every language ("بسته damaged رسید"): English phrases count in all.
MIXED_IN = "en"


@lru_cache(maxsize=1)
def _defaults():
    """(rules, {language: traps}, {language: before-buying phrases}) from dispute_phrases.toml."""
    data = tomllib.loads((resources.files("sellerkit.tickets") / "dispute_phrases.toml").read_text("utf-8"))
    rules = []
    for language, table in data.items():
        for problem in PROBLEMS:
            rules.extend(Rule(language, phrase, problem) for phrase in dict.fromkeys(table.get(problem, ())))
    return (tuple(rules), {language: tuple(table.get("traps", ())) for language, table in data.items()},
            {language: tuple(table.get("before_buying", ())) for language, table in data.items()})


def default_rules():
    """The rules a shop starts with, in file order (language, problem, phrase)."""
    return _defaults()[0]


def rules_page(rules, after, limit):
    """A page of one language's rules, the shop's own phrases first: the `limit` rules after the phrase `after` (from
    the start when no rule has it), and the phrase to continue after (None on the last page)."""
    ordered = [rule for rule in rules if not rule.is_default] + [rule for rule in rules if rule.is_default]
    phrases = [rule.phrase for rule in ordered]
    start = phrases.index(after) + 1 if after in phrases else 0
    page = ordered[start:start + limit]
    return page, (page[-1].phrase if start + limit < len(ordered) else None)


def phrase_problem(phrase):
    """Why a phrase cannot be a rule, as a code, or None: no word at all, a wildcard inside a word, after fewer than
    MIN_STEM letters or alone at either end, a Chinese phrase of a single character."""
    words = fold(phrase, keep="*").split()
    if not any(word.strip("*") for word in words):
        return "empty"
    if "*" in (words[0], words[-1]):
        return "wildcard"
    for word in words:
        stem = word[:-1] if word.endswith("*") else word
        if "*" in stem:
            return "wildcard"
        if word.endswith("*") and word != "*" and len(stem) < MIN_STEM:
            return "short_stem"
    if _CJK.search(phrase) and len(fold(phrase).replace(" ", "")) < MIN_CJK:
        return "short_chinese"
    return None


@lru_cache(maxsize=8192)
def _pattern(phrase):
    """The compiled phrase for folded text between two spaces: whole words, each after a space and the last before
    one (a trailing * any ending, a lone * up to three words), or for Chinese the folded characters anywhere. A
    literal space first lets the regex engine scan for it quickly. None for a phrase that cannot match."""
    folded = fold(phrase, keep="*")
    if phrase_problem(phrase):
        return None
    if _CJK.search(folded):
        return re.compile(re.escape(folded.replace("*", "")))
    pattern = ""
    for word in folded.split():
        if word == "*":
            pattern += r"(?: \S+){0,3}"
        else:
            pattern += " " + (re.escape(word[:-1]) + r"\S*" if word.endswith("*") else re.escape(word))
    return re.compile(pattern + "(?= )")


def _patterns(phrases_by_language):
    return {language: tuple(p for p in map(_pattern, phrases) if p is not None)
            for language, phrases in phrases_by_language.items()}


@dataclass(frozen=True)
class Matcher:
    """Rules, traps and before-buying phrases per language, compiled; built once per set of rules. `any_rule` finds
    whether any rule of a language may be in a text at all, in one pass: most messages hold none."""

    rules: dict
    any_rule: dict
    traps: dict
    before_buying: dict


def matcher(rules):
    """A Matcher for rules (Rule objects) with the built-in traps and before-buying phrases."""
    by_language = {}
    for rule in rules:
        pattern = _pattern(rule.phrase)
        if pattern is not None:
            by_language.setdefault(rule.language, []).append((pattern, rule))
    any_rule = {language: re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _rule in found))
                for language, found in by_language.items()}
    _rules, traps, before_buying = _defaults()
    return Matcher({language: tuple(found) for language, found in by_language.items()}, any_rule,
                   _patterns(traps), _patterns(before_buying))


def _overlaps(span, others):
    return any(span[0] < end and start < span[1] for start, end in others)


def matching_rules(body, language, rules):
    """The rules (a Matcher) a buyer message holds, in rule order. Rules of the message's language (all, when it
    is unknown) and English ones are matched on folded text; a rule does not count where a trap of its language
    is found at the same words, nor inside a longer rule found (টাকা ফেরত পাইনি is about a refund, not about
    পাইনি), and none counts in a question asked before buying."""
    text = f" {fold(body)} "
    languages = list(dict.fromkeys([language, MIXED_IN])) if language else list(rules.rules)
    spans = []
    for lang in languages:
        if lang not in rules.any_rule or not rules.any_rule[lang].search(text):
            continue
        hits = [(rule, found) for pattern, rule in rules.rules.get(lang, ())
                if (found := [match.span() for match in pattern.finditer(text)])]
        if not hits:
            continue
        traps = [match.span() for trap in rules.traps.get(lang, ()) for match in trap.finditer(text)]
        for rule, found in hits:
            span = next((span for span in found if not _overlaps(span, traps)), None)
            if span:
                spans.append((span, rule))
    if not spans or any(p.search(text) for lang in languages for p in rules.before_buying.get(lang, ())):
        return []
    return [rule for (start, end), rule in spans
            if not any(s <= start and end <= e and e - s > end - start for (s, e), _other in spans)]


def suggested_problem(found):
    """The problem the rules found point to (the first of PROBLEMS among theirs), or None."""
    problems = {rule.problem for rule in found}
    return next((problem for problem in PROBLEMS if problem in problems), None)


def topic_for(found, problem_topics):
    """The topic key to suggest for the rules found, by the profile's {problem: topic key}: the first problem
    found that the profile has a topic for; None when there is none."""
    problems = {rule.problem for rule in found}
    return next((problem_topics[p] for p in PROBLEMS if p in problems and p in problem_topics), None)


@dataclass(frozen=True)
class FileInfo:
    attachment_id: int
    size: int
    included: bool


def file_problems(files, limits):
    """What breaks the platform's attachment limits, as codes with details: too_many (count, max), too_large
    (attachment ids), total_too_large (total, max). Only included files count."""
    chosen = [f for f in files if f.included]
    problems = []
    if len(chosen) > limits.max_files:
        problems.append(("too_many", len(chosen), limits.max_files))
    large = [f.attachment_id for f in chosen if f.size > limits.max_file_bytes]
    if large:
        problems.append(("too_large", large, limits.max_file_bytes))
    total = sum(f.size for f in chosen)
    if total > limits.max_total_bytes:
        problems.append(("total_too_large", total, limits.max_total_bytes))
    return problems


def next_allowed_at(last_same_topic_at, interval):
    """When a new ticket on the topic may be filed (None: now), by the platform's minimum interval."""
    if last_same_topic_at is None or not interval:
        return None
    return last_same_topic_at + interval


def filing_problem(title, description, has_order, required_fields):
    """The first missing thing a ticket needs before filing, as (field, code), or None."""
    if not (title or "").strip():
        return "title", "required"
    if len(title.strip()) > MAX_TITLE:
        return "title", "too_long"
    if not (description or "").strip():
        return "description", "required"
    if len(description) > MAX_TEXT:
        return "description", "too_long"
    if "order_reference" in required_fields and not has_order:
        return "order", "order_required"
    return None


def move_problem(lifecycle, move, rating=None):
    """Why a move is not possible from `lifecycle` (a code), or None. Moves: file, support_reply, add_details,
    rate, cancel. Support may still write after resolving; a rating completes an answered or resolved ticket."""
    if move == "rate":
        if lifecycle not in ("answered", "resolved"):
            return "not_answered"
        return None if isinstance(rating, int) and 1 <= rating <= 5 else "rating_range"
    if move == "support_reply" and lifecycle == "resolved":
        return None
    if lifecycle not in OPEN:
        return "ended"
    if move == "file":
        return None if lifecycle == "draft" else "already_filed"
    if lifecycle == "draft" and move != "cancel":
        return "not_filed"
    return None


def after_move(lifecycle, move, support_status=None):
    """The lifecycle after a permitted move."""
    if move == "file":
        return "new"
    if move == "support_reply":
        return support_status or "answered"
    if move == "add_details":
        return "in_review" if lifecycle == "awaiting_details" else lifecycle
    if move == "rate":
        return "closed"
    if move == "cancel":
        return "cancelled"
    return lifecycle


def auto_close_due(lifecycle, changed_at, auto_close_from, after, now):
    """True when the platform closes the ticket by itself now: it sat in one of those lifecycles long enough."""
    return bool(after) and lifecycle in auto_close_from and changed_at + after <= now
