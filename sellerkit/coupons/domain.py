"""Pure coupon rules: the code format, a coupon's terms, generated codes, and whether a redemption counts."""
import csv
import io
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

KINDS = ("percent", "fixed")
SOURCES = ("api", "import", "web")
#: Starts with a letter or digit: a leading "-" would make a spreadsheet read the exported code as a formula.
CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{2,63}")
POOL = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,39}")
CURRENCY = re.compile(r"[A-Z]{3}")
#: No 0/O and no 1/I/L: a buyer copying a code from a message cannot mistake one for the other.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RANDOM_LENGTH = 8
MAX_GENERATE = 5000
#: Numeric(12, 2) holds ten digits before the point.
MAX_AMOUNT = Decimal("1e10")
MAX_USAGE_LIMIT = 2**31 - 1
MAX_ORDER_REF = 200
#: Dates outside these years are typing mistakes, and far ones overflow when converted to UTC.
MIN_YEAR, MAX_YEAR = 1970, 2999


def normalize_code(text):
    """A code as buyers type it at checkout and as it is stored: without surrounding spaces, upper-case."""
    return (text or "").strip().upper()


def is_valid_code(code):
    return CODE.fullmatch(code or "") is not None


def is_code_prefix(text):
    """Whether some code could start with `text`: a search for anything else finds nothing, without asking."""
    return re.fullmatch(r"[A-Z0-9_-]{1,64}", text or "") is not None


def is_valid_pool(pool):
    return POOL.fullmatch(pool or "") is not None


def is_valid_currency(currency):
    return CURRENCY.fullmatch(currency or "") is not None


def is_valid_order_ref(text):
    """1 to 200 characters with no control characters or lone surrogates, which no database column stores."""
    return 0 < len(text or "") <= MAX_ORDER_REF and not any(
        unicodedata.category(char) in ("Cc", "Cs") for char in text)


def amount_problem(value):
    """Why a money amount or percentage cannot be stored (Numeric(12, 2)), or None."""
    if not value.is_finite():
        return "not_a_number"
    if abs(value) >= MAX_AMOUNT:
        return "too_large"
    if value.as_tuple().exponent < -2:
        return "decimals"
    return None


def coupon_problem(kind, value, currency, valid_from, valid_until, usage_limit, *, min_order):
    """The first problem with a coupon's terms as (field, code), or None. Currency is already upper-case."""
    if kind not in KINDS:
        return "kind", "kind"
    if value is None:
        return "value", "required"
    if amount_problem(value):
        return "value", amount_problem(value)
    if value <= 0:
        return "value", "not_positive"
    if kind == "percent" and value > 100:
        return "value", "percent_over_100"
    if currency is not None and not is_valid_currency(currency):
        return "currency", "currency"
    if kind == "fixed" and currency is None:
        return "currency", "currency_required"
    if valid_from is not None and valid_until is not None and valid_until <= valid_from:
        return "valid_until", "ends_before_start"
    if usage_limit is not None and not 1 <= usage_limit <= MAX_USAGE_LIMIT:
        return "usage_limit", "usage_limit"
    if min_order is not None:
        if amount_problem(min_order):
            return "min_order", amount_problem(min_order)
        if min_order < 0:
            return "min_order", "min_order_negative"
        # A minimum of 0 is no condition at all; any other amount means nothing without its currency.
        if min_order > 0 and currency is None:
            return "currency", "currency_for_minimum"
    return None


def generate_codes(prefix, count, existing, rng):
    """`count` new codes like "THANKS-7KQ2M9XA" (prefix, dash, 8 random characters), unique among themselves
    and not in `existing`.

    `rng` chooses the random part (secrets.SystemRandom in the app, so codes cannot be guessed from each
    other; a seeded random.Random in tests). With 31**8 combinations a clash is rare, so retries are few.
    """
    if not 1 <= count <= MAX_GENERATE:
        raise ValueError(f"count must be 1 to {MAX_GENERATE}")
    codes, taken = [], set(existing)
    attempts = 0
    while len(codes) < count:
        attempts += 1
        if attempts > count * 20:
            raise RuntimeError("the random part keeps clashing; the prefix's codes are nearly used up")
        code = f"{prefix}-{''.join(rng.choice(ALPHABET) for _ in range(RANDOM_LENGTH))}"
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


def is_expired(coupon, now):
    return coupon.valid_until is not None and now >= coupon.valid_until


def is_used_up(coupon):
    return coupon.usage_limit is not None and coupon.redeemed_count >= coupon.usage_limit


def is_usable(coupon, now):
    """Valid at `now` (from valid_from, up to but not at valid_until) and still under its usage limit."""
    started = coupon.valid_from is None or coupon.valid_from <= now
    return started and not is_expired(coupon, now) and not is_used_up(coupon)


def redemption_problem(coupon, redeemed_at, amount):
    """Why an order at `redeemed_at` for `amount` cannot use the coupon, as a code, or None."""
    if coupon.valid_from is not None and redeemed_at < coupon.valid_from:
        return "not_yet_valid"
    if is_expired(coupon, redeemed_at):
        return "expired"
    if is_used_up(coupon):
        return "over_limit"
    if coupon.min_order is not None and amount < coupon.min_order:
        return "below_minimum"
    return None


def parse_decimal(text):
    """A number typed by a person or exported by a marketplace ("12.50", "12,50", "۱۲٫۵"), or None when it is not
    one."""
    text = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    # Persian writes 12٫5 and 1٬000 (its digits Decimal reads as they are).
    text = text.replace("\u066b", ".").replace("\u066c", "")
    if "," in text and "." not in text and text.count(",") == 1:
        text = text.replace(",", ".")  # a decimal comma, as Polish and Russian exports write it
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def parse_whole_number(text):
    """0 or more from up to 10 ASCII digits, or None: str.isdigit() also takes "²", which int() refuses, and
    int() refuses thousands of digits with an error of its own."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else None


def day_start(day, zone):
    return datetime.combine(day, time(0), tzinfo=zone)


def day_end(day, zone):
    """The first moment after `day`: a coupon "valid until" a day is valid through its last minute."""
    return day_start(day + timedelta(days=1), zone)


def parse_moment(text, zone, end_of_day=False):
    """A moment from ISO 8601 text, or None when it is not one.

    A date alone ("2026-12-31") is the start of that day in `zone`, or the end of it with `end_of_day`; a time
    without an offset is read in `zone` too, since marketplace exports rarely carry one.
    """
    text = (text or "").strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            if not MIN_YEAR <= day.year <= MAX_YEAR:
                return None
            return day_end(day, zone) if end_of_day else day_start(day, zone)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def read_csv(text):
    """(column names, rows) of a CSV text: names lower-cased, rows as (line number, {name: cell}).

    The delimiter is the header's: marketplaces in Poland and Russia export with ";". Line numbers are the
    file's own, counting the header as line 1, so a seller can find a refused row in a spreadsheet.
    """
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        return [], []
    columns = [name.strip().lower() for name in header]
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        rows.append((reader.line_num, {name: (cells[i].strip() if i < len(cells) else "")
                                       for i, name in enumerate(columns)}))
    return columns, rows
