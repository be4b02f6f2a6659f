"""Saved-reply actions: list, save, delete, count usage, import and export, and fill one in for a thread."""
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from babel import Locale
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from sellerkit.collation import sort_key_for
from sellerkit.database import database_id, is_database_id
from sellerkit.errors import Forbidden, NotFound, ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import buyer_date, localize_digits
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.replies import domain
from sellerkit.replies.models import SavedReply, SavedReplyVariant
from sellerkit.shops.domain import BUYER_LANGUAGES
from sellerkit.shops.models import Membership

REPLY_NOT_FOUND = _l("This saved reply does not exist or you cannot see it.")
PROBLEMS = {
    "required": _l("This field is required."),
    "too_long": _l("This text is too long."),
    "shortcut": _l("Use letters, digits and - only, without spaces."),
}
#: Orders of the list, alphabetical ones in the viewer's language (sort_key_for): most used, by folder, by title.
SORTS = {"usage": lambda reply, key: (-reply.usage_count, key(reply.title), reply.id),
         "folder": lambda reply, key: (key(reply.folder), key(reply.title), reply.id),
         "title": lambda reply, key: (key(reply.title), reply.id)}


def _visible(membership):
    """Shared replies of the member's shop and the member's own personal ones."""
    return (SavedReply.shop_id == membership.shop_id,
            or_(SavedReply.owner_id.is_(None), SavedReply.owner_id == membership.user_id))


def replies_for(membership, sort="usage", query=""):
    statement = select(SavedReply).where(*_visible(membership)).options(selectinload(SavedReply.variants))
    if query.strip():
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(or_(func.lower(SavedReply.title).like(pattern), SavedReply.id.in_(
            select(SavedReplyVariant.reply_id).where(func.lower(SavedReplyVariant.body).like(pattern)))))
    order, key = SORTS.get(sort, SORTS["usage"]), sort_key_for()
    return sorted(db.session.scalars(statement).all(), key=lambda reply: order(reply, key))


@dataclass(frozen=True)
class PickerReply:
    """A saved reply as the composer's picker needs it: no ORM object, just its text per language."""

    id: int
    title: str
    shortcut: str | None
    usage_count: int
    bodies: dict


def picker_replies(membership):
    """The replies the member can use, most used first, as plain rows in one query: every conversation page
    lists them all, and fifty ORM objects with their variants cost more than the page's own messages."""
    rows = db.session.execute(
        select(SavedReply.id, SavedReply.title, SavedReply.shortcut, SavedReply.usage_count, SavedReplyVariant.language,
               SavedReplyVariant.body)
        .join(SavedReplyVariant, SavedReplyVariant.reply_id == SavedReply.id).where(*_visible(membership))
        .order_by(SavedReplyVariant.language))
    picked = {}
    for reply_id, title, shortcut, usage_count, language, body in rows:
        if reply_id not in picked:
            picked[reply_id] = PickerReply(reply_id, title, shortcut, usage_count, {})
        picked[reply_id].bodies[language] = body
    order, key = SORTS["usage"], sort_key_for()
    return sorted(picked.values(), key=lambda reply: order(reply, key))


def reply_for(user, reply_id):
    """A saved reply the user may see, with their membership; NotFound otherwise (another's personal one too)."""
    if not is_database_id(reply_id):  # PostgreSQL would refuse to compare an integer column with it
        raise NotFound(REPLY_NOT_FOUND)
    row = db.session.execute(
        select(SavedReply, Membership).join(Membership, Membership.shop_id == SavedReply.shop_id)
        .where(SavedReply.id == reply_id, Membership.user_id == user.id,
               or_(SavedReply.owner_id.is_(None), SavedReply.owner_id == user.id))
    ).first()
    if row is None:
        raise NotFound(REPLY_NOT_FOUND)
    return row


def _check_may_edit(membership, reply=None, personal=False):
    shared = not personal if reply is None else reply.owner_id is None
    if shared and not membership.is_owner:
        raise Forbidden(_l("Only the shop's owners can change shared saved replies; keep a personal one instead."))


