"""Languages: which UI locale a request gets, right-to-left, and the format filters (dates through localformat)."""
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache

import flask_babel
from babel import Locale, UnknownLocaleError, negotiate_locale
from babel.dates import format_timedelta
from babel.numbers import format_currency, format_decimal
from flask import g, has_request_context, request, session
from flask_babel import get_locale, get_timezone
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from sellerkit.database import is_unreachable
from sellerkit.localformat import (
    date_text,
    moment_text,
    native_digits,
    percent_text,
    period_end_text,
    period_start_text,
)
from sellerkit.replies.domain import PLACEHOLDER

#: The UI languages, in the order the language menu shows them.
LOCALES = ("en", "ru", "pl", "zh_Hans", "bn", "fa")
RTL_LANGUAGES = frozenset({"fa", "ar", "he", "ur"})
#: Each UI language's name in itself, as Babel gives it (a test checks that they agree). Every page's language
#: menu shows all six: asking Babel would load the data of all six locales into every worker.
OWN_NAMES = {"en": "English", "ru": "Русский", "pl": "Polski", "zh_Hans": "中文 (简体)", "bn": "বাংলা", "fa": "فارسی"}


def gettext(string, **variables):
    """Flask-Babel's gettext, with each number among the variables written the viewer's way."""
    return flask_babel.gettext(string, **_numbers_written(variables))


def pgettext(context, string, **variables):
    """gettext for a word used in several roles ("Resolved" as an inbox tab and as a status): the context
    gives each role its own entry, which each language can inflect its own way."""
    return flask_babel.pgettext(context, string, **_numbers_written(variables))


def _numbers_written(variables):
    """The variables of a message with each number written the viewer's way ("at most ۵٬۰۰۰ codes"): a message
    says a count or a limit in the words around it, and those are in the viewer's language."""
    locale = get_locale() if variables else None
    if locale is None:  # no variables; or outside a request, as Flask-Babel's: as written
        return variables
    return {name: _number_text(value, locale) if isinstance(value, (int, float, Decimal))
            and not isinstance(value, bool) else value for name, value in variables.items()}


def lazy_gettext(string, **variables):
    """A text translated when it is shown, in the language of that moment."""
    return LazyString(gettext, string, **variables)


def lazy_pgettext(context, string, **variables):
    return LazyString(pgettext, context, string, **variables)


#: Chinese without a script we can serve (zh, zh-TW after its zh_Hant) gets the one Chinese UI.
LANGUAGE_ALIASES = {"zh": "zh_Hans"}


def parse_accept_language(header):
    """The best UI locale for an Accept-Language header, or None.

    Werkzeug reads the tags in order of quality; Babel understands each (zh-CN is zh_Hans_CN) and picks the
    first UI locale that matches one on language and script, then on language alone (fa-IR is fa).
    """
    preferred = []
    for tag, quality in parse_accept_header(header or "", LanguageAccept):
        if quality <= 0:  # "not this one"
            continue
        try:
            locale = Locale.parse(tag, sep="-")
        except (ValueError, UnknownLocaleError):  # "*", an empty tag, a language Babel does not know
            continue
        if locale.script:
            preferred.append(f"{locale.language}_{locale.script}")
        preferred.append(locale.language)
    return negotiate_locale(preferred, LOCALES, aliases=LANGUAGE_ALIASES)


def select_locale():
    """The user's chosen language (web or API), else the one picked in the footer, else the browser's, else English."""
    if not has_request_context():
        return None  # commands and jobs: the default locale
    user = None if is_unreachable() else \
        current_user if current_user and current_user.is_authenticated else g.get("api_user")
    if user is not None and user.locale in LOCALES:
        return user.locale
    if session.get("locale") in LOCALES:
        return session["locale"]
    return parse_accept_language(request.headers.get("Accept-Language")) or "en"


def text_direction(locale=None):
    locale = locale or get_locale()
    return "rtl" if locale.language in RTL_LANGUAGES else "ltr"


def html_lang(locale=None):
    """The BCP 47 tag for <html lang>: zh-Hans, not Babel's zh_Hans."""
    return str(locale or get_locale()).replace("_", "-")


def localize_digits(text, locale=None):
    return native_digits(text, locale or get_locale())


