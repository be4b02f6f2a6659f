"""Dates, times, percents and digits written for a locale and a zone: the one formatter of pages and buyer texts."""
from datetime import datetime, timedelta
from datetime import time as clock_time
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import format_percent

#: Babel formats with Latin digits for these; their readers expect their own.
NATIVE_DIGITS = {
    "fa": str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"),
    "bn": str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"),
}
#: Languages whose readers count days in the Solar Hijri calendar (Iran's civil calendar).
SOLAR_HIJRI = frozenset({"fa"})


def as_locale(locale):
    """A Babel Locale from a Locale, a code such as "fa" or "zh_Hans", or nothing (English)."""
    if isinstance(locale, Locale):
        return locale
    try:
        return Locale.parse(locale or "en")
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


def native_digits(text, locale):
    table = NATIVE_DIGITS.get(as_locale(locale).language)
    return str(text).translate(table) if table else str(text)


def date_text(day, locale, style="medium"):
    """A calendar date: Solar Hijri for Persian (۲۲ آذر ۱۴۰۵), else Babel's Gregorian `style`; native digits."""
    if isinstance(day, datetime):
        day = day.date()
    return _date_text(day, str(as_locale(locale)), style)


@lru_cache(maxsize=8192)
def _date_text(day, locale, style):
    # Lists and dashboards write the same few days many times (90 days twice): each is formatted once per process.
    parsed = Locale.parse(locale)
    if parsed.language in SOLAR_HIJRI:
        # Imported here: only Persian dates need the Solar Hijri calendar, so other processes never load it.
        import jdatetime

        solar = jdatetime.date.fromgregorian(date=day, locale="fa_IR")
        # Persian writes a date "day month year" in every length; the month names are the library's.
        return native_digits(f"{solar.day} {solar.jmonth()} {solar.year}", parsed)
    return native_digits(format_date(day, style, locale=parsed), parsed)


@lru_cache(maxsize=4096)
def _time_text(hour, minute, locale):
    parsed = Locale.parse(locale)
    return native_digits(format_time(clock_time(hour, minute), "short", locale=parsed), parsed)


@lru_cache(maxsize=64)
def _glue(locale, style):
    # Babel joins a date and a time this way too: the locale's pattern such as "{1}, {0}", quotes dropped.
    return get_datetime_format(style, locale=locale).replace("'", "")


def moment_text(value, zone, locale, style="medium"):
    """A moment as a date and a short time (no seconds) in `zone`, the locale's way and calendar."""
    local, code = value.astimezone(zone), str(as_locale(locale))
    day, time_of_day = _date_text(local.date(), code, style), _time_text(local.hour, local.minute, code)
    return _glue(code, style).replace("{0}", time_of_day).replace("{1}", day)


def period_start_text(value, zone, locale):
    """The start of a period (a coupon's "valid from"): a date alone when it is a midnight in `zone`, as periods
    entered as days are, else the moment."""
    local = value.astimezone(zone)
    if local.time() == clock_time(0):
        return date_text(local.date(), locale)
    return moment_text(value, zone, locale)


def period_end_text(value, zone, locale):
    """The end of a period (a coupon's "valid until"): one that ends at a midnight in `zone` lasts through the
    day before, which is shown alone ("until 31 Dec", not "until 1 Jan, 00:00"); else the moment."""
    local = value.astimezone(zone)
    if local.time() == clock_time(0):
        return date_text(last_day(value, zone), locale)
    return moment_text(value, zone, locale)


def last_day(end, zone):
    """The last calendar day in `zone` of a period that ends at the moment `end` (exclusive)."""
    return (end - timedelta(microseconds=1)).astimezone(zone).date()


def percent_text(value, locale, pattern=None):
    """A share such as 0.125 as a percent, the locale's way: its digits and its percent sign (Persian ۱۲٪).
    `pattern` is a Babel number pattern ("#,##0.##%" keeps decimals); the locale's own rounds to whole percents."""
    return _percent_text(value, str(as_locale(locale)), pattern)


@lru_cache(maxsize=4096)
def _percent_text(value, locale, pattern):
    # Babel writes the Latin percent sign whatever the numbering system; the locale's own system has its sign
    # (Persian ٪), taken from CLDR's symbols.
    parsed = Locale.parse(locale)
    text = format_percent(value, pattern, locale=parsed, numbering_system="default")
    sign = parsed.number_symbols.get(parsed.default_numbering_system, {}).get("percentSign", "%")
    return native_digits(text.replace("%", sign), parsed)

