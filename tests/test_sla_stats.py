"""Response statistics as the dashboard shows them."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from sellerkit.sla.stats import ClockFacts, daily, needed_for_target, summarize

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def clock(hours_ago, answered_after=None, status=None, allowed=24):
    start = NOW - timedelta(hours=hours_ago)
    stopped = start + timedelta(hours=answered_after) if answered_after is not None else None
    if status is None:
        status = "open" if stopped is None else ("met" if answered_after <= allowed else "breached")
    return ClockFacts(start, start + timedelta(hours=allowed), stopped, status)


def test_rate_times_and_breaches():
    clocks = [clock(100, 1), clock(90, 2), clock(80, 30), clock(70, 3), clock(60, None), clock(5, None),
              clock(50, 1, status="exempt")]
    summary = summarize(clocks, NOW, 0.95)
    # met: 3; breached: the 30 h answer and the open clock 60 h old; the 5 h old one may still be met.
    assert (summary.on_time, summary.breaches, summary.counted) == (3, 2, 5)
    assert summary.rate == 0.6
    assert summary.median == timedelta(hours=2)  # nearest rank of 1, 2, 3, 30 hours
    assert summary.p90 == timedelta(hours=30)
    assert summary.needed_for_target == 35  # (3 + 35) / (5 + 35) = 0.95


def test_nothing_counted_yet():
    summary = summarize([clock(1, None)], NOW, 0.95)
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


def test_daily_series_follows_the_shops_days():
    tehran = ZoneInfo("Asia/Tehran")
    series = daily([clock(2, 1), clock(26, 3)], NOW, 7, tehran)
    assert len(series) == 7 and series[-1][0] == NOW.astimezone(tehran).date()
    assert series[-1][1] == timedelta(hours=1) and series[-2][1] == timedelta(hours=3)
