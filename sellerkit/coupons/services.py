"""Coupon actions: create, generate and import codes, record redemptions (the one write path), hand out pool codes."""
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from sellerkit.coupons import domain
from sellerkit.coupons.models import Coupon, Redemption
from sellerkit.database import database_id, is_database_id
from sellerkit.dialects.locking import skipping_locked
from sellerkit.errors import ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.shops.services import require_owner
from sellerkit.threads.models import Order

PAGE_SIZE = 50
MAX_IMPORT_ROWS = 10_000
#: A redemption's time may run a little ahead of ours: the marketplace's clock is not ours.
CLOCK_SLACK = timedelta(minutes=5)
PROBLEMS = {
    "required": _l("This field is required."),
    "kind": _l("Choose a percentage or a fixed amount."),
    "not_a_number": _l("Enter a number, such as %(whole)s or %(fraction)s.", whole=10, fraction=Decimal("12.5")),
    "too_large": _l("This amount is too large."),
    "decimals": _l("Use at most 2 decimals."),
    "not_positive": _l("The discount must be more than 0."),
    "percent_over_100": _l("A percentage discount can be at most 100 %."),
    "currency": _l("Use a three-letter currency code, such as EUR."),
    "currency_required": _l("A fixed amount needs its currency, such as EUR."),
    "ends_before_start": _l("The coupon must end after it starts."),
    "usage_limit": _l("The usage limit must be at least 1; leave it empty for no limit."),
    "min_order_negative": _l("The minimum order cannot be negative."),
    "currency_for_minimum": _l("A minimum order needs its currency, such as EUR."),
    "code": _l("Use 3 to 64 letters A-Z, digits, - and _, starting with a letter or digit."),
    "pool": _l("Use up to 40 letters A-Z, digits, - and _, starting with a letter or digit."),
    "date": _l("Enter a date such as 2026-12-31, or a time such as 2026-12-31T18:00:00+01:00."),
    "whole_number": _l("Enter a whole number."),
}
REDEMPTION_PROBLEMS = {
    "not_yet_valid": (_l("This coupon was not valid yet at the time of the order."), "code"),
    "expired": (_l("This coupon had expired at the time of the order."), "code"),
    "over_limit": (_l("This coupon has already been used as many times as its limit allows."), "code"),
    "below_minimum": (_l("The order amount is below this coupon's minimum order."), "amount"),
}
COUPON_COLUMNS = ("code", "kind", "value", "currency", "valid_from", "valid_until", "usage_limit", "min_order", "pool")
REDEMPTION_COLUMNS = ("order_reference", "code", "amount", "currency", "redeemed_at")


def _terms(kind, value, currency, valid_from, valid_until, usage_limit, *, min_order):
    """The terms with the currency upper-cased, or a ServiceError naming the field at fault."""
    currency = (currency or "").strip().upper() or None
    problem = domain.coupon_problem(kind, value, currency, valid_from, valid_until, usage_limit, min_order=min_order)
    if problem:
        field_name, code = problem
        raise ServiceError(PROBLEMS[code], field=field_name, code=code)
    return {"kind": kind, "value": value, "currency": currency, "valid_from": valid_from, "valid_until": valid_until,
            "usage_limit": usage_limit, "min_order": min_order}


def _pool(text):
    pool = domain.normalize_code(text) or None
    if pool is not None and not domain.is_valid_pool(pool):
        raise ServiceError(PROBLEMS["pool"], field="pool", code="invalid_pool")
    return pool


def _insert_all(rows):
    """One batched INSERT for many codes; a code another request added meanwhile refuses the whole batch."""
    try:
        with db.session.begin_nested():
            db.session.execute(insert(Coupon), rows)
    except IntegrityError:
        raise ServiceError(_l("Some of these codes were added at the same moment by someone else; try again."),
                           field="code", code="duplicate_code") from None


