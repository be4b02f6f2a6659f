"""Pure policy rules: the sections, their typed options, validation, and when a draft differs from a version."""
from dataclasses import dataclass

SECTIONS = ("shipping", "payment", "returns", "privacy", "faq")
PAYMENT_METHODS = ("marketplace", "card", "paypal", "bank_transfer", "cash_on_delivery")
RETURN_SHIPPING_PAYERS = ("buyer", "seller")
MAX_RETURN_WINDOW = 365
MAX_PROCESSING_DAYS = 60
MAX_FREE_TEXT = 5000

#: Each section's options with their defaults; the type of the default is the option's type.
DEFAULT_OPTIONS = {
    "shipping": {"processing_days": 3, "carriers": "", "ships_internationally": False},
    "payment": {"methods": ["marketplace"]},
    "returns": {"returns_accepted": True, "return_window_days": 14, "exchanges": True,
                "return_shipping_paid_by": "buyer", "non_returnable": ""},
    "privacy": {"shares_with_carriers": True},
    "faq": {},
}


@dataclass(frozen=True)
class PolicyContent:
    """What a version says: the typed options and the seller's own text."""

    options: dict
    free_text: str = ""


def options_problem(section, options):
    """The first problem with a section's options as (option, code), or None."""
    expected = DEFAULT_OPTIONS[section]
    if set(options) != set(expected):
        return next(iter(set(options) ^ set(expected))), "unknown"
    for name, default in expected.items():
        value = options[name]
        if isinstance(default, bool):
            if not isinstance(value, bool):
                return name, "type"
        elif isinstance(default, int):
            if not isinstance(value, int) or isinstance(value, bool):
                return name, "type"
        elif isinstance(default, list):
            if not isinstance(value, list) or not all(v in PAYMENT_METHODS for v in value) or not value:
                return name, "choice"
        elif not isinstance(value, str) or len(value) > 500:
            return name, "type"
    if section == "returns":
        if not 1 <= options["return_window_days"] <= MAX_RETURN_WINDOW:
            return "return_window_days", "range"
        if options["return_shipping_paid_by"] not in RETURN_SHIPPING_PAYERS:
            return "return_shipping_paid_by", "choice"
    if section == "shipping" and not 0 <= options["processing_days"] <= MAX_PROCESSING_DAYS:
        return "processing_days", "range"
    return None


def is_unchanged(draft, current):
    """True when publishing the draft would repeat the current version word for word."""
    return current is not None and draft.options == current.options and draft.free_text.strip() == \
        current.free_text.strip()


def version_in_force(versions, moment):
    """The version (with a published_at) that was current at `moment`, or None when none was published yet."""
    earlier = [v for v in versions if v.published_at <= moment]
    return max(earlier, key=lambda v: (v.published_at, v.number)) if earlier else None


def placeholder_values(current_by_section):
    """Values saved replies quote from the current policies: the return window and the processing time."""
    returns, shipping = current_by_section.get("returns"), current_by_section.get("shipping")
    return {
        "return_window": str(returns.options["return_window_days"])
        if returns and returns.options.get("returns_accepted") else None,
        "processing_time": str(shipping.options["processing_days"]) if shipping else None,
    }
