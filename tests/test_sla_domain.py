"""Response deadlines: around the clock, in business hours, over holidays and across daylight-saving changes."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from sellerkit.sla.domain import (
    ResponseRule,
    WeeklyHours,
    deadline,
    open_time_between,
    rule_for,
    rule_problem,
)

WARSAW = ZoneInfo("Europe/Warsaw")
WEEKDAYS_9_TO_17 = WeeklyHours({d: (time(9), time(17)) for d in range(5)}, "Europe/Warsaw")


def warsaw(*args):
    return datetime(*args, tzinfo=WARSAW)


def test_platform_rules_are_data():
    assert rule_for("etsy").starts_on == "first_message" and rule_for("etsy").auto_reply_counts
    assert rule_for("amazon").starts_on == "every_message" and not rule_for("amazon").auto_reply_counts
    assert rule_for("ozon", {"allowed": timedelta(hours=12)}).allowed == timedelta(hours=12)
    assert rule_problem(ResponseRule(allowed=timedelta(hours=-1))) == ("allowed", "range")
    assert rule_problem(ResponseRule(warning_lead=timedelta(hours=30))) == ("warning_lead", "range")


def test_around_the_clock_counts_weekends():
    friday_evening = warsaw(2026, 11, 20, 18, 0)
    assert deadline(friday_evening, timedelta(hours=24)) == warsaw(2026, 11, 21, 18, 0)


def test_business_hours_skip_nights_and_weekends():
    friday_afternoon = warsaw(2026, 11, 20, 15, 0)  # 2 open hours left on Friday
    due = deadline(friday_afternoon, timedelta(hours=8), WEEKDAYS_9_TO_17)
    assert due == warsaw(2026, 11, 23, 15, 0)  # Monday 15:00


def test_a_message_at_night_starts_counting_at_opening():
    assert deadline(warsaw(2026, 11, 23, 3, 0), timedelta(hours=2), WEEKDAYS_9_TO_17) == warsaw(2026, 11, 23, 11, 0)


def test_holidays_do_not_count():
    hours = WeeklyHours(WEEKDAYS_9_TO_17.days, "Europe/Warsaw", frozenset({date(2026, 11, 23)}))
    assert deadline(warsaw(2026, 11, 20, 17, 0), timedelta(hours=1), hours) == warsaw(2026, 11, 24, 10, 0)


def test_daylight_saving_change_keeps_wall_clock_business_hours():
    """Poland springs forward on 29 March 2026; Monday still opens at 9:00 local time."""
    due = deadline(warsaw(2026, 3, 27, 16, 0), timedelta(hours=2), WEEKDAYS_9_TO_17)
    assert due == warsaw(2026, 3, 30, 10, 0) and due.astimezone(WARSAW).utcoffset() == timedelta(hours=2)


def test_around_the_clock_across_dst_is_real_elapsed_time():
    start = warsaw(2026, 3, 28, 12, 0)  # UTC+1; the next day is UTC+2
    assert deadline(start, timedelta(hours=24)) - start.astimezone(UTC) == timedelta(hours=24)
    assert deadline(start, timedelta(hours=24)).astimezone(WARSAW).hour == 13


def test_no_hours_means_around_the_clock_and_short_hours_stretch_over_weeks():
    assert deadline(warsaw(2026, 11, 20, 9, 0), timedelta(hours=1), WeeklyHours({}, "UTC")) == \
        warsaw(2026, 11, 20, 10, 0)
    mondays_only = WeeklyHours({0: (time(9), time(10))}, "UTC")
    assert deadline(datetime(2026, 11, 24, tzinfo=UTC), timedelta(hours=2), mondays_only) == \
        datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31),
                       timezones=st.just(UTC))
durations = st.integers(min_value=1, max_value=72 * 60).map(lambda m: timedelta(minutes=m))
zones = st.sampled_from(["Europe/Warsaw", "Europe/Moscow", "Asia/Tehran", "America/New_York", "Asia/Dhaka"])


@settings(max_examples=200, deadline=None)
@given(start=moments, allowed=durations, zone=zones)
def test_deadline_always_holds_exactly_the_allowed_open_time(start, allowed, zone):
    hours = WeeklyHours({d: (time(9), time(17, 30)) for d in range(6)}, zone)
    due = deadline(start, allowed, hours)
    assert due is not None and due >= start
    assert open_time_between(start, due, hours) == allowed


@settings(max_examples=200, deadline=None)
@given(start=moments, allowed=durations)
def test_around_the_clock_deadline_is_plain_addition(start, allowed):
    assert deadline(start, allowed) == start + allowed
    assert open_time_between(start, start + allowed) == allowed


def test_closed_since_gives_the_start_of_the_closed_period():
    from sellerkit.sla.domain import closed_since

    assert closed_since(warsaw(2026, 11, 23, 12, 0), WEEKDAYS_9_TO_17) is None  # Monday noon: open
    assert closed_since(warsaw(2026, 11, 23, 20, 0), WEEKDAYS_9_TO_17) == warsaw(2026, 11, 23, 17, 0)
    assert closed_since(warsaw(2026, 11, 29, 10, 0), WEEKDAYS_9_TO_17) == warsaw(2026, 11, 27, 17, 0)  # Sunday
    assert closed_since(warsaw(2026, 11, 23, 20, 0), WeeklyHours({}, "UTC")) is None