def save_reply(membership, now, title, shortcut, folder, bodies, *, personal=False, reply=None):
    """Create or change a saved reply. Bodies map language -> text; empty ones are dropped; unknown placeholders,
    a duplicate shortcut or a body over 10,000 characters are refused with nothing changed."""
    _check_may_edit(membership, reply, personal)
    shortcut = (shortcut or "").strip() or None
    problem = domain.reply_problem(title, shortcut, bodies)
    if problem:
        field, code, detail = problem
        if code == "unknown_placeholder":
            raise ServiceError(_l("Unknown placeholder: %(names)s. Use one from the list.", names=detail), field=field)
        raise ServiceError(PROBLEMS[code], field=field)
    if any(language not in BUYER_LANGUAGES for language in bodies):
        raise ServiceError(_l("Choose one of the listed languages."), field="body")
    if shortcut:
        clash = select(SavedReply.id).where(SavedReply.shop_id == membership.shop_id, SavedReply.shortcut == shortcut)
        if reply is not None:
            clash = clash.where(SavedReply.id != reply.id)
        if db.session.scalar(clash):
            raise ServiceError(_l("Another saved reply already uses the shortcut /%(shortcut)s.", shortcut=shortcut),
                               field="shortcut")
    if reply is None:
        reply = SavedReply(shop_id=membership.shop_id, owner_id=membership.user_id if personal else None,
                           usage_count=0, created_at=now)
        db.session.add(reply)
    reply.title, reply.shortcut, reply.folder = title.strip(), shortcut, (folder or "").strip()[:60]
    reply.updated_at = now
    wanted = {language: body for language, body in bodies.items() if (body or "").strip()}
    for variant in list(reply.variants):
        if variant.language not in wanted:
            reply.variants.remove(variant)
        else:
            variant.body = wanted.pop(variant.language)
    reply.variants.extend(SavedReplyVariant(language=language, body=body) for language, body in wanted.items())
    db.session.flush()
    return reply


def delete_reply(membership, reply):
    _check_may_edit(membership, reply)
    db.session.delete(reply)


def record_usage(shop_id, user, reply_ids, now):
    """Count a sent message that contained these replies (the ones this user can see in this shop)."""
    ids = {reply_id for reply_id in map(database_id, reply_ids) if reply_id is not None}
    if ids:
        db.session.execute(
            update(SavedReply).where(SavedReply.id.in_(ids), SavedReply.shop_id == shop_id,
                                     or_(SavedReply.owner_id.is_(None), SavedReply.owner_id == user.id))
            .values(usage_count=SavedReply.usage_count + 1, last_used_at=now))


def placeholder_values(thread, shop, seller, now, policy_values=None, return_day=None):
    """Every placeholder's value for a thread, dates written in the buyer's language and the shop's timezone."""
    language = thread.language or shop.default_language
    zone = ZoneInfo(shop.timezone)

    def date(value):
        return buyer_date(value.astimezone(zone), language) if value else None

    order = thread.order
    values = {
        "buyer_name": thread.buyer.display_name or None, "shop_name": shop.name,
        "seller_name": (seller.display_name or None) if seller else None, "today": date(now),
        "order_reference": order.platform_order_ref if order else None,
        "order_date": date(order.placed_at) if order else None,
        "tracking_number": order.tracking_number if order else None,
        "tracking_link": order.tracking_url if order else None,
    }
    values["vacation_return_date"] = buyer_date(return_day, language) if return_day else None
    # Numbers quoted from the policies are written in the buyer's digits too (۳۰ for a Persian buyer).
    locale = Locale.parse(language) if language in ("fa", "bn") else None
    values.update({name: localize_digits(value, locale) if value and locale else value
                   for name, value in (policy_values or {}).items()})
    return values


def render_for_thread(reply, thread, shop, seller, now, values=None):
    """(language used, Rendered) for a thread: the buyer's language, else the shop's, else any."""
    language, body = domain.choose_variant(reply.bodies, thread.language, shop.default_language)
    if body is None:
        return None, domain.Rendered("", ())
    return language, domain.render(body, values or placeholder_values(thread, shop, seller, now))


def export_replies(membership):
    """The shop's shared replies (and the member's personal ones) as JSON-ready data."""
    return {"format": "sellerkit-saved-replies", "version": 1, "replies": [
        {"title": r.title, "shortcut": r.shortcut, "folder": r.folder, "personal": r.owner_id is not None,
         "bodies": r.bodies} for r in replies_for(membership, sort="title")]}


def import_replies(membership, data, now):
    """Add replies from an export; all or nothing. A reply whose shortcut is taken keeps its text without one."""
    if not isinstance(data, dict) or data.get("format") != "sellerkit-saved-replies" or \
            not isinstance(data.get("replies"), list):
        raise ServiceError(_l("This file is not a sellerkit saved-replies export."), field="file")
    taken = set(db.session.scalars(select(SavedReply.shortcut).where(SavedReply.shop_id == membership.shop_id)))
    created = []
    for number, entry in enumerate(data["replies"], start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("bodies"), dict) or \
                not all(isinstance(v, str) for v in entry["bodies"].values()):
            raise ServiceError(_l("Reply %(number)s in the file is not valid.", number=number), field="file")
        shortcut = entry.get("shortcut") if entry.get("shortcut") not in taken else None
        try:
            created.append(save_reply(membership, now, str(entry.get("title") or ""), shortcut,
                                      str(entry.get("folder") or ""), entry["bodies"],
                                      personal=bool(entry.get("personal"))))
        except ServiceError as error:
            raise ServiceError(_l("Reply %(number)s in the file: %(problem)s", number=number,
                                  problem=error.message), field="file") from None
        taken.add(shortcut)
    return created
