"""Response-clock actions: open one for a buyer message, stop it with a reply, and sweep for warnings and breaches."""
from array import array
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import (
    Integer,
    and_,
    delete,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm.attributes import set_committed_value

from sellerkit.accounts.models import User
from sellerkit.database import epoch_seconds
from sellerkit.dialects.bulk import insert_rows
from sellerkit.dialects.upsert import dialect_insert
from sellerkit.errors import ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.live import events as live
from sellerkit.shops.models import Membership, Shop
from sellerkit.sla import domain
from sellerkit.sla.models import Notification, ResponseClock, ResponseDay
from sellerkit.sla.stats import (
    DayCount,
    answered_days,
    day_starts,
    local_day,
    overdue_slot,
    window,
)
from sellerkit.threads.models import Message, Thread, ThreadEvent


def rule_overrides(shop):
    """The shop's changes to its platform's rule, as ResponseRule fields (unset ones are left out)."""
    overrides = {}
    if shop.response_hours is not None:
        overrides["allowed"] = timedelta(hours=shop.response_hours)
    if shop.response_business_hours_only is not None:
        overrides["business_hours_only"] = shop.response_business_hours_only
    if shop.response_auto_reply_counts is not None:
        overrides["auto_reply_counts"] = shop.response_auto_reply_counts
    if shop.response_warning_hours is not None:
        overrides["warning_lead"] = timedelta(hours=shop.response_warning_hours)
    return overrides


def shop_rule(shop):
    return domain.rule_for(shop.platform, rule_overrides(shop))


def open_clock(thread):
    """The thread's running clock: the one read with the thread (thread_for loads it) or started in this
    request when there is one, else from the database."""
    if "open_clock" not in inspect(thread).unloaded:
        clock = thread.open_clock
        return clock if clock is not None and clock.status == "open" else None
    return db.session.scalar(select(ResponseClock).where(ResponseClock.thread_id == thread.id,
                                                         ResponseClock.status == "open"))


def on_buyer_message(shop, thread, message, is_new_thread):
    """Start the thread's clock under the platform's rule, unless one is already running (one per thread).

    Etsy counts only a new thread's first message; other platforms every buyer message left waiting. Machine mail
    (an out-of-office, a bounce) waits for nobody and starts none.
    """
    if message.is_automatic:
        return None if is_new_thread else open_clock(thread)
    rule = shop_rule(shop)
    if rule.starts_on == "first_message" and not is_new_thread:
        return open_clock(thread)
    existing = None if is_new_thread else open_clock(thread)  # a thread made just now has no clock yet
    if existing is not None:
        return existing
    return _start_clock(shop, thread, message, rule)


def _start_clock(shop, thread, message, rule):
    due = domain.deadline(message.posted_at, rule.allowed, domain.hours_of(shop) if rule.business_hours_only else None)
    clock = ResponseClock(shop_id=shop.id, thread_id=thread.id, message_id=message.id, started_at=message.posted_at,
                          due_at=due, warn_at=domain.warning_time(due, rule.warning_lead), status="open")
    db.session.add(clock)
    db.session.flush()
    set_committed_value(thread, "open_clock", clock)  # what follows in this request (an auto-reply) finds it
    return clock


def on_reply_delivered(shop, thread, message, delivered_at, by_hand):
    """A reply the buyer can see now (a transport sent it, or the seller marked it sent by hand) stops the clock
    it answers as met or breached, timed by that moment: a reply that waits in the outbox has answered nobody yet.

    An auto-reply counts only where the platform counts it, and never when sent by hand: nobody copies a vacation
    message while away. A reply written before the clock's message arrived does not answer it. Where every buyer
    message is counted, a message the buyer wrote while the reply waited gets its own clock then.
    """
    clock = open_clock(thread)
    rule = shop_rule(shop)
    if message.kind == "auto_reply":
        counts = rule.auto_reply_counts and not by_hand
    else:
        counts = message.kind == "reply"
    if clock is None or not counts or message.posted_at < clock.started_at:
        return clock
    clock.status = "met" if delivered_at <= clock.due_at else "breached"
    clock.stopped_by, clock.stopped_at = ("auto_reply" if message.kind == "auto_reply" else "reply"), delivered_at
    _count_answer(shop, clock)
    db.session.flush()  # the stopped clock leaves the one-open-clock index before another may open
    set_committed_value(thread, "open_clock", None)
    if rule.starts_on == "every_message" and thread.waiting_since is not None and thread.status != "resolved":
        # Not the message just answered: an auto-reply leaves the thread waiting since that very message.
        waiting = db.session.scalar(select(Message).where(
            Message.thread_id == thread.id, Message.kind == "buyer", Message.is_automatic.is_(False),
            Message.id != clock.message_id, Message.posted_at >= max(thread.waiting_since, clock.started_at))
            .order_by(Message.posted_at, Message.id).limit(1))
        if waiting is not None:
            return _start_clock(shop, thread, waiting, rule)
    return None


def _count_answer(shop, clock):
    """Add a stopped clock to its local day's row in one statement, so two replies at once both count."""
    on_time = int(clock.status == "met")
    seconds = round((clock.stopped_at - clock.started_at).total_seconds())
    table = ResponseDay.__table__
    insert = dialect_insert(db.session, table).values(
        shop_id=shop.id, zone=shop.timezone, day=local_day(clock.started_at.timestamp(), ZoneInfo(shop.timezone)),
        on_time=on_time, breaches=1 - on_time, response_seconds=str(seconds))
    db.session.execute(insert.on_conflict_do_update(index_elements=["shop_id", "zone", "day"], set_={
        "on_time": table.c.on_time + insert.excluded.on_time, "breaches": table.c.breaches + insert.excluded.breaches,
        "response_seconds": table.c.response_seconds + "," + insert.excluded.response_seconds}))


def recount_days(shop):
    """Count a shop's answered clocks into its days again: after its timezone changed (its days begin at other
    moments) and after clocks were written in bulk, which bypasses on_reply_delivered."""
    clocks = db.session.connection().execute(select(
        epoch_seconds(ResponseClock.started_at), epoch_seconds(ResponseClock.due_at),
        epoch_seconds(ResponseClock.stopped_at), ResponseClock.status).where(
        ResponseClock.shop_id == shop.id, ResponseClock.status.in_(("met", "breached")))).all()
    db.session.execute(delete(ResponseDay).where(ResponseDay.shop_id == shop.id))
    insert_rows(ResponseDay.__table__, [
        {"shop_id": shop.id, "zone": shop.timezone, "day": day, "on_time": count.on_time, "breaches": count.breaches,
         "response_seconds": ",".join(map(str, count.seconds))}
        for day, count in answered_days(clocks, ZoneInfo(shop.timezone)).items()])


def mark_no_reply_needed(thread, actor, now):
    """A thanks or spam needs no answer: the clock leaves the statistics and the thread stops waiting."""
    clock = open_clock(thread)
    if clock is None and thread.waiting_since is None:
        raise ServiceError(_l("Nothing is waiting for a reply in this conversation."), code="not_waiting")
    if clock is not None:
        clock.status, clock.stopped_by, clock.stopped_at = "exempt", "no_reply_needed", now
    thread.waiting_since = None
    db.session.add(ThreadEvent(shop_id=thread.shop_id, thread_id=thread.id, actor_id=actor.id,
                               kind="no_reply_needed", data={}, created_at=now))
    live.publish(thread.shop_id, "thread", thread.id, now)


def _record(claimed, kind, now):
    """The notifications and history events of the clocks a sweep claimed, rows of (clock, shop, thread): two
    set-wise inserts, so a scheduler back from an outage records ten thousand breaches in seconds."""
    if claimed:
        event = "response_warning" if kind == "warning" else "response_breached"
        db.session.execute(insert(Notification.__table__), [
            {"shop_id": shop_id, "thread_id": thread_id, "clock_id": clock_id, "kind": kind, "created_at": now}
            for clock_id, shop_id, thread_id in claimed])
        db.session.execute(insert(ThreadEvent.__table__), [
            {"shop_id": shop_id, "thread_id": thread_id, "actor_id": None, "kind": event,
             "data": {"clock_id": clock_id}, "created_at": now} for clock_id, shop_id, thread_id in claimed])
        live.publish_many([(shop_id, thread_id) for _clock_id, shop_id, thread_id in claimed], kind, now)
    return len(claimed)


def sweep(now):
    """Record due warnings and breaches, each exactly once: the guarded UPDATE claims a clock for this sweep
    only if no sweep did before, so running it twice, or in two processes, records nothing new.

    A warning whose deadline has already passed (the scheduler was down) is not sent: the breach says more.
    Clocks stopped by a reply are not open, so nothing stale is recorded for answered threads.
    """
    claimed = (ResponseClock.id, ResponseClock.shop_id, ResponseClock.thread_id)
    warned = db.session.execute(
        update(ResponseClock).where(ResponseClock.status == "open", ResponseClock.warned_at.is_(None),
                                    ResponseClock.warn_at <= now, ResponseClock.due_at > now)
        .values(warned_at=now).returning(*claimed)).all()
    breached = db.session.execute(
        update(ResponseClock).where(ResponseClock.status == "open", ResponseClock.breached_at.is_(None),
                                    ResponseClock.due_at <= now)
        .values(breached_at=now).returning(*claimed)).all()
    return _record(warned, "warning", now), _record(breached, "breach", now)


def notifications_for(shop_ids, limit=100):
    return db.session.execute(
        select(Notification, Thread, Shop).join(Thread, Thread.id == Notification.thread_id)
        .join(Shop, Shop.id == Notification.shop_id).where(Notification.shop_id.in_(shop_ids))
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)).all()