def create_coupon(membership, code, kind, value, currency, valid_from, *, valid_until, usage_limit, min_order, now,
                  pool=None):
    """Add one coupon to the member's shop; owners only. A code already in the shop is refused, nothing written."""
    require_owner(membership)
    code = domain.normalize_code(code)
    if not domain.is_valid_code(code):
        raise ServiceError(PROBLEMS["code"], field="code", code="invalid_code")
    terms = _terms(kind, value, currency, valid_from, valid_until, usage_limit, min_order=min_order)
    coupon = Coupon(shop_id=membership.shop_id, code=code, pool=_pool(pool), redeemed_count=0, created_at=now, **terms)
    duplicate = ServiceError(_l("This code already exists in this shop."), field="code", code="duplicate_code")
    if db.session.scalar(select(Coupon.id).where(Coupon.shop_id == membership.shop_id, Coupon.code == code)):
        raise duplicate
    try:
        with db.session.begin_nested():
            db.session.add(coupon)
    except IntegrityError:
        raise duplicate from None  # added by a concurrent request between the check and the insert
    return coupon


def generate_pool(membership, prefix, count, kind, value, currency, *, valid_from, valid_until, min_order, now):
    """`count` single-use codes such as "THANKS-7KQ2M9XA" (prefix, dash, 8 random characters) in the pool named
    by the prefix; owners only. Returns the codes.

    Generating again with the same prefix tops the pool up; no code already in the shop is repeated.
    """
    require_owner(membership)
    prefix = domain.normalize_code(prefix)
    if not domain.is_valid_pool(prefix):
        raise ServiceError(PROBLEMS["pool"], field="prefix", code="invalid_prefix")
    if count is None or not 1 <= count <= domain.MAX_GENERATE:
        raise ServiceError(_l("Generate between 1 and %(count)s codes at a time.", count=domain.MAX_GENERATE),
                           field="count", code="invalid_count")
    terms = _terms(kind, value, currency, valid_from, valid_until, 1, min_order=min_order)
    # Only codes with this prefix can clash with generated ones, so only those are read.
    existing = db.session.scalars(select(Coupon.code).where(
        Coupon.shop_id == membership.shop_id, Coupon.code.startswith(prefix + "-", autoescape=True)))
    codes = domain.generate_codes(prefix, count, existing, secrets.SystemRandom())
    _insert_all([{"shop_id": membership.shop_id, "code": code, "pool": prefix, "redeemed_count": 0, "created_at": now,
                  **terms} for code in codes])
    return codes


@dataclass
class ImportReport:
    """What an import did: rows added, rows already there, and refused rows as (line number, reason)."""

    created: int = 0
    duplicates: int = 0
    rejected: list = field(default_factory=list)


def _read_file(text, columns, required):
    """The rows of an import file; a file without the required header columns is refused as a whole."""
    names, rows = domain.read_csv(text or "")
    missing = [name for name in required if name not in names]
    if missing:
        raise ServiceError(_l("The file needs a header row with the columns %(names)s.", names=", ".join(columns)),
                           field="file", code="bad_header")
    if len(rows) > MAX_IMPORT_ROWS:
        raise ServiceError(_l("The file has more than %(count)s rows; split it into smaller files.",
                              count=MAX_IMPORT_ROWS), field="file", code="too_many_rows")
    return rows


def _cell_value(row, name, parse, problem="date"):
    text = row.get(name) or ""
    if not text:
        return None
    value = parse(text)
    if value is None:
        raise ServiceError(PROBLEMS[problem], field=name)
    return value


