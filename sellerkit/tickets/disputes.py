"""Dispute rules: keywords in the buyer's language and a breached clock on a troubled order make a thread a dispute;
the shop's escalation rule turns waiting disputes into draft tickets."""
from datetime import timedelta

from sqlalchemy import exists, select

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


def rules_of(shop_id):
    """The shop's rules; a shop that never edited them has none stored and uses the defaults."""
    return db.session.scalars(select(DisputeRule).where(DisputeRule.shop_id == shop_id)
                              .order_by(DisputeRule.kind, DisputeRule.language, DisputeRule.keyword)).all()


def effective_rules(shop):
    """(keyword rules as (language, keyword), breach rule on?) in force for the shop. Every buyer message asks,
    so they are read once per process and again only after the shop changed them."""
    return cached(shop, "dispute_rules", _read_effective_rules)


def _read_effective_rules(shop):
    rows = rules_of(shop.id)
    if not rows:
        return tuple(domain.default_keywords()), True
    keywords = tuple((r.language, r.keyword) for r in rows if r.kind == "keyword" and r.enabled)
    return keywords, any(r.kind == "breach" and r.enabled for r in rows)


def _materialize(shop_id, now):
    """Store the defaults the first time the shop edits its rules, so that what it sees is what it edits."""
    if rules_of(shop_id):
        return
    db.session.add(DisputeRule(shop_id=shop_id, kind="breach", language="", keyword="", enabled=True, created_at=now))
    for language, keyword in domain.default_keywords():
        db.session.add(DisputeRule(shop_id=shop_id, kind="keyword", language=language, keyword=keyword,
                                   enabled=True, created_at=now))
    db.session.flush()


def add_keyword(shop, language, keyword, now):
    keyword = " ".join((keyword or "").split())
    if not keyword:
        raise ServiceError(_l("This field is required."), field="keyword")
    if len(keyword) > MAX_KEYWORD:
        raise ServiceError(_l("This text is too long."), field="keyword")
    if language not in BUYER_LANGUAGES:
        raise ServiceError(_l("Choose one of the listed languages."), field="language")
    _materialize(shop.id, now)
    if db.session.scalar(select(DisputeRule.id).where(DisputeRule.shop_id == shop.id, DisputeRule.kind == "keyword",
                                                      DisputeRule.language == language,
                                                      DisputeRule.keyword == keyword)):
        raise ServiceError(_l("This keyword is already a rule."), field="keyword")
    db.session.add(DisputeRule(shop_id=shop.id, kind="keyword", language=language, keyword=keyword, enabled=True,
                               created_at=now))
    db.session.flush()
    renew_stamp(shop)


def set_rule_enabled(shop, kind, language, keyword, enabled, now):
    """Switch a rule on or off, named by what it matches (a default the shop never stored is stored first)."""
    _materialize(shop.id, now)
    rule = db.session.scalar(select(DisputeRule).where(
        DisputeRule.shop_id == shop.id, DisputeRule.kind == kind, DisputeRule.language == (language or ""),
        DisputeRule.keyword == (keyword or "")))
    if rule is None:
        raise ServiceError(_l("This rule does not exist."), code="not_found", status=404)
    rule.enabled = bool(enabled)
    db.session.flush()
    renew_stamp(shop)


def on_buyer_message(shop, thread, message, now):
    """Mark the thread a dispute when the buyer's message holds one of the shop's keywords; returns them."""
    if thread.is_dispute:
        return []
    keywords, _breach = effective_rules(shop)
    found = domain.matching_keywords(message.body, message.language, keywords)
    if found:
        threads.update_thread(thread, None, now, is_dispute=True)
        threads.record_event(thread, None, "dispute_rule", now, keywords=found[:5])
    return found


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
        if effective_rules(db.session.get(Shop, thread.shop_id))[1]:
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
