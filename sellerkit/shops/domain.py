"""Pure shop rules: platforms, roles, buyer languages, timezones and weekly business hours."""
from dataclasses import dataclass
from datetime import time
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import available_timezones

PLATFORMS = ("etsy", "ozon", "digikala", "wildberries", "amazon", "ebay", "other")
ROLES = ("owner", "agent")
REPLY_TRANSPORTS = ("manual", "email", "webhook")
#: Languages buyers write in; the six UI languages first, then other common marketplace languages.
BUYER_LANGUAGES = ("en", "ru", "pl", "zh", "bn", "fa", "de", "fr", "es", "it", "tr", "uk", "ar", "pt", "nl", "ja",
                   "ko", "hi", "kk", "uz")
WEEKDAYS = range(7)  # Monday is 0, as in datetime.weekday()
MAX_SHOP_NAME = 100


@lru_cache(maxsize=1)
def timezones():
    return frozenset(available_timezones())


def is_valid_timezone(name):
    return name in timezones()


def sorted_timezones():
    return sorted(timezones())


@dataclass(frozen=True)
class OpeningHours:
    """The hours a shop answers on one weekday; a day without an entry is closed."""

    weekday: int
    opens_at: time
    closes_at: time


def business_hours_problem(hours):
    """The first problem with a week of opening hours as (weekday, code), or None."""
    seen = set()
    for entry in hours:
        if entry.weekday not in WEEKDAYS:
            return entry.weekday, "bad_weekday"
        if entry.weekday in seen:
            return entry.weekday, "duplicate_day"
        if entry.closes_at <= entry.opens_at:
            return entry.weekday, "ends_before_start"
        seen.add(entry.weekday)
    return None


MAX_ATTACHMENT_MB = 50
MAX_MESSAGE_ATTACHMENT_MB = 200


def webhook_url_problem(url):
    """Why a webhook address cannot be used, as a short code, or None. Addresses are checked again on delivery."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "scheme"
    if not parts.hostname or parts.username or parts.password:
        return "host"
    return None


def attachment_limits_problem(file_mb, message_mb):
    if not 1 <= file_mb <= MAX_ATTACHMENT_MB:
        return "file"
    if not file_mb <= message_mb <= MAX_MESSAGE_ATTACHMENT_MB:
        return "message"
    return None