def _coupon_row(row, zone, now, shop_id):
    """A CSV row as the values of a new coupon; ServiceError (with the column as field) when a cell is wrong."""
    code = domain.normalize_code(row.get("code"))
    if not domain.is_valid_code(code):
        raise ServiceError(PROBLEMS["code"], field="code")
    terms = _terms((row.get("kind") or "").lower(), _cell_value(row, "value", domain.parse_decimal, "not_a_number"),
                   row.get("currency"), _cell_value(row, "valid_from", lambda text: domain.parse_moment(text, zone)),
                   _cell_value(row, "valid_until", lambda text: domain.parse_moment(text, zone, end_of_day=True)),
                   _cell_value(row, "usage_limit", domain.parse_whole_number, "whole_number"),
                   min_order=_cell_value(row, "min_order", domain.parse_decimal, "not_a_number"))
    return {"shop_id": shop_id, "code": code, "pool": _pool(row.get("pool")), "redeemed_count": 0, "created_at": now,
            **terms}


def _reason(error):
    return _l("%(column)s: %(problem)s", column=error.field, problem=error.message) if error.field else error.message


def import_coupons_csv(membership, text, now):
    """Add the coupons of a CSV file (a marketplace export or ours); owners only.

    Rows with a code already in the shop (or earlier in the file) count as duplicates; wrong rows are refused
    with their line number; the others are added together.
    """
    require_owner(membership)
    rows = _read_file(text, COUPON_COLUMNS, required=("code", "kind", "value"))
    zone = ZoneInfo(membership.shop.timezone)
    existing = set(db.session.scalars(select(Coupon.code).where(Coupon.shop_id == membership.shop_id)))
    report, new = ImportReport(), []
    for line, row in rows:
        try:
            values = _coupon_row(row, zone, now, membership.shop_id)
        except ServiceError as error:
            report.rejected.append((line, _reason(error)))
            continue
        if values["code"] in existing:
            report.duplicates += 1
            continue
        existing.add(values["code"])
        new.append(values)
    if new:
        _insert_all(new)
    report.created = len(new)
    return report


def _checked_redemption(order_ref, amount, currency, redeemed_at, source, now):
    order_ref = (order_ref or "").strip()
    if not domain.is_valid_order_ref(order_ref):
        raise ServiceError(_l("Give the order's reference (at most 200 characters)."), field="order_reference")
    if amount is None:
        raise ServiceError(PROBLEMS["required"], field="amount")
    if domain.amount_problem(amount) or amount < 0:
        raise ServiceError(_l("Enter the order amount: 0 or more, with at most 2 decimals."), field="amount")
    currency = (currency or "").strip().upper() or None
    if currency is not None and not domain.is_valid_currency(currency):
        raise ServiceError(PROBLEMS["currency"], field="currency")
    if redeemed_at is None:
        raise ServiceError(PROBLEMS["required"], field="redeemed_at")
    if redeemed_at > now + CLOCK_SLACK:
        raise ServiceError(_l("The order time is in the future."), field="redeemed_at", code="in_future")
    if source not in domain.SOURCES:
        raise ValueError(f"unknown redemption source {source!r}")
    return order_ref, currency


def _stored_redemption(coupon_id, order_ref):
    return db.session.scalar(select(Redemption).where(Redemption.coupon_id == coupon_id,
                                                      Redemption.order_ref == order_ref))


