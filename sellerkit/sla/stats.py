"""Pure response statistics: rate, median and p90 response time, breaches, what it takes to reach the target."""
import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import NamedTuple

from sellerkit.charts import DURATION_STEPS, LABEL_WIDTH, TOP_ROOM, share_axis, value_axis


class ClockFacts(NamedTuple):
    """What a statistic needs from one response clock; moments are whole seconds since 1970 (UTC), as the
    database hands them over (any tuple of these four in this order serves as well, such as a database row)."""

    started_at: int
    due_at: int
    stopped_at: int | None
    status: str  # open, met, breached, exempt


@dataclass(frozen=True)
class Summary:
    counted: int
    on_time: int
    breaches: int
    rate: float | None
    median: timedelta | None
    p90: timedelta | None
    needed_for_target: int


def _percentile(runs, share):
    """The nearest-rank percentile (share 0.5 for the median) of the values of several sorted runs together.

    The rank's value is found by halving the range of values and counting, in each run, the values up to the
    middle: 90 days of answers cost a few thousand binary searches, where merging them cost a sort of them all."""
    runs = [run for run in runs if len(run)]
    total = sum(len(run) for run in runs)
    if not total:
        return None
    rank = max(1, math.ceil(share * total))
    if len(runs) == 1:
        return runs[0][rank - 1]
    low, high = min(run[0] for run in runs), max(run[-1] for run in runs)
    while low < high:
        middle = (low + high) // 2
        if sum(bisect_right(run, middle) for run in runs) >= rank:
            high = middle
        else:
            low = middle + 1
    return low


def needed_for_target(on_time, counted, target):
    """How many more on-time replies lift the rate to `target` (0 when it is already there)."""
    if counted == 0 or on_time >= target * counted:
        return 0
    # Solve (on_time + n) / (counted + n) >= target for the smallest whole n; the epsilon absorbs float error.
    return math.ceil((target * counted - on_time) / (1 - target) - 1e-9)


class DayCount(NamedTuple):
    """The answered clocks of one local day, as a response_days row keeps them: on time, late, and each
    answer's response time in whole seconds, in ascending order (any sequence: a list, an array)."""

    on_time: int
    breaches: int
    seconds: Sequence[int]


def local_day(moment, zone):
    """The shop's calendar day of a moment in epoch seconds (the zone knows its clock changes)."""
    return datetime.fromtimestamp(moment, zone).date()


def answered_days(clocks, zone):
    """{local day: DayCount} of the answered (met or breached) clocks, by the day each one started. Open clocks
    are left out, since whether they count changes with the time; exempt ones never count."""
    answers = {}
    for started_at, _due_at, stopped_at, status in clocks:
        if status in ("met", "breached") and stopped_at is not None:
            answers.setdefault(local_day(started_at, zone), []).append((status == "met", stopped_at - started_at))
    return {day: DayCount(sum(met for met, _ in found), sum(not met for met, _ in found), sorted(s for _, s in found))
            for day, found in answers.items()}


def _summary(on_time, breaches, runs, target):
    """The Summary of answers whose response times are the given sorted runs."""
    counted = on_time + breaches
    return Summary(counted=counted, on_time=on_time, breaches=breaches,
                   rate=on_time / counted if counted else None, median=_seconds(_percentile(runs, 0.5)),
                   p90=_seconds(_percentile(runs, 0.9)), needed_for_target=needed_for_target(on_time, counted, target))


def _seconds(value):
    return None if value is None else timedelta(seconds=value)


def day_starts(now, days, zone):
    """The local days ending with today, oldest first, and the moment each begins in epoch seconds (a day
    across a clock change is 23 or 25 hours long, so the starts come from the zone, not from arithmetic)."""
    today = datetime.fromtimestamp(now, UTC).astimezone(zone).date()
    dates = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    return dates, [datetime.combine(day, time(), zone).timestamp() for day in dates]


def overdue_slot(starts):
    """The longest stretch of time, a divisor of an hour, that never straddles two of the local days beginning
    at `starts`: an hour in most zones, half an hour in Tehran, a quarter in Kathmandu. Overdue clocks are
    counted per stretch by the database, so the dashboard reads at most a row per stretch, not one per clock."""
    return math.gcd(3600, *(int(start) for start in starts))


def window(answered, overdue, target, dates, starts):
    """The figures of the local days `dates` (beginning at `starts`, from day_starts): (Summary of them all,
    daily series of (date, median response time or None, rate or None), oldest first).

    `answered` is (date, DayCount) pairs, several per date when several shops are summed; `overdue` is
    (moment, count) pairs of the clocks still open past their deadline, which count as breaches without a time:
    `count` of them started on the local day of `moment` (epoch seconds).
    """
    day_on_time, day_breaches, day_runs = dict.fromkeys(dates, 0), dict.fromkeys(dates, 0), {d: [] for d in dates}
    for day, count in answered:
        if day in day_runs:
            day_on_time[day] += count.on_time
            day_breaches[day] += count.breaches
            day_runs[day].append(count.seconds)
    for moment, count in overdue:
        index = bisect_right(starts, moment) - 1
        if index >= 0:
            day_breaches[dates[index]] += count
    series = []
    for day in dates:
        counted = day_on_time[day] + day_breaches[day]
        series.append((day, _seconds(_percentile(day_runs[day], 0.5)), day_on_time[day] / counted if counted else None))
    on_time, breaches = sum(day_on_time.values()), sum(day_breaches.values())
    runs = [run for day in dates for run in day_runs[day]]
    return _summary(on_time, breaches, runs, target), series


@dataclass(frozen=True)
class Chart:
    """Positions for the two dashboard charts, in a width x height box (x grows with time), with their value axes;
    the plot starts right of the axis labels."""

    bars: list  # (x, y, width, height, day, median, is_late)
    points: list  # (x, y, day, rate)
    target_y: float
    time_ticks: list  # (y, response time)
    share_ticks: list  # (y, share)
    is_empty: bool  # no day has an answer to show


def chart(series, allowed, target, width=640, height=180):
    step = (width - LABEL_WIDTH) / max(len(series), 1)
    medians = [m.total_seconds() for _d, m, _r in series if m is not None]
    times, shares = value_axis(max(medians + [3600]), DURATION_STEPS, height), share_axis(height)
    usable = height - TOP_ROOM
    bars, points = [], []
    for index, (day, median, rate) in enumerate(series):
        left = LABEL_WIDTH + index * step
        bar = median.total_seconds() / times.top * usable if median is not None else 0
        bars.append((round(left + step * 0.15, 1), round(height - bar, 1), round(step * 0.7, 1), round(bar, 1),
                     day, median, bool(median is not None and median > allowed)))
        if rate is not None:
            points.append((round(left + step / 2, 1), round(height - usable * rate, 1), day, rate))
    return Chart(bars, points, round(height - usable * target, 1), times.ticks, shares.ticks,
                 is_empty=not medians and not points)