WINDOWS = (7, 30, 90)


#: How many days of answers a process keeps sorted for the dashboards (a few KB each); past that it starts over.
SORTED_DAYS_KEPT = 5000
_SORTED_DAYS = "sellerkit.sorted_response_days"


def _answered_days(shops, first_day):
    """(date, DayCount) of the shops' answered clocks from `first_day` on, each shop's days in its own timezone.

    A row's response times come as text, each answer appended as it happens; parsing and sorting them all was
    most of the dashboard's work and grew with the number of answers. A process keeps each row's times sorted,
    for as long as the row has the same counts and length: a new answer changes both, and a recount after a
    change of timezone writes rows of another zone. So past days are parsed once, and only today's again."""
    if not shops:
        return []
    by_id = {shop.id: shop for shop in shops}
    rows = db.session.connection().execute(select(
        ResponseDay.shop_id, ResponseDay.zone, ResponseDay.day, ResponseDay.on_time, ResponseDay.breaches,
        ResponseDay.response_seconds).where(
        or_(*(and_(ResponseDay.shop_id == shop.id, ResponseDay.zone == shop.timezone) for shop in shops)),
        ResponseDay.day >= first_day))
    kept = current_app.extensions.setdefault(_SORTED_DAYS, {})
    answered = []
    for shop_id, zone, day, on_time, breaches, seconds in rows:
        # With the shop's creation time: an id that a restored database gave another shop is another shop.
        key = (shop_id, by_id[shop_id].created_at, zone, day, on_time, breaches, len(seconds))
        times = kept.get(key)
        if times is None:
            if len(kept) >= SORTED_DAYS_KEPT:
                kept.clear()
            times = kept[key] = array("l", sorted(map(int, seconds.split(","))))
        answered.append((day, DayCount(on_time, breaches, times)))
    return answered