def record_redemption(shop, code, order_ref, amount, currency, redeemed_at, *, source, now):
    """Record that an order used a coupon: (redemption, is_new). The one write path of redemptions.

    Unknown codes and orders the coupon's terms exclude are refused with nothing stored. The same order again
    returns the stored redemption. The usage count rises in a conditional UPDATE, so concurrent redemptions
    never take a coupon past its limit.
    """
    order_ref, currency = _checked_redemption(order_ref, amount, currency, redeemed_at, source, now)
    code = domain.normalize_code(code)
    # A malformed code cannot be in the shop; not asking also keeps characters PostgreSQL refuses out of SQL.
    coupon = db.session.scalar(select(Coupon).where(Coupon.shop_id == shop.id, Coupon.code == code)) \
        if domain.is_valid_code(code) else None
    if coupon is None:
        raise ServiceError(_l("No coupon with this code in this shop."), field="code", code="unknown_code")
    stored = _stored_redemption(coupon.id, order_ref)
    if stored is not None:
        return stored, False
    problem = domain.redemption_problem(coupon, redeemed_at, amount)
    if problem:
        message, field_name = REDEMPTION_PROBLEMS[problem]
        raise ServiceError(message, field=field_name, status=422, code=problem)
    if coupon.currency and currency and currency != coupon.currency and (coupon.kind == "fixed" or coupon.min_order):
        raise ServiceError(_l("This coupon is in %(currency)s; the order is in another currency.",
                              currency=coupon.currency), field="currency", status=422, code="currency_mismatch")
    buyer_id = db.session.scalar(select(Order.buyer_id).where(Order.shop_id == shop.id,
                                                              Order.platform_order_ref == order_ref))
    redemption = Redemption(shop_id=shop.id, coupon_id=coupon.id, order_ref=order_ref, buyer_id=buyer_id,
                            amount=amount, currency=currency or coupon.currency, redeemed_at=redeemed_at,
                            source=source, created_at=now)
    try:
        # Count and row together: if the row turns out to exist already, the count is undone with it.
        with db.session.begin_nested():
            counted = db.session.execute(
                update(Coupon).where(Coupon.id == coupon.id,
                                     or_(Coupon.usage_limit.is_(None), Coupon.redeemed_count < Coupon.usage_limit))
                .values(redeemed_count=Coupon.redeemed_count + 1).execution_options(synchronize_session=False)
            ).rowcount
            if counted == 1:
                db.session.add(redemption)
    except IntegrityError:
        stored = _stored_redemption(coupon.id, order_ref)  # the same order, recorded by a concurrent request
        if stored is None:
            raise
        return stored, False
    finally:
        db.session.expire(coupon, ["redeemed_count"])
    if counted != 1:
        message, field_name = REDEMPTION_PROBLEMS["over_limit"]
        raise ServiceError(message, field=field_name, status=422, code="over_limit")
    return redemption, True


def import_redemptions_csv(shop, text, now):
    """Record the redemptions of a CSV file line by line; refused lines are reported with their reason, not counted."""
    rows = _read_file(text, REDEMPTION_COLUMNS, required=("order_reference", "code", "amount", "redeemed_at"))
    zone = ZoneInfo(shop.timezone)
    report = ImportReport()
    for line, row in rows:
        try:
            amount = _cell_value(row, "amount", domain.parse_decimal, "not_a_number")
            redeemed_at = _cell_value(row, "redeemed_at", lambda text: domain.parse_moment(text, zone))
            _redemption, is_new = record_redemption(shop, row.get("code"), row.get("order_reference"), amount,
                                                    row.get("currency"), redeemed_at, source="import", now=now)
        except ServiceError as error:
            report.rejected.append((line, _reason(error)))
            continue
        if is_new:
            report.created += 1
        else:
            report.duplicates += 1
    return report


def _usable(now):
    """SQL conditions matching domain.is_usable."""
    return (or_(Coupon.valid_from.is_(None), Coupon.valid_from <= now),
            or_(Coupon.valid_until.is_(None), Coupon.valid_until > now),
            or_(Coupon.usage_limit.is_(None), Coupon.redeemed_count < Coupon.usage_limit))


def _free_in_pool(shop_id, pool, now):
    return (Coupon.shop_id == shop_id, Coupon.pool == pool, Coupon.assigned_at.is_(None), *_usable(now))


