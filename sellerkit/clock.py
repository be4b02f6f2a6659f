"""The one place that reads the time: aware UTC datetimes; everything else takes `now` as an argument."""
from datetime import UTC, datetime


def utcnow():
    return datetime.now(UTC)
