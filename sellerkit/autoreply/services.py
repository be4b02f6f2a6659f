"""Vacation actions: plan, end early, find the active one, and decide whether a buyer message gets an auto-reply."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, literal, select
from sqlalchemy.orm import joinedload

from sellerkit.autoreply import domain
from sellerkit.autoreply.models import (
    AutoReplySent,
    AwayMessage,
    AwayReplySent,
    Vacation,
    VacationMessage,
)
from sellerkit.errors import ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import buyer_date
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.replies.domain import choose_variant, render
from sellerkit.shops.domain import BUYER_LANGUAGES
from sellerkit.shops.services import require_owner
from sellerkit.shops.stamped import cached, renew_stamp
from sellerkit.sla.domain import closed_since, hours_of, rule_for
from sellerkit.threads.models import Message, Thread

PROBLEMS = {
    "ends_before_start": _l("The vacation must end after it starts."),
    "too_long": _l("A vacation can last at most 365 days."),
    "overlap": _l("This vacation overlaps another one; change or end that one first."),
    "default_language_missing": _l("Write the message at least in the shop's default language."),
}


def vacations_of(shop_id):
    return db.session.scalars(select(Vacation).where(Vacation.shop_id == shop_id)
                              .order_by(Vacation.starts_at.desc())).all()


def _local_midnight(day, zone):
    return datetime.combine(day, time(0), tzinfo=zone)


def plan_vacation(membership, first_day, last_day, bodies, now):
    """A vacation from the start of `first_day` to the end of `last_day`, in the shop's timezone; owners only."""
    require_owner(membership)
    shop = membership.shop
    zone = ZoneInfo(shop.timezone)
    starts_at, ends_at = _local_midnight(first_day, zone), _local_midnight(last_day + timedelta(days=1), zone)
    others = [(v.starts_at, v.ends()) for v in vacations_of(shop.id)]
    bodies = {language: (body or "").strip() for language, body in bodies.items() if language in BUYER_LANGUAGES}
    problem = domain.vacation_problem(starts_at, ends_at, others, bodies, shop.default_language)
    if problem:
        field, code, detail = problem
        if code == "unknown_placeholder":
            raise ServiceError(_l("Unknown placeholder: %(names)s. Use one from the list.", names=detail), field=field)
        raise ServiceError(PROBLEMS[code], field=field)
    vacation = Vacation(shop_id=shop.id, starts_at=starts_at, ends_at=ends_at, created_at=now)
    vacation.messages = [VacationMessage(language=language, body=body) for language, body in bodies.items() if body]
    db.session.add(vacation)
    db.session.flush()
    renew_stamp(shop)
    return vacation


def end_early(membership, vacation_id, now):
    require_owner(membership)
    vacation = db.session.get(Vacation, vacation_id)
    if vacation is None or vacation.shop_id != membership.shop_id or \
            not domain.is_active(vacation.starts_at, vacation.ends_at, vacation.ended_early_at, now):
        raise ServiceError(_l("Only a vacation in progress can be ended."), code="not_active")
    vacation.ended_early_at = now
    renew_stamp(membership.shop)


def _vacation_facts(shop):
    return tuple(domain.VacationFacts(v.id, v.starts_at, v.ends_at, v.ended_early_at, v.bodies)
                 for v in db.session.scalars(select(Vacation).where(Vacation.shop_id == shop.id)
                                             .options(joinedload(Vacation.messages))).unique())


def _vacations(shop):
    """The shop's vacations (VacationFacts). Every buyer message asks, so they are read once per process and
    again only after one of them changed (shops.stamped)."""
    return cached(shop, "vacations", _vacation_facts)


def vacation_in_progress(shop, now):
    """The shop's vacation in progress (VacationFacts), or None."""
    return next((v for v in _vacations(shop) if domain.is_active(v.starts_at, v.ends_at, v.ended_early_at, now)),
                None)


def return_day(shop, now):
    """The day the seller is back (in the shop's timezone): the end of the vacation in progress, else of the
    next planned one; None when none is planned. Vacations never overlap, so the earliest one not over yet is
    the one in progress if there is one."""
    vacation = min((v for v in _vacations(shop) if v.ends() > now), key=lambda v: v.starts_at, default=None)
    return vacation.ends().astimezone(ZoneInfo(shop.timezone)).date() if vacation else None


def planner(shop, now):
    """What the seller should know before leaving: whether auto-replies reach buyers at all (a shop that sends
    replies by hand has nobody to send them while away) and count as answers, and how many buyers wait."""
    waiting = db.session.scalar(select(func.count()).select_from(Thread).where(
        Thread.shop_id == shop.id, Thread.waiting_since.is_not(None), Thread.status != "resolved"))
    return {"auto_reply_counts": rule_for(shop.platform).auto_reply_counts, "waiting": waiting,
            "sent_by_hand": shop.reply_transport == "manual"}


def away_bodies(shop_id):
    return {m.language: m.body for m in db.session.scalars(select(AwayMessage).where(AwayMessage.shop_id == shop_id))}