def take_pool_code(shop_id, pool, now):
    """Hand out the oldest free, usable code of a pool (marked assigned at `now`), or None when none is left.

    The conditional UPDATE makes a code go to one caller only, even with several schedulers; a caller that
    loses a code to another tries the next one.
    """
    last_tried = 0
    while True:
        candidate = select(Coupon.id).where(*_free_in_pool(shop_id, pool, now), Coupon.id > last_tried) \
            .order_by(Coupon.id).limit(1)
        coupon_id = db.session.scalar(skipping_locked(db.session, candidate))
        if coupon_id is None:
            return None
        taken = db.session.execute(
            update(Coupon).where(Coupon.id == coupon_id, Coupon.assigned_at.is_(None)).values(assigned_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if taken == 1:
            return db.session.get(Coupon, coupon_id, populate_existing=True)
        last_tried = coupon_id


def free_pool_codes(shop_id, pool, now):
    return db.session.scalar(select(func.count()).select_from(Coupon).where(*_free_in_pool(shop_id, pool, now)))


def pools_of(shop_id, now):
    """(pool, total codes, free usable codes) for each pool of the shop, by name; one query."""
    free = func.sum(case((and_(Coupon.assigned_at.is_(None), *_usable(now)), 1), else_=0))
    return [tuple(row) for row in db.session.execute(
        select(Coupon.pool, func.count(), free).where(Coupon.shop_id == shop_id, Coupon.pool.is_not(None))
        .group_by(Coupon.pool).order_by(Coupon.pool))]


def shared_coupons(shop_id, now):
    """Usable coupons outside any pool: the ones a campaign can give every buyer as one shared code."""
    return db.session.scalars(select(Coupon).where(Coupon.shop_id == shop_id, Coupon.pool.is_(None), *_usable(now))
                              .order_by(Coupon.code)).all()


def coupon_of(shop_id, coupon_id):
    if not is_database_id(coupon_id):  # a form's number past any id: PostgreSQL would refuse to compare with it
        return None
    return db.session.scalar(select(Coupon).where(Coupon.shop_id == shop_id, Coupon.id == coupon_id))


def cursor_id(text):
    """The id a page continues after, from ?after= or an API cursor; None when it is not an id."""
    return database_id(text)


def coupons_page(shop_id, pool=None, query="", after=None, limit=PAGE_SIZE):
    """A page of the shop's coupons, newest first, and the id to continue after (None on the last page)."""
    query = domain.normalize_code(query)
    if (pool and not domain.is_valid_pool(pool)) or (query and not domain.is_code_prefix(query)):
        return [], None  # no code or pool is written like that
    statement = select(Coupon).where(Coupon.shop_id == shop_id)
    if pool:
        statement = statement.where(Coupon.pool == pool)
    if query:
        statement = statement.where(Coupon.code.startswith(query, autoescape=True))
    if after:
        statement = statement.where(Coupon.id < after)
    coupons = db.session.scalars(statement.order_by(Coupon.id.desc()).limit(limit + 1)).all()
    return coupons[:limit], coupons[limit - 1].id if len(coupons) > limit else None


def redemptions_page(shop_id, after=None, limit=PAGE_SIZE):
    """A page of (redemption, code), latest order first, and the redemption id to continue after."""
    statement = select(Redemption, Coupon.code).join(Coupon, Coupon.id == Redemption.coupon_id) \
        .where(Redemption.shop_id == shop_id)
    if after:
        last = db.session.execute(select(Redemption.redeemed_at, Redemption.id).where(
            Redemption.shop_id == shop_id, Redemption.id == after)).first()
        if last is not None:
            statement = statement.where(or_(Redemption.redeemed_at < last.redeemed_at,
                                            and_(Redemption.redeemed_at == last.redeemed_at, Redemption.id < last.id)))
    rows = db.session.execute(statement.order_by(Redemption.redeemed_at.desc(), Redemption.id.desc())
                              .limit(limit + 1)).all()
    return [tuple(row) for row in rows[:limit]], rows[limit - 1][0].id if len(rows) > limit else None


def coupons_for_export(shop_id, pool=None):
    if pool and not domain.is_valid_pool(pool):
        return []
    statement = select(Coupon).where(Coupon.shop_id == shop_id)
    if pool:
        statement = statement.where(Coupon.pool == pool)
    return db.session.scalars(statement.order_by(Coupon.id)).all()
