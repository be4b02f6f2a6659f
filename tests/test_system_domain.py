"""Pure rules of operating an instance: readiness checks, the daily backup slot, retention, the upgrade guard."""
from datetime import UTC, datetime, time, timedelta

import pytest

from sellerkit.system import domain

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_a_scheduler_is_alive_for_two_minutes_after_its_heartbeat():
    assert domain.check_scheduler(NOW, NOW - timedelta(seconds=119)).ok
    assert not domain.check_scheduler(NOW, NOW - timedelta(seconds=121)).ok
    assert domain.check_scheduler(NOW, None).detail == "no scheduler has ever run"


def test_no_channels_is_ready_and_a_channel_failing_over_an_hour_is_not():
    assert domain.check_channels(NOW, []) == domain.Check("channels", True, "no channels")
    recent = domain.ChannelState("mail: orders@example.com", NOW - timedelta(minutes=59))
    assert domain.check_channels(NOW, [recent]).ok
    stuck = domain.ChannelState("ozon", NOW - timedelta(minutes=61))
    check = domain.check_channels(NOW, [recent, stuck])
    assert not check.ok
    assert check.detail == "failing for over an hour: ozon"


def test_migrations_must_be_at_head():
    assert domain.check_migrations("a7c2e9f4b813", "a7c2e9f4b813").ok
    assert not domain.check_migrations("f1a2b3c4d5e6", "a7c2e9f4b813").ok
    assert not domain.check_migrations(None, "a7c2e9f4b813").ok


def test_daily_at_is_a_utc_time_of_day_or_off():
    assert domain.parse_daily_at(None) is None
    assert domain.parse_daily_at("") is None
    assert domain.parse_daily_at("03:30") == time(3, 30)
    for wrong in ("3:30", "24:00", "03:60", "noon"):
        with pytest.raises(ValueError):
            domain.parse_daily_at(wrong)


def test_todays_backup_is_due_once_after_its_time():
    at = time(3, 0)
    assert domain.due_backup_slot(NOW.replace(hour=2, minute=59), at, set()) is None
    assert domain.due_backup_slot(NOW.replace(hour=3, minute=0), at, set()) == "2026-12-07"
    assert domain.due_backup_slot(NOW, at, {"2026-12-07"}) is None
    assert domain.due_backup_slot(NOW, None, set()) is None


def test_retention_keeps_the_newest():
    archives = [(f"/b/{day}.tar.gz", NOW - timedelta(days=day)) for day in (3, 0, 1, 2)]
    assert domain.archives_to_prune(archives, 2) == ["/b/2.tar.gz", "/b/3.tar.gz"]
    assert domain.archives_to_prune(archives, 7) == []


def test_upgrade_needs_a_backup_from_the_last_day_only_for_a_database_with_data_and_pending_migrations():
    assert domain.upgrade_refusal(pending=True, holds_data=False, last_backup_at=None, now=NOW) is None
    assert domain.upgrade_refusal(pending=False, holds_data=True, last_backup_at=None, now=NOW) is None
    assert domain.upgrade_refusal(pending=True, holds_data=True, last_backup_at=NOW - timedelta(hours=23),
                                  now=NOW) is None
    refusal = domain.upgrade_refusal(pending=True, holds_data=True, last_backup_at=NOW - timedelta(hours=25), now=NOW)
    assert "--backup-first" in refusal
    assert domain.upgrade_refusal(pending=True, holds_data=True, last_backup_at=None, now=NOW)
