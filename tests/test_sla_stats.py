"""Response statistics as the dashboard shows them."""
import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from sellerkit.sla.stats import (
    ClockFacts,
    DayCount,
    answered_days,
    day_starts,
    needed_for_target,
    overdue_slot,
    window,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")


def clock(hours_ago, answered_after=None, status=None, allowed=24):
    start = NOW - timedelta(hours=hours_ago)
    stopped = start + timedelta(hours=answered_after) if answered_after is not None else None
    if status is None:
        status = "open" if stopped is None else ("met" if answered_after <= allowed else "breached")
    return ClockFacts(int(start.timestamp()), int((start + timedelta(hours=allowed)).timestamp()),
                      int(stopped.timestamp()) if stopped else None, status)


def figures(clocks, days=7, zone=UTC_ZONE, now=None):
    """What the dashboard shows: the answered clocks counted by day as they stop, the overdue ones read live."""
    now = NOW.timestamp() if now is None else now
    dates, starts = day_starts(now, days, zone)
    return window(answered_days(clocks, zone).items(), overdue_by_slot(clocks, now, overdue_slot(starts)), 0.95,
                  dates, starts)


def overdue_by_slot(clocks, now, slot):
    """The overdue clocks as the database hands them to window(): (start of the slot, how many started in it)."""
    counts = {}
    for c in clocks:
        if c.status == "open" and c.due_at <= now:
            counts[c.started_at // slot] = counts.get(c.started_at // slot, 0) + 1
    return [(index * slot, count) for index, count in counts.items()]


def test_rate_times_and_breaches():
    clocks = [clock(100, 1), clock(90, 2), clock(80, 30), clock(70, 3), clock(60, None), clock(5, None),
              clock(50, 1, status="exempt")]
    summary = figures(clocks)[0]
    # met: 3; breached: the 30 h answer and the open clock 60 h old; the 5 h old one may still be met.
    assert (summary.on_time, summary.breaches, summary.counted) == (3, 2, 5)
    assert summary.rate == 0.6
    assert summary.median == timedelta(hours=2)  # nearest rank of 1, 2, 3, 30 hours
    assert summary.p90 == timedelta(hours=30)
    assert summary.needed_for_target == 35  # (3 + 35) / (5 + 35) = 0.95


def test_nothing_counted_yet():
    summary = figures([clock(1, None)])[0]
    assert summary.rate is None and summary.needed_for_target == 0 and summary.median is None


@given(on_time=st.integers(0, 500), late=st.integers(0, 500))
def test_needed_replies_reach_the_target_and_no_fewer_would(on_time, late):
    counted = on_time + late
    needed = needed_for_target(on_time, counted, 0.95)
    if counted == 0:
        assert needed == 0
        return
    assert (on_time + needed) / (counted + needed) >= 0.95 - 1e-12
    if needed:
        assert (on_time + needed - 1) / (counted + needed - 1) < 0.95


def nearest_rank(values, share):
    values = sorted(values)
    return timedelta(seconds=values[max(0, math.ceil(share * len(values)) - 1)]) if values else None


@given(st.lists(st.tuples(st.integers(0, 6), st.lists(st.integers(0, 10**6), max_size=30)), max_size=12))
def test_medians_and_p90_are_exact_over_the_answers_of_several_shops(rows):
    """Several shops' rows of one day each keep their own sorted times; the figures are those of all the times
    taken together, as if sorted into one list."""
    dates, starts = day_starts(NOW.timestamp(), 7, UTC_ZONE)
    answered = [(dates[index], DayCount(len(times), 0, sorted(times))) for index, times in rows]
    summary, series = window(answered, [], 0.95, dates, starts)
    every = [value for _index, times in rows for value in times]
    assert (summary.median, summary.p90) == (nearest_rank(every, 0.5), nearest_rank(every, 0.9))
    assert [median for _day, median, _rate in series] == [
        nearest_rank([value for index, times in rows if index == day for value in times], 0.5) for day in range(7)]


def test_daily_series_follows_the_shops_days():
    tehran = ZoneInfo("Asia/Tehran")
    _summary, series = figures([clock(2, 1), clock(26, 3)], zone=tehran)
    assert len(series) == 7 and series[-1][0] == NOW.astimezone(tehran).date()
    assert series[-1][1] == timedelta(hours=1) and series[-2][1] == timedelta(hours=3)


def test_daily_series_keeps_each_clock_on_its_local_day_across_a_clock_change():
    warsaw = ZoneInfo("Europe/Warsaw")  # summer time ended on 2026-10-25: that day lasted 25 hours
    now = datetime(2026, 10, 27, 12, 0, tzinfo=warsaw).timestamp()

    def answered_at(local):
        started = int(local.timestamp())
        return ClockFacts(started, started + 86_400, started + 3_600, "met")

    late_saturday = answered_at(datetime(2026, 10, 24, 23, 30, tzinfo=warsaw))  # 21:30 UTC
    late_sunday = answered_at(datetime(2026, 10, 25, 23, 30, tzinfo=warsaw))  # 22:30 UTC
    early_monday = answered_at(datetime(2026, 10, 26, 0, 30, tzinfo=warsaw))  # 23:30 UTC on Sunday
    series = {day.isoformat(): rate for day, _median, rate in figures([late_saturday, late_sunday, early_monday],
                                                                        days=4, zone=warsaw, now=now)[1]}
    assert series == {"2026-10-24": 1.0, "2026-10-25": 1.0, "2026-10-26": 1.0, "2026-10-27": None}


def test_overdue_slots_never_straddle_two_local_days():
    now = datetime(2026, 10, 27, 12, 0, tzinfo=UTC).timestamp()
    slots = {name: overdue_slot(day_starts(now, 90, ZoneInfo(name))[1])
             for name in ("Europe/Warsaw", "Asia/Tehran", "Asia/Kathmandu", "UTC")}
    assert slots == {"Europe/Warsaw": 3600, "Asia/Tehran": 1800, "Asia/Kathmandu": 900, "UTC": 3600}


@given(hours=st.lists(st.integers(25, 24 * 30), max_size=40),
       zone=st.sampled_from(["Europe/Warsaw", "Asia/Tehran", "Asia/Kathmandu", "America/St_Johns"]),
       minutes=st.integers(0, 59))
def test_counting_overdue_clocks_per_slot_gives_each_day_its_own(hours, zone, minutes):
    # Clocks still open past their deadline, counted one by one or per slot, land on the same local days.
    zone = ZoneInfo(zone)
    clocks = [clock(h + minutes / 60, None) for h in hours]
    now = NOW.timestamp()
    dates, starts = day_starts(now, 30, zone)
    one_by_one = [(c.started_at, 1) for c in clocks]
    per_slot = overdue_by_slot(clocks, now, overdue_slot(starts))
    assert window([], per_slot, 0.95, dates, starts) == window([], one_by_one, 0.95, dates, starts)