def _figures(shops, rule, zone, days, now):
    """The figures of the shops' last `days` local days (in `zone`) from a row a day of answered clocks, and the
    clocks still open past their deadline (breaches without an answer, which only time makes), however many
    conversations there are."""
    moment = now.timestamp()
    dates, starts = day_starts(moment, days, zone)
    slot = overdue_slot(starts)
    # Written into the SQL rather than bound, so that the grouped and the selected expression are the same text.
    stretch = epoch_seconds(ResponseClock.started_at) // literal(slot, Integer, literal_execute=True)
    overdue = db.session.connection().execute(select(stretch, func.count()).where(
        ResponseClock.shop_id.in_([shop.id for shop in shops]), ResponseClock.status == "open",
        ResponseClock.started_at >= datetime.fromtimestamp(starts[0], UTC), ResponseClock.due_at <= now)
        .group_by(stretch))
    overdue = [(index * slot, count) for index, count in overdue]
    return (rule, *window(_answered_days(shops, dates[0]), overdue, rule.target_rate, dates, starts))


def dashboard(shop, days, now):
    """The response figures of a shop over the last `days`: (rule, Summary, daily series), from two queries."""
    return _figures([shop], shop_rule(shop), ZoneInfo(shop.timezone), days, now)


def platform_dashboard(shops, platform, days, now):
    """The same figures for all the given shops on one platform, judged by the platform's own rule; the days
    are the first shop's (each shop's answers count on its own local day)."""
    chosen = [shop for shop in shops if shop.platform == platform]
    zone = ZoneInfo(chosen[0].timezone) if chosen else ZoneInfo("UTC")
    return _figures(chosen, domain.rule_for(platform), zone, days, now)


def claim_warning_mails(now, limit=200):
    """Claim warnings not mailed yet: (notification id, thread id, subject, shop name, owner e-mails).

    The guarded UPDATE marks each notification as mailed before anything is sent, so however often the
    sweep runs, and in however many processes, a warning is mailed once (at most once, by design).
    """
    ids = list(db.session.scalars(
        update(Notification).where(Notification.kind == "warning", Notification.emailed_at.is_(None),
                                   Notification.id.in_(select(Notification.id).where(
                                       Notification.kind == "warning", Notification.emailed_at.is_(None))
                                       .limit(limit).scalar_subquery()))
        .values(emailed_at=now).returning(Notification.id)))
    if not ids:
        return []
    rows = db.session.execute(select(Notification.id, Notification.thread_id, Notification.shop_id, Thread.subject,
                                     Shop.name).join(Thread, Thread.id == Notification.thread_id)
                              .join(Shop, Shop.id == Notification.shop_id).where(Notification.id.in_(ids))).all()
    owners = {}
    for shop_id, email, locale in db.session.execute(
            select(Membership.shop_id, User.email, User.locale).join(User, User.id == Membership.user_id)
            .where(Membership.shop_id.in_({row.shop_id for row in rows}), Membership.role == "owner")):
        owners.setdefault(shop_id, []).append((email, locale))
    return [(row.id, row.thread_id, row.subject, row.name, owners.get(row.shop_id, [])) for row in rows]
