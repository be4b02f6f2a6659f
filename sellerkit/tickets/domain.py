"""Pure ticket rules: the lifecycle and its moves, the platform's limits and intervals, dispute keywords, topics."""
from dataclasses import dataclass

from sellerkit.consent.domain import normalize

LIFECYCLES = ("draft", "new", "in_review", "awaiting_details", "answered", "resolved", "closed", "cancelled")
OPEN = ("draft", "new", "in_review", "awaiting_details", "answered")
#: What support can set a filed ticket to (recorded by the seller, or by a mail or the API).
SUPPORT_STATUSES = ("in_review", "awaiting_details", "answered", "resolved", "closed")
MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_COMMENT = 2000


def ticket_number(ticket_id):
    """A ticket's own number in sellerkit, unique across every shop."""
    return f"SK-{ticket_id:06d}"

#: Dispute keywords per problem and language: the shop's rules start from these, and the problem found
#: suggests the ticket's topic (every profile has these topic keys).
PROBLEM_KEYWORDS = {
    "order_not_received": {
        "en": ("not received", "never arrived", "didn't arrive", "did not arrive", "hasn't arrived"),
        "ru": ("не получил", "не получила", "не пришел", "не пришёл", "не пришла", "не пришло"),
        "pl": ("nie otrzymałem", "nie otrzymałam", "nie dotarła", "nie dotarło", "nie doszła"),
        "zh": ("没收到", "未收到", "还没到"),
        "bn": ("পাইনি", "এখনও আসেনি", "পৌঁছায়নি"),
        "fa": ("دریافت نکردم", "نرسیده", "به دستم نرسید"),
    },
    "refund_request": {
        "en": ("refund", "money back"), "ru": ("вернуть деньги", "верните деньги", "возврат"),
        "pl": ("zwrot pieniędzy", "zwrot"), "zh": ("退款", "退钱"), "bn": ("রিফান্ড", "টাকা ফেরত"),
        "fa": ("بازپرداخت", "استرداد وجه", "پول را برگردانید"),
    },
    "item_damaged": {
        "en": ("broken", "damaged", "cracked"), "ru": ("сломан", "разбит", "поврежд", "трещин", "брак"),
        "pl": ("uszkodzon", "zepsut", "pęknięt"), "zh": ("坏了", "破损", "损坏"), "bn": ("ভাঙা", "নষ্ট", "ক্ষতিগ্রস্ত"),
        "fa": ("شکسته", "خراب", "آسیب دیده"),
    },
    "chargeback": {
        "en": ("chargeback", "dispute with my bank"), "ru": ("чарджбэк", "оспорю платеж"),
        "pl": ("chargeback", "obciążenie zwrotne"), "zh": ("拒付", "银行争议"), "bn": ("চার্জব্যাক",),
        "fa": ("چارج بک", "شکایت به بانک"),
    },
    "case": {
        "en": ("open a case", "case"), "ru": ("открою спор", "спор"), "pl": ("otworzę spór", "spór"),
        "zh": ("纠纷", "投诉"), "bn": ("কেস", "অভিযোগ"), "fa": ("شکایت", "پرونده"),
    },
}
#: The ticket topic each problem suggests ("case" is the platform's case about a refund).
PROBLEM_TOPICS = {"order_not_received": "order_not_received", "refund_request": "refund_request",
                  "item_damaged": "item_damaged", "chargeback": "chargeback", "case": "refund_request"}


def default_keywords():
    """(language, keyword) pairs the shop's keyword rules start with."""
    return sorted({(language, keyword) for by_language in PROBLEM_KEYWORDS.values()
                   for language, keywords in by_language.items() for keyword in keywords})


def matching_keywords(body, language, rules):
    """The rule keywords found in a buyer message: rules of the message's language (all, when unknown), matched
    after folding case, punctuation and Arabic/Persian letters; "case" must be a whole word."""
    text = f" {normalize(body)} "
    found = []
    for rule_language, keyword in rules:
        if language and rule_language != language:
            continue
        folded = normalize(keyword)
        if folded and (f" {folded} " in text if folded.isascii() else folded in text):
            found.append(keyword)
    return found


def suggested_topic(texts):
    """The topic key the buyer's own words point to, first problem first; None when none is recognised."""
    for problem, by_language in PROBLEM_KEYWORDS.items():
        pairs = [(language, keyword) for language, keywords in by_language.items() for keyword in keywords]
        if any(matching_keywords(text, None, pairs) for text in texts):
            return PROBLEM_TOPICS[problem]
    return None


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
