"""Pure response statistics: rate, median and p90 response time, breaches, what it takes to reach the target."""
import math
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import NamedTuple


class ClockFacts(NamedTuple):
    """What a statistic needs from one response clock; moments are whole seconds since 1970 (UTC), as the
    database hands them over, so that thousands of clocks are summed without a datetime each (any tuple of
    these four in this order serves as well, such as a database row)."""

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


def _percentile(values, share):
    """The nearest-rank percentile of sorted values (share 0.5 for the median)."""
    if not values:
        return None
    return values[max(0, math.ceil(share * len(values)) - 1)]


def outcome(status, due_at, now):
    """met, breached, or None while it still may be met; exempt clocks never count (moments in epoch seconds)."""
    if status == "met" or status == "breached":
        return status
    if status == "open" and due_at <= now:
        return "breached"  # not answered in time, even if the answer is still to come
    return None


def needed_for_target(on_time, counted, target):
    """How many more on-time replies lift the rate to `target` (0 when it is already there)."""
    if counted == 0 or on_time >= target * counted:
        return 0
    # Solve (on_time + n) / (counted + n) >= target for the smallest whole n; the epsilon absorbs float error.
    return math.ceil((target * counted - on_time) / (1 - target) - 1e-9)


def _tally(clocks, now):
    """(on time, breaches, response times in seconds) of the clocks."""
    on_time = breaches = 0
    times = []
    for started_at, due_at, stopped_at, status in clocks:
        result = outcome(status, due_at, now)
        if result is None:
            continue
        if result == "met":
            on_time += 1
        else:
            breaches += 1
        if status != "open" and stopped_at is not None:
            times.append(stopped_at - started_at)
    return on_time, breaches, times


def _summary(on_time, breaches, times, target):
    times = sorted(times)
    counted = on_time + breaches
    return Summary(counted=counted, on_time=on_time, breaches=breaches,
                   rate=on_time / counted if counted else None, median=_seconds(_percentile(times, 0.5)),
                   p90=_seconds(_percentile(times, 0.9)), needed_for_target=needed_for_target(on_time, counted, target))


def _seconds(value):
    return None if value is None else timedelta(seconds=value)


def summarize(clocks, now, target):
    """Rate, breaches and response times of the clocks; `now` in epoch seconds like the clocks."""
    return _summary(*_tally(clocks, now), target)


def day_starts(now, days, zone):
    """The local days ending with today, oldest first, and the moment each begins in epoch seconds (a day
    across a clock change is 23 or 25 hours long, so the starts come from the zone, not from arithmetic)."""
    today = datetime.fromtimestamp(now, UTC).astimezone(zone).date()
    dates = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    return dates, [datetime.combine(day, time(), zone).timestamp() for day in dates]


def window(clocks, now, target, days, zone):
    """The figures of the last `days` local days in one pass over the clocks: (Summary of them all, daily
    series of (date, median response time or None, rate or None), oldest first)."""
    dates, starts = day_starts(now, days, zone)
    buckets = [[] for _ in dates]
    for clock in clocks:
        index = bisect_right(starts, clock[0]) - 1
        if index >= 0:
            buckets[index].append(clock)
    series, on_time, breaches, times = [], 0, 0, []
    for day, found in zip(dates, buckets, strict=True):
        day_on_time, day_breaches, day_times = _tally(found, now)
        day_times.sort()
        counted = day_on_time + day_breaches
        series.append((day, _seconds(_percentile(day_times, 0.5)), day_on_time / counted if counted else None))
        on_time, breaches = on_time + day_on_time, breaches + day_breaches
        times.extend(day_times)
    return _summary(on_time, breaches, times, target), series


@dataclass(frozen=True)
class Chart:
    """Positions for the two dashboard charts, in a width x height box (x grows with time)."""

    bars: list  # (x, y, width, height, day, median, is_late)
    points: list  # (x, y, day, rate)
    target_y: float


def chart(series, allowed, target, width=640, height=180):
    step = width / max(len(series), 1)
    peak = max([m.total_seconds() for _d, m, _r in series if m] + [3600])
    bars, points = [], []
    for index, (day, median, rate) in enumerate(series):
        bar = median.total_seconds() / peak * (height - 10) if median else 0
        bars.append((round(index * step + step * 0.15, 1), round(height - bar, 1), round(step * 0.7, 1), round(bar, 1),
                     day, median, bool(median and median > allowed)))
        if rate is not None:
            points.append((round(index * step + step / 2, 1), round(height * (1 - rate), 1), day, rate))
    return Chart(bars, points, round(height * (1 - target), 1))
