"""Dispute rules: phrases in the buyer's language and a breached clock on a troubled order make a thread a dispute;
the shop's escalation rule turns waiting disputes into draft tickets."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import exists, insert, select, update

from sellerkit.dialects.bulk import among
from sellerkit.errors import ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.shops.domain import BUYER_LANGUAGES
from sellerkit.shops.models import Shop
from sellerkit.shops.stamped import cached, renew_stamp
from sellerkit.sla.models import ResponseClock
from sellerkit.threads import services as threads
from sellerkit.threads.models import Message, Order, Thread, ThreadEvent
from sellerkit.tickets import domain
from sellerkit.tickets.models import DisputeRule, Ticket

MAX_KEYWORD = 80
PHRASE_PROBLEMS = {
    "empty": _l("This field is required."),
    "wildcard": _l("A * may only end a word or stand between two words."),
    "short_stem": _l("Give at least three letters before a *."),
    "short_chinese": _l("A Chinese phrase needs at least two characters."),
}


@dataclass(frozen=True)
class EffectiveRules:
    """The rules in force for a shop: the compiled phrase rules and whether the breach rule is on."""

    matcher: domain.Matcher
    breach: bool


@dataclass(frozen=True)
class ListedRule:
    """A phrase rule as the Dispute rules page lists it."""

    language: str
    phrase: str
    problem: str | None
    enabled: bool
    is_default: bool


def rules_of(shop_id):
    """The shop's stored rules: its own phrases, the defaults it switched on or off, and its breach rule switch.
    Defaults it never touched are not stored, so better defaults reach every shop."""
    return db.session.scalars(select(DisputeRule).where(DisputeRule.shop_id == shop_id)
                              .order_by(DisputeRule.kind, DisputeRule.language, DisputeRule.keyword)).all()


def listed_rules(shop_id):
    """Every phrase rule of the shop, the defaults first (in file order), then its own phrases."""
    stored = {(r.language, r.keyword): r for r in rules_of(shop_id) if r.kind == "keyword"}
    listed = []
    for rule in domain.default_rules():
        row = stored.pop((rule.language, rule.phrase), None)
        listed.append(ListedRule(rule.language, rule.phrase, rule.problem, row is None or row.enabled, True))
    listed.extend(ListedRule(r.language, r.keyword, r.problem, r.enabled, False) for r in stored.values())
    return listed


def effective_rules(shop):
    """The EffectiveRules in force for the shop. Every buyer message asks, so they are read and compiled once per
    process and again only after the shop changed them."""
    return cached(shop, "dispute_rules", _read_effective_rules)


def _read_effective_rules(shop):
    rows = rules_of(shop.id)
    rules = [domain.Rule(r.language, r.phrase, r.problem) for r in listed_rules(shop.id) if r.enabled]
    return EffectiveRules(domain.matcher(rules), next((r.enabled for r in rows if r.kind == "breach"), True))


def add_keyword(shop, language, keyword, now, problem=None):
    """Add the shop's own phrase rule, naming the problem it suggests a ticket topic for (or none)."""
    keyword = " ".join((keyword or "").split())
    problem = problem or None
    code = domain.phrase_problem(keyword)
    if code:
        raise ServiceError(PHRASE_PROBLEMS[code], field="keyword")
    if len(keyword) > MAX_KEYWORD:
        raise ServiceError(_l("This text is too long."), field="keyword")
    if language not in BUYER_LANGUAGES:
        raise ServiceError(_l("Choose one of the listed languages."), field="language")
    if problem is not None and problem not in domain.PROBLEMS:
        raise ServiceError(_l("Choose one of the listed problems."), field="problem")
    if any(r.language == language and r.phrase == keyword for r in listed_rules(shop.id)):
        raise ServiceError(_l("This phrase is already a rule."), field="keyword")
    db.session.add(DisputeRule(shop_id=shop.id, kind="keyword", language=language, keyword=keyword, problem=problem,
                               enabled=True, created_at=now))
    db.session.flush()
    renew_stamp(shop)


def set_rule_enabled(shop, kind, language, keyword, enabled, now):
    """Switch a rule on or off, named by what it matches; switching a default stores the shop's choice for it."""
    language, keyword = language or "", keyword or ""
    rule = db.session.scalar(select(DisputeRule).where(
        DisputeRule.shop_id == shop.id, DisputeRule.kind == kind, DisputeRule.language == language,
        DisputeRule.keyword == keyword))
    if rule is None:
        is_default = kind == "breach" or any(r.language == language and r.phrase == keyword
                                             for r in domain.default_rules())
        if not is_default:
            raise ServiceError(_l("This rule does not exist."), code="not_found", status=404)
        rule = DisputeRule(shop_id=shop.id, kind=kind, language=language, keyword=keyword, created_at=now)
        db.session.add(rule)
    rule.enabled = bool(enabled)
    db.session.flush()
    renew_stamp(shop)


