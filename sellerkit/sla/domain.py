"""Pure response-time rules: each platform's rule as data, and deadlines in around-the-clock or business time.

All arithmetic is on aware datetimes. Business hours are wall-clock times in the shop's timezone, so a
deadline stays right across daylight-saving changes: an hour of business time is an hour the shop is open.
"""
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class ResponseRule:
    """How a platform counts response time."""

    #: "first_message": only a new thread's first buyer message starts a clock (Etsy);
    #: "every_message": every buyer message waiting for a reply does (Amazon and the rest).
    starts_on: str = "every_message"
    allowed: timedelta = timedelta(hours=24)
    business_hours_only: bool = False
    auto_reply_counts: bool = False
    target_rate: float = 0.95
    target_window: timedelta = timedelta(days=90)
    warning_lead: timedelta = timedelta(hours=4)


#: The platforms' published rules; a shop may override any field.
PLATFORM_RULES = {
    "etsy": ResponseRule(starts_on="first_message", auto_reply_counts=True),
    "amazon": ResponseRule(starts_on="every_message", auto_reply_counts=False),
    "ebay": ResponseRule(),
    "ozon": ResponseRule(),
    "wildberries": ResponseRule(),
    "digikala": ResponseRule(),
    "other": ResponseRule(),
}


def rule_for(platform, overrides=None):
    """The platform's rule with the shop's overrides applied."""
    return replace(PLATFORM_RULES.get(platform, PLATFORM_RULES["other"]), **(overrides or {}))


def rule_problem(rule):
    """The first thing wrong with a (possibly overridden) rule, as (field, code), or None."""
    if rule.starts_on not in ("first_message", "every_message"):
        return "starts_on", "choice"
    if rule.allowed <= timedelta(0) or rule.allowed > timedelta(days=30):
        return "allowed", "range"
    if rule.warning_lead < timedelta(0) or rule.warning_lead >= rule.allowed:
        return "warning_lead", "range"
    if not 0 < rule.target_rate <= 1:
        return "target_rate", "range"
    return None


@dataclass(frozen=True)
class WeeklyHours:
    """The shop's opening hours: weekday (0 = Monday) -> (opens, closes) wall-clock times; closed days absent."""

    days: dict
    timezone: str
    holidays: frozenset = frozenset()  # dates (in the shop's timezone) the shop is closed all day

    def is_open_on(self, day):
        return day.weekday() in self.days and day not in self.holidays


def hours_of(shop):
    """A shop's weekly hours and holidays (any object with business_hours, holidays and timezone)."""
    return WeeklyHours({h.weekday: (h.opens_at, h.closes_at) for h in shop.business_hours}, shop.timezone,
                       frozenset(holiday.day for holiday in shop.holidays))


def _local(day, clock, zone):
    """The aware moment of a wall-clock time on a local date; a time skipped by DST moves forward (fold 0)."""
    naive = datetime.combine(day, clock)
    moment = naive.replace(tzinfo=zone)
    # A time that does not exist (spring forward) comes back shifted when round-tripped through UTC.
    return moment.astimezone(UTC).astimezone(zone)


def _open_intervals(hours, start, limit_days=400):
    """Opening intervals (aware, UTC) from the day of `start` on, in order."""
    zone = ZoneInfo(hours.timezone)
    day = start.astimezone(zone).date()
    for _ in range(limit_days):
        if hours.is_open_on(day):
            opens, closes = hours.days[day.weekday()]
            yield _local(day, opens, zone).astimezone(UTC), _local(day, closes, zone).astimezone(UTC)
        day += timedelta(days=1)


def deadline(start, allowed, hours=None):
    """When a reply is due: `allowed` around the clock, or `allowed` of open time within `hours`.

    Returns None when the shop is never open within a year of `start` (no hours can count).
    """
    start = start.astimezone(UTC)
    if hours is None or not hours.days:
        return start + allowed
    left = allowed
    for opens, closes in _open_intervals(hours, start):
        if closes <= start:
            continue
        begin = max(opens, start)
        available = closes - begin
        if available >= left:
            return begin + left
        left -= available
    return None


def open_time_between(start, end, hours=None):
    """How much counting time lies between two moments (for "time left" and response-time statistics)."""
    if end <= start:
        return timedelta(0)
    if hours is None or not hours.days:
        return end - start
    total = timedelta(0)
    for opens, closes in _open_intervals(hours, start):
        if opens >= end:
            break
        total += max(timedelta(0), min(closes, end) - max(opens, start))
    return total


def warning_time(due_at, lead):
    return due_at - lead



def closed_since(now, hours):
    """When the shop closed, if it is closed at `now` by its business hours (or a holiday); None while it is
    open or has no hours at all (then it is never "closed")."""
    if hours is None or not hours.days:
        return None
    now = now.astimezone(UTC)
    last_close = None
    for opens, closes in _open_intervals(hours, now - timedelta(days=8), limit_days=10):
        if opens <= now < closes:
            return None
        if closes <= now:
            last_close = closes
        else:
            break
    return last_close or now - timedelta(days=8)
