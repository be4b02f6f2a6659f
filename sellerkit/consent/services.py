"""Consent actions: record a consent or its withdrawal (the one write path), opt-out links, stop replies, imports."""
import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import or_, select

from sellerkit.consent import domain
from sellerkit.consent.models import ConsentEvent
from sellerkit.coupons.domain import parse_moment
from sellerkit.errors import NotFound, ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.threads.models import Buyer

BUYER_NOT_FOUND = _l("This buyer does not exist or is not in your shops.")
INVALID_LINK = _l("This opt-out link is not valid. Copy the whole link from the message, or reply STOP.")
#: A consent "given" in the future is a typo, apart from small clock differences between systems.
CLOCK_SKEW = timedelta(minutes=5)


def buyer_of(shop_id, buyer_id):
    buyer = db.session.scalar(select(Buyer).where(Buyer.id == buyer_id, Buyer.shop_id == shop_id))
    if buyer is None:
        raise NotFound(BUYER_NOT_FOUND)
    return buyer


def state_of(buyer):
    return domain.ConsentState(buyer.consent_given_at, buyer.consent_source, buyer.consent_withdrawn_at)


def record(buyer, action, source, text, occurred_at, now, *, actor=None):
    """Append a consent event and move the buyer's current state; the only place consent changes.

    Returns the new event, or None when it changes nothing (withdrawing again). Refuses, changing nothing,
    an unknown source, a consent without the wording agreed to, a too long text, or a time in the future.
    """
    text = (text or "").strip()
    if action not in ("given", "withdrawn") or source not in domain.SOURCES:
        raise ServiceError(_l("Choose one of the listed options."), field="source")
    if action == "given" and not text:
        raise ServiceError(_l("Write the text the buyer agreed to."), field="text")
    if len(text) > domain.MAX_TEXT:
        raise ServiceError(_l("This text is too long."), field="text")
    if occurred_at > now + CLOCK_SKEW:
        raise ServiceError(_l("This date is in the future."), field="occurred_at")
    state = state_of(buyer)
    if domain.is_repeat(state, action):
        return None
    event = ConsentEvent(shop_id=buyer.shop_id, buyer_id=buyer.id, action=action, source=source, text=text,
                         occurred_at=occurred_at, recorded_by_id=actor.id if actor else None, created_at=now)
    db.session.add(event)
    new = domain.after_event(state, action, source, occurred_at)
    buyer.consent_given_at, buyer.consent_source = new.given_at, new.source
    buyer.consent_withdrawn_at = new.withdrawn_at
    db.session.flush()
    return event


def history(buyer_id):
    return db.session.scalars(select(ConsentEvent).where(ConsentEvent.buyer_id == buyer_id)
                              .order_by(ConsentEvent.occurred_at.desc(), ConsentEvent.id.desc())).all()


def opt_out_token(shop_id, buyer_id):
    return domain.opt_out_token(current_app.config["SECRET_KEY"], shop_id, buyer_id)


def buyer_for_token(shop_id, token):
    """The buyer an opt-out link names, if the link is intact and belongs to this shop; else a translated error."""
    value = domain.read_opt_out_token(current_app.config["SECRET_KEY"], token)
    if value is None or value[0] != shop_id:
        raise ServiceError(INVALID_LINK, code="invalid_link")
    buyer = db.session.scalar(select(Buyer).where(Buyer.id == value[1], Buyer.shop_id == shop_id))
    if buyer is None:
        raise ServiceError(INVALID_LINK, code="invalid_link")
    return buyer


def opt_out(shop_id, token, now):
    """The one-click opt-out: the buyer named by the link withdraws; clicking again changes nothing."""
    buyer = buyer_for_token(shop_id, token)
    record(buyer, "withdrawn", "opt_out_link", "", now, now)
    return buyer


def on_buyer_message(buyer, message, now):
    """A reply of just "stop" (in any of the six languages) withdraws the buyer's consent, if they had given it."""
    if buyer.consent_given_at is None or not domain.is_stop_reply(message.body):
        return None
    return record(buyer, "withdrawn", "stop_reply", message.body[:domain.MAX_TEXT], message.posted_at, now)


@dataclass
class ImportReport:
    recorded: int = 0
    unchanged: int = 0
    rejected: list = field(default_factory=list)  # (line number, reason)


IMPORT_COLUMNS = ("buyer_id", "email", "given_at", "text")


def import_csv(shop, data, now, actor=None):
    """Consents collected elsewhere (the marketplace's order checkbox export): one line per buyer.

    Columns buyer_id (the marketplace's id) or email, given_at, text, and optionally withdrawn_at. Buyers are
    matched in this shop; lines that cannot be used are reported with their number and change nothing.
    """
    reader = csv.DictReader(io.StringIO(data))
    columns = set(reader.fieldnames or ())
    if not {"given_at", "text"} <= columns or not columns & {"buyer_id", "email"}:
        raise ServiceError(_l("The file needs the columns %(names)s.", names="buyer_id/email, given_at, text"),
                           field="file")
    report = ImportReport()
    for line, row in enumerate(reader, start=2):
        try:
            with db.session.begin_nested():
                outcome = _import_row(shop, row, now, actor)
        except ServiceError as error:
            report.rejected.append((line, str(error.message)))
            continue
        if outcome:
            report.recorded += 1
        else:
            report.unchanged += 1
    return report


def _import_row(shop, row, now, actor):
    platform_id, email = (row.get("buyer_id") or "").strip(), (row.get("email") or "").strip().lower()
    if not platform_id and not email:
        raise ServiceError(_l("Give the buyer's id or e-mail."))
    buyer = db.session.scalar(select(Buyer).where(
        Buyer.shop_id == shop.id,
        or_(Buyer.platform_buyer_id == platform_id if platform_id else False,
            Buyer.email == email if email and not platform_id else False)).order_by(Buyer.id).limit(1))
    if buyer is None:
        raise ServiceError(_l("No buyer with this id or e-mail in this shop."))
    zone = ZoneInfo(shop.timezone)
    given_at = parse_moment((row.get("given_at") or "").strip(), zone)
    if given_at is None:
        raise ServiceError(_l("This date is not valid."))
    if db.session.scalar(select(ConsentEvent.id).where(ConsentEvent.buyer_id == buyer.id,
                                                       ConsentEvent.source == "import",
                                                       ConsentEvent.occurred_at == given_at).limit(1)):
        return None  # the same file imported twice
    event = record(buyer, "given", "import", row.get("text"), given_at, now, actor=actor)
    withdrawn_text = (row.get("withdrawn_at") or "").strip()
    if withdrawn_text:
        withdrawn_at = parse_moment(withdrawn_text, zone)
        if withdrawn_at is None:
            raise ServiceError(_l("This date is not valid."))
        record(buyer, "withdrawn", "import", "", withdrawn_at, now, actor=actor)
    return event
