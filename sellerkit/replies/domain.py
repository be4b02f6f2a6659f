"""Pure saved-reply rules: the placeholder language, checking a body, rendering it, choosing a language variant.

A placeholder is exactly `{name}` or `{name|fallback}` with a name from PLACEHOLDERS. Nothing else in a
body means anything: `{{ config }}`, `{% for %}` or `{ name }` stay plain text. Rendering is plain string
substitution, never a template engine, so no body can run code or read anything but the values given.
"""
import re
import unicodedata
from dataclasses import dataclass

PLACEHOLDERS = ("buyer_name", "order_reference", "order_date", "tracking_number", "tracking_link", "shop_name",
                "seller_name", "today", "return_window", "processing_time", "vacation_return_date")
PLACEHOLDER = re.compile(r"\{([a-z_]+)(?:\|([^{}\n]{0,100}))?\}")
MAX_SHORTCUT = 40
MAX_BODY = 10_000
MAX_TITLE = 120


def is_valid_shortcut(shortcut):
    """Letters of any script (with their marks: Bengali vowel signs), digits and "-": /доставка, /ارسال, /ডেলিভারি."""
    return 0 < len(shortcut) <= MAX_SHORTCUT and all(
        char == "-" or unicodedata.category(char)[0] in "LMN" for char in shortcut)


def unknown_placeholders(body, names=PLACEHOLDERS):
    """Names in {braces} that look like placeholders but are not in `names`, in order of appearance."""
    seen = []
    for match in PLACEHOLDER.finditer(body):
        if match.group(1) not in names and match.group(1) not in seen:
            seen.append(match.group(1))
    return seen


def used_placeholders(body):
    return [m.group(1) for m in PLACEHOLDER.finditer(body) if m.group(1) in PLACEHOLDERS]


@dataclass(frozen=True)
class Rendered:
    text: str
    #: Placeholders that had neither a value nor a fallback: they rendered as nothing.
    missing: tuple


def render(body, values, names=PLACEHOLDERS):
    """Fill the placeholders of `body` from `values` (name -> text or None); names not in `names` stay as typed."""
    missing = []

    def fill(match):
        name, fallback = match.group(1), match.group(2)
        if name not in names:
            return match.group(0)
        value = values.get(name)
        text = str(value) if value not in (None, "") else fallback
        if text is None:
            if name not in missing:
                missing.append(name)
            return ""
        # A value ending in an abbreviation's full stop ("15 января 2027 г.") ends the sentence too: one stop.
        if text.endswith(".") and body.startswith(".", match.end()):
            return text[:-1]
        return text

    return Rendered(PLACEHOLDER.sub(fill, body), tuple(missing))


def choose_variant(variants, buyer_language, shop_language):
    """The body to use and its language: the buyer's, else the shop's default, else any (the first by code)."""
    for language in (buyer_language, shop_language):
        if language and language in variants:
            return language, variants[language]
    if not variants:
        return None, None
    language = sorted(variants)[0]
    return language, variants[language]


def reply_problem(title, shortcut, bodies):
    """The first problem with a saved reply as (field, code, detail), or None."""
    if not (title or "").strip():
        return "title", "required", None
    if len(title) > MAX_TITLE:
        return "title", "too_long", None
    if shortcut and not is_valid_shortcut(shortcut):
        return "shortcut", "shortcut", None
    filled = {language: body for language, body in bodies.items() if (body or "").strip()}
    if not filled:
        return "body", "required", None
    for language, body in filled.items():
        if len(body) > MAX_BODY:
            return f"body_{language}", "too_long", None
        unknown = unknown_placeholders(body)
        if unknown:
            return f"body_{language}", "unknown_placeholder", ", ".join(unknown)
    return None
