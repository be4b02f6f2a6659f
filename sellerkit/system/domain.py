"""Pure rules of operating an instance: readiness, when a backup is due, which archives to keep, the upgrade guard."""
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

#: A scheduler whose last heartbeat is older than this is taken for dead.
HEARTBEAT_MAX_AGE = timedelta(minutes=2)
#: A channel failing for longer than this makes the instance not ready.
CHANNEL_FAILING_MAX = timedelta(hours=1)
#: `sellerkit db upgrade` wants a backup at most this old before it changes a database with data.
UPGRADE_BACKUP_MAX_AGE = timedelta(days=1)
#: A scheduled backup still running after this long was left by a scheduler that died.
BACKUP_ABANDONED_AFTER = timedelta(hours=6)
_DAILY_AT = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class ChannelState:
    """What readiness, status and metrics need to know of one channel: since when it fails (None: it works), when
    it last fetched successfully, and how many fetches failed in a row."""

    name: str
    failing_since: datetime | None
    last_fetched_at: datetime | None = None
    failed_fetches: int = 0


def check_migrations(current, head):
    if current is None:
        return Check("migrations", False, f"the database has no schema yet (head is {head})")
    if current != head:
        return Check("migrations", False, f"the database is at {current}, the code at {head}: run sellerkit db upgrade")
    return Check("migrations", True, f"at head {head}")


def check_scheduler(now, last_beat_at):
    if last_beat_at is None:
        return Check("scheduler", False, "no scheduler has ever run")
    age = now - last_beat_at
    seconds = max(0, int(age.total_seconds()))
    if age > HEARTBEAT_MAX_AGE:
        return Check("scheduler", False, f"last heartbeat {seconds} s ago")
    return Check("scheduler", True, f"last heartbeat {seconds} s ago")


def check_channels(now, channels):
    """Channels failing longer than CHANNEL_FAILING_MAX make the instance not ready; no channel is fine."""
    if not channels:
        return Check("channels", True, "no channels")
    failing = sorted(c.name for c in channels if c.failing_since is not None
                     and now - c.failing_since > CHANNEL_FAILING_MAX)
    if failing:
        return Check("channels", False, "failing for over an hour: " + ", ".join(failing))
    return Check("channels", True, f"{len(channels)} working")


def parse_daily_at(value):
    """BACKUP_DAILY_AT as a time of day (UTC), or None when daily backups are off; ValueError when malformed."""
    if value in (None, "", False):
        return None
    match = _DAILY_AT.fullmatch(str(value).strip())
    if not match:
        raise ValueError(f"BACKUP_DAILY_AT must be HH:MM (UTC), not {value!r}")
    return time(int(match.group(1)), int(match.group(2)))


def due_backup_slot(now, daily_at, taken_slots):
    """The day (YYYY-MM-DD) whose scheduled backup is due at `now`, or None: today's once its time has passed,
    unless a backup for it was already taken (or is being taken)."""
    if daily_at is None:
        return None
    today = now.astimezone(UTC).date()
    if now < datetime.combine(today, daily_at, tzinfo=UTC):
        return None
    slot = today.isoformat()
    return None if slot in taken_slots else slot


def archives_to_prune(archives, keep):
    """Of (path, finished_at) pairs, the paths beyond the newest `keep`."""
    newest_first = sorted(archives, key=lambda pair: pair[1], reverse=True)
    return [path for path, _finished in newest_first[max(keep, 1):]]


def upgrade_refusal(*, pending, holds_data, last_backup_at, now):
    """Why `sellerkit db upgrade` must not run now, or None: it refuses only to change a database that holds data
    without a backup younger than UPGRADE_BACKUP_MAX_AGE. A fresh instance, or one already at head, passes."""
    if not pending or not holds_data:
        return None
    if last_backup_at is not None and now - last_backup_at <= UPGRADE_BACKUP_MAX_AGE:
        return None
    return ("This database holds data and has no backup from the last 24 hours. Take one with "
            "`sellerkit backup PATH` first, or run `sellerkit db upgrade --backup-first` (writes one to BACKUP_DIR), "
            "or `--no-backup` if you have your own.")