def save_away(membership, enabled, bodies):
    """Switch away replies outside business hours on or off, with their message per language; owners only."""
    require_owner(membership)
    shop = membership.shop
    bodies = {language: (body or "").strip() for language, body in bodies.items() if language in BUYER_LANGUAGES}
    if enabled and not bodies.get(shop.default_language):
        raise ServiceError(PROBLEMS["default_language_missing"], field=f"away_{shop.default_language}")
    for language, body in bodies.items():
        wrong = domain.unknown_placeholders(body) + [
            name for name in domain.used_placeholders(body) if name not in domain.AWAY_PLACEHOLDERS]
        if wrong:
            raise ServiceError(_l("Unknown placeholder: %(names)s. Use one from the list.",
                                  names=", ".join(dict.fromkeys(wrong))), field=f"away_{language}")
    shop.away_replies_enabled = bool(enabled)
    existing = {m.language: m for m in db.session.scalars(select(AwayMessage).where(AwayMessage.shop_id == shop.id))}
    for language, message in existing.items():
        if not bodies.get(language):
            db.session.delete(message)
    for language, body in bodies.items():
        if body and language in existing:
            existing[language].body = body
        elif body:
            db.session.add(AwayMessage(shop_id=shop.id, language=language, body=body))
    db.session.flush()


@dataclass(frozen=True)
class Occasion:
    """Why the shop answers automatically now: a vacation, or being closed since `period_start`."""

    vacation: object = None
    period_start: object = None


def current_occasion(shop, now):
    vacation = vacation_in_progress(shop, now)
    if vacation is not None:
        return Occasion(vacation=vacation)
    if shop.away_replies_enabled:
        closed = closed_since(now, hours_of(shop))
        if closed is not None:
            return Occasion(period_start=closed)
    return None


def decide(shop, thread, message, buyer, now, first_contact=False):
    """(Occasion or None, Decision) for a buyer message just received. `first_contact`: the buyer and the thread
    are new with this message, so they have no history and the database is not asked for one."""
    occasion = current_occasion(shop, now)
    headers = message.headers or {}
    incoming = domain.Incoming(kind=message.kind, headers=headers, sender=headers.get("from") or buyer.email,
                               is_ours=str(headers.get("message-id", "")).startswith("<sellerkit."))
    history = domain.NO_HISTORY if first_contact else _history(occasion, thread, buyer)
    return occasion, domain.decide(incoming, occasion is not None, history, now)


def _history(occasion, thread, buyer):
    if occasion is None:
        answered = literal(False)
    elif occasion.vacation is not None:
        answered = exists().where(AutoReplySent.vacation_id == occasion.vacation.id,
                                  AutoReplySent.thread_id == thread.id)
    else:
        answered = exists().where(AwayReplySent.thread_id == thread.id,
                                  AwayReplySent.period_start == occasion.period_start)
    # What the rules need to know of the past, in one statement: this runs for every buyer message.
    row = db.session.execute(select(
        answered.label("answered"),
        select(func.max(AutoReplySent.sent_at)).where(AutoReplySent.buyer_id == buyer.id).scalar_subquery()
        .label("last_vacation_reply"),
        select(func.max(AwayReplySent.sent_at)).where(AwayReplySent.buyer_id == buyer.id).scalar_subquery()
        .label("last_away_reply"),
        select(func.max(Message.posted_at)).where(Message.thread_id == thread.id, Message.kind == "reply")
        .scalar_subquery().label("last_seller_reply"))).one()
    last_to_buyer = max([moment for moment in (row.last_vacation_reply, row.last_away_reply) if moment is not None],
                        default=None)
    return domain.History(replied_in_thread_this_period=bool(row.answered),
                          last_auto_reply_to_buyer_at=last_to_buyer, last_seller_reply_at=row.last_seller_reply)


def occasion_text(occasion, shop, thread, buyer):
    if occasion.vacation is not None:
        return vacation_text(occasion.vacation, shop, thread, buyer)
    language, body = choose_variant(away_bodies(shop.id), thread.language, shop.default_language)
    if body is None:
        return None
    return render(body, {"shop_name": shop.name, "buyer_name": buyer.display_name or None}).text


def vacation_text(vacation, shop, thread, buyer):
    """The vacation message in the buyer's language (else the shop's), with the return date written for them."""
    language, body = choose_variant(vacation.bodies, thread.language, shop.default_language)
    if body is None:
        return None
    back = vacation.ends().astimezone(ZoneInfo(shop.timezone)).date()
    values = {"vacation_return_date": buyer_date(back, language),
              "shop_name": shop.name, "buyer_name": buyer.display_name or None}
    return render(body, values).text


def record_sent(occasion, thread, buyer, message, now):
    if occasion.vacation is not None:
        db.session.add(AutoReplySent(vacation_id=occasion.vacation.id, thread_id=thread.id, buyer_id=buyer.id,
                                     message_id=message.id, sent_at=now))
    else:
        db.session.add(AwayReplySent(shop_id=thread.shop_id, thread_id=thread.id, buyer_id=buyer.id,
                                     message_id=message.id, period_start=occasion.period_start, sent_at=now))
    db.session.flush()