def locale_display_name(code, in_locale=None):
    """A language's own name in the viewer's language, such as 'Persian' or 'перс.'."""
    in_locale = str(in_locale or get_locale())
    if code == in_locale and code in OWN_NAMES:
        return OWN_NAMES[code]
    return _display_name(code, in_locale)


@lru_cache(maxsize=1024)
def _display_name(code, in_locale):
    # Pages name the same few languages many times (a saved-reply picker lists fifty): each name is asked of Babel
    # once per process.
    try:
        name = Locale.parse(code).get_display_name(in_locale)
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name else code


def buyer_locale(language):
    """The UI locale in which text for a buyer of this language is written: zh is zh_Hans; a language we have
    no catalog for (German) gets English."""
    if language == "zh":
        return "zh_Hans"
    return language if language in LOCALES else "en"


def buyer_date(value, language):
    """A date written for a buyer (saved replies, auto-replies, follow-ups): long form, in their language,
    calendar and digits."""
    return date_text(value, language, "long")


def format_when(value):
    """A moment as a medium date and a short time (no seconds), in the page's timezone and the viewer's language."""
    return moment_text(value, get_timezone(), get_locale()) if value else ""


def format_period_start(value):
    """A period's first moment (a coupon's start): the day alone when the period starts at a midnight of the page."""
    return period_start_text(value, get_timezone(), get_locale()) if value else ""


def format_period_end(value):
    """A period's end (a coupon's "until"): the last day alone when the period ends at a midnight of the page."""
    return period_end_text(value, get_timezone(), get_locale()) if value else ""


def format_number(value):
    return _number_text(value, get_locale())


def _number_text(value, locale):
    # The locale's own numbering system: Persian separators ٬ ٫, Bengali lakh grouping (Babel keeps Latin
    # digits either way; localize_digits swaps those).
    return localize_digits(format_decimal(value, locale=locale, numbering_system="default"), locale)


def format_money(value, currency=None):
    """An amount in the viewer's locale: with its currency when known (Babel knows each one's decimals)."""
    if value is None:
        return ""
    locale = get_locale()
    if currency:
        return localize_digits(format_currency(value, currency, locale=locale, numbering_system="default"), locale)
    return localize_digits(format_decimal(value, format="#,##0.##", locale=locale, numbering_system="default"),
                           locale)


def format_percent(value):
    return percent_text(value, get_locale())


def format_day(value):
    """A calendar date (no time) in the viewer's language; a moment gives its day in the page's timezone."""
    if not value:
        return ""
    return date_text(value.astimezone(get_timezone()) if hasattr(value, "astimezone") else value, get_locale())


#: Babel switches to the next larger unit from 1.5 of it; without this it rounds 23 hours up to "1 day".
DURATION_THRESHOLD = 1.5


def format_duration(value, threshold=DURATION_THRESHOLD):
    """A duration such as '23 h' in the viewer's language; short units, since long ones fail for fa, bn, zh.
    A larger `threshold` keeps a smaller unit longer (a chart's "36 hr" tick, which 1.5 would round to "2 days")."""
    seconds = value.days * 86400 + value.seconds if isinstance(value, timedelta) else int(value)
    locale = get_locale()
    return localize_digits(format_timedelta(seconds, threshold=threshold, format="short", locale=locale), locale)


def isolate_placeholders(text):
    """A hint that quotes placeholders, each set apart as left-to-right code: in a Persian sentence the braces and
    bar of {buyer_name|دوست عزیز} would otherwise be reordered around the Persian fallback."""
    escaped = str(escape(text))  # the catalog's text; a placeholder's characters need no escaping
    return Markup(PLACEHOLDER.sub(lambda match: f'<code dir="ltr">{match.group(0)}</code>', escaped))


def init_app(app):
    app.jinja_env.filters.update(
        when=format_when, day=format_day, period_start=format_period_start, period_end=format_period_end,
        number=format_number, money=format_money, percent=format_percent,
        duration=format_duration, digits=localize_digits,
        language_name=locale_display_name, placeholders=isolate_placeholders,
    )

    @app.context_processor
    def locale_context():
        locale = get_locale()
        return {"html_lang": html_lang(locale), "text_dir": text_direction(locale), "ui_locales": LOCALES}