def on_buyer_messages(shop, messages, now):
    """The dispute rule for new buyer messages, as (thread id, body, language) each: a thread that is not a dispute
    yet becomes one when a message holds one of the shop's phrases, with the phrases in its history. Set-wise, in
    the caller's transaction; returns {thread id: phrases} of the threads marked."""
    found, rules = {}, effective_rules(shop).matcher
    for thread_id, body, language in messages:
        if thread_id not in found:
            phrases = [rule.phrase for rule in domain.matching_rules(body, language, rules)]
            if phrases:
                found[thread_id] = phrases
    if not found:
        return {}
    calm = set(db.session.scalars(select(Thread.id).where(among(Thread.id, found), Thread.is_dispute.is_(False))))
    marked = {thread_id: phrases for thread_id, phrases in found.items() if thread_id in calm}
    if marked:
        # ORM-enabled: the session's copies of these threads are marked too.
        db.session.execute(update(Thread).where(among(Thread.id, marked)).values(is_dispute=True),
                           execution_options={"synchronize_session": "fetch"})
        db.session.execute(insert(ThreadEvent), [
            {"shop_id": shop.id, "thread_id": thread_id, "actor_id": None, "kind": kind, "data": data,
             "created_at": now}
            for thread_id, phrases in marked.items()
            for kind, data in (("dispute_marked", {}), ("dispute_rule", {"keywords": phrases[:5]}))])
    return marked


def mark_platform_disputes(shop, thread_external_ids, now):
    """Threads on which the platform itself holds a dispute (an arbitrage chat, a post-purchase issue) become
    disputes, once; named by their external ids, those not stored yet are left for later. Returns how many."""
    if not thread_external_ids:
        return 0
    found = db.session.scalars(select(Thread).where(
        Thread.shop_id == shop.id, Thread.external_id.in_(sorted(set(thread_external_ids))),
        Thread.is_dispute.is_(False))).all()
    for thread in found:
        threads.update_thread(thread, None, now, is_dispute=True)
    return len(found)


def suggested_topic(shop, profile, messages):
    """The topic key the buyer's messages (body, language) suggest by the shop's rules and the profile's topic for
    each problem; None when no rule names a problem the profile has a topic for."""
    rules = effective_rules(shop).matcher
    found = [rule for body, language in messages for rule in domain.matching_rules(body, language, rules)]
    return domain.topic_for(found, profile.problems)


def mark_breached(now):
    """The breach rule: a missed deadline on a conversation about an order that is not delivered, or whose buyer
    complained, makes it a dispute. Run after the clock sweep."""
    troubled = (Order.delivered_at.is_(None)) | exists().where(Message.thread_id == Thread.id,
                                                                 Message.is_complaint.is_(True))
    candidates = db.session.scalars(
        select(Thread).join(Order, Order.id == Thread.order_id)
        .join(ResponseClock, ResponseClock.thread_id == Thread.id)
        .where(Thread.is_dispute.is_(False), Thread.status != "resolved", ResponseClock.status == "breached",
               ResponseClock.due_at > now - timedelta(days=7), troubled).distinct()).all()
    marked = 0
    for thread in candidates:
        if effective_rules(db.session.get(Shop, thread.shop_id)).breach:
            threads.update_thread(thread, None, now, is_dispute=True)
            threads.record_event(thread, None, "dispute_rule", now, breach=True)
            marked += 1
    return marked


def escalate_waiting(now):
    """The shops' automatic escalation: a draft ticket for each open dispute that breached its deadline or waited
    the shop's number of days, once (a dispute with any ticket is left alone). Returns the new drafts."""
    from sellerkit.tickets import services as tickets

    drafts = []
    shops = db.session.scalars(select(Shop).where(Shop.escalate_on_breach.is_(True) |
                                                  Shop.escalate_after_days.is_not(None))).all()
    for shop in shops:
        due = []
        if shop.escalate_on_breach:
            due.append(exists().where(ResponseClock.thread_id == Thread.id, ResponseClock.status == "breached"))
        if shop.escalate_after_days:
            due.append(exists().where(ThreadEvent.thread_id == Thread.id, ThreadEvent.kind == "dispute_marked",
                                      ThreadEvent.created_at <= now - timedelta(days=shop.escalate_after_days)))
        waiting = db.session.scalars(select(Thread).where(
            Thread.shop_id == shop.id, Thread.is_dispute.is_(True), Thread.status != "resolved",
            ~exists().where(Ticket.thread_id == Thread.id), due[0] if len(due) == 1 else (due[0] | due[1]))).all()
        for thread in waiting:
            try:
                drafts.append(tickets.escalate(shop, thread, now, automatic=True))
            except ServiceError:
                continue  # e.g. an open ticket appeared meanwhile
    return drafts
