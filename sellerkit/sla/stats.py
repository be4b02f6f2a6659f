"""Pure response statistics: rate, median and p90 response time, breaches, what it takes to reach the target."""
import math
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class ClockFacts:
    """What a statistic needs from one response clock."""

    started_at: object
    due_at: object
    stopped_at: object | None
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


def outcome(clock, now):
    """met, breached, or None while it still may be met; exempt clocks never count."""
    if clock.status in ("met", "breached"):
        return clock.status
    if clock.status == "open" and clock.due_at <= now:
        return "breached"  # not answered in time, even if the answer is still to come
    return None


def needed_for_target(on_time, counted, target):
    """How many more on-time replies lift the rate to `target` (0 when it is already there)."""
    if counted == 0 or on_time >= target * counted:
        return 0
    # Solve (on_time + n) / (counted + n) >= target for the smallest whole n; the epsilon absorbs float error.
    return math.ceil((target * counted - on_time) / (1 - target) - 1e-9)


def summarize(clocks, now, target):
    outcomes = [outcome(clock, now) for clock in clocks]
    on_time = outcomes.count("met")
    breaches = outcomes.count("breached")
    counted = on_time + breaches
    times = sorted(c.stopped_at - c.started_at for c in clocks if c.stopped_at and c.status in ("met", "breached"))
    return Summary(counted=counted, on_time=on_time, breaches=breaches,
                   rate=on_time / counted if counted else None, median=_percentile(times, 0.5),
                   p90=_percentile(times, 0.9), needed_for_target=needed_for_target(on_time, counted, target))


def daily(clocks, now, days, zone):
    """Per local day (oldest first): (date, median response time or None, rate or None)."""
    today = now.astimezone(zone).date()
    buckets = {today - timedelta(days=offset): [] for offset in range(days - 1, -1, -1)}
    for clock in clocks:
        day = clock.started_at.astimezone(zone).date()
        if day in buckets:
            buckets[day].append(clock)
    series = []
    for day, found in buckets.items():
        summary = summarize(found, now, 0)
        series.append((day, summary.median, summary.rate))
    return series


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
