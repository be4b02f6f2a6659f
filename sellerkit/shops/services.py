"""Shop actions: create a shop, change its settings and hours, manage its members; all scoped to the actor."""
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from sellerkit.accounts.domain import is_valid_email, normalize_email
from sellerkit.accounts.models import User
from sellerkit.collation import alphabetical, sort_key_for
from sellerkit.errors import Forbidden, NotFound, ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.outbox.mailcheck import mail_server_problem
from sellerkit.shops import domain
from sellerkit.shops.models import BusinessHours, Holiday, Membership, Shop
from sellerkit.sla import services as sla
from sellerkit.sla.domain import rule_for, rule_problem

SHOP_NOT_FOUND = _l("This shop does not exist or you are not a member of it.")


def _validated_settings(name, platform, default_language, timezone):
    name = (name or "").strip()
    if not name:
        raise ServiceError(_l("Give the shop a name."), field="name")
    if len(name) > domain.MAX_SHOP_NAME:
        raise ServiceError(_l("Use at most %(count)s characters.", count=domain.MAX_SHOP_NAME), field="name")
    if platform not in domain.PLATFORMS:
        raise ServiceError(_l("Choose one of the listed platforms."), field="platform")
    if default_language not in domain.BUYER_LANGUAGES:
        raise ServiceError(_l("Choose one of the listed languages."), field="default_language")
    if not domain.is_valid_timezone(timezone):
        raise ServiceError(_l("Unknown timezone. Choose one from the list, such as Europe/Warsaw."),
                           field="timezone")
    return {"name": name, "platform": platform, "default_language": default_language, "timezone": timezone}


def create_shop(actor, name, platform, default_language, timezone, now):
    """Create a shop owned by `actor`."""
    shop = Shop(**_validated_settings(name, platform, default_language, timezone), created_at=now)
    # Through the user too: when the actor's memberships are loaded (as with their session), the new one is there.
    shop.memberships.append(Membership(user=actor, role="owner", created_at=now))
    db.session.add(shop)
    db.session.flush()
    return shop


def any_user_exists():
    return db.session.scalar(select(User.id).limit(1)) is not None


def _loaded_memberships(user):
    """The user's memberships when they came with the user (accounts.user_for_session loads them), else None."""
    return None if "memberships" in inspect(user).unloaded else user.memberships


def memberships_of(user):
    """The user's memberships with their shops, in one query per request (the switcher and the pages share it)."""
    cached = g.get("memberships_of")
    if cached is not None and cached[0] == user.id:
        return cached[1]
    loaded = _loaded_memberships(user)
    if loaded is None:
        loaded = db.session.scalars(
            select(Membership).join(Membership.shop).where(Membership.user_id == user.id)
            .options(contains_eager(Membership.shop))
        ).all()
    # Shops of the same name stay in the order they were created.
    memberships = alphabetical(sorted(loaded, key=lambda m: m.shop_id), name=lambda m: m.shop.name)
    g.memberships_of = (user.id, memberships)
    return memberships


def remember_membership(membership):
    """Keep a membership that came with the request's user (the API loads the one of the shop its URL names), so
    that membership_for needs no query."""
    g.known_membership = membership


def membership_for(user, shop_id):
    """The user's membership in a shop; NotFound when the shop is missing or not theirs (the same answer)."""
    known = g.get("known_membership")
    if known is not None and known.user_id == user.id and known.shop_id == shop_id:
        return known
    loaded = _loaded_memberships(user)
    if loaded is not None:  # no query needed
        found = next((m for m in loaded if m.shop_id == shop_id), None)
        if found is None:
            raise NotFound(SHOP_NOT_FOUND)
        return found
    membership = db.session.scalar(
        select(Membership).join(Membership.shop).where(Membership.user_id == user.id, Membership.shop_id == shop_id)
        .options(contains_eager(Membership.shop))
    )
    if membership is None:
        raise NotFound(SHOP_NOT_FOUND)
    return membership


@dataclass(frozen=True)
class ReplySettings:
    """How a shop's replies leave, and how large buyers' files may be."""

    transport: str = "manual"
    from_email: str | None = None
    webhook_url: str | None = None
    max_file_mb: int = 10
    max_message_mb: int = 50


def _validated_reply_settings(reply):
    if reply.transport not in domain.REPLY_TRANSPORTS:
        raise ServiceError(_l("Choose one of the listed options."), field="reply_transport")
    if reply.from_email and not is_valid_email(normalize_email(reply.from_email)):
        raise ServiceError(_l("Enter a valid e-mail address."), field="reply_from_email")
    if reply.webhook_url and domain.webhook_url_problem(reply.webhook_url):
        raise ServiceError(_l("Give a full http:// or https:// address, without a user name or password."),
                           field="webhook_url")
    if reply.transport == "webhook" and not reply.webhook_url:
        raise ServiceError(_l("Replies sent by webhook need the address of your integration."), field="webhook_url")
    problem = domain.attachment_limits_problem(reply.max_file_mb, reply.max_message_mb)
    if problem == "file":
        raise ServiceError(_l("Choose between %(low)s and %(high)s MB.", low=1, high=domain.MAX_ATTACHMENT_MB),
                           field="max_file_mb")
    if problem == "message":
        raise ServiceError(_l("Choose at least the limit for one file and at most %(high)s MB.",
                              high=domain.MAX_MESSAGE_ATTACHMENT_MB), field="max_message_mb")


def _require_mail_server():
    """Replies by e-mail are switched on only when the instance's mail server answers, as delivery will ask it."""
    config = current_app.config
    problem = mail_server_problem(config)
    if problem is None:
        return
    server = f"{config['MAIL_SERVER']}:{config.get('MAIL_PORT') or 25}" if config.get("MAIL_SERVER") else ""
    messages = {
        "not_configured": _l(
            "Replies cannot go by e-mail: no mail server is set up for sellerkit "
            "(SELLERKIT_MAIL_SERVER). Ask whoever runs sellerkit to set one up, or choose another way."),
        "unreachable": _l("Replies cannot go by e-mail: the mail server %(server)s does not answer. Check that it "
                          "is running and reachable, or choose another way.", server=server),
        "tls": _l("Replies cannot go by e-mail: the mail server %(server)s did not accept a secure connection "
                  "(STARTTLS).", server=server),
        "login": _l("Replies cannot go by e-mail: the mail server %(server)s did not accept sellerkit's user name "
                    "and password.", server=server),
    }
    raise ServiceError(messages[problem], field="reply_transport", code="mail_server")


@dataclass(frozen=True)
class ResponseSettings:
    """The shop's changes to its platform's response rule (None: the platform's value) and its holidays."""

    hours: int | None = None
    business_hours_only: bool | None = None
    auto_reply_counts: bool | None = None
    warning_hours: int | None = None
    holidays: tuple = ()


RULE_PROBLEMS = {
    "allowed": (_l("Give between 1 and 720 hours to answer."), "response_hours"),
    "warning_lead": (_l("The warning must come before the deadline: 0 hours or more, and fewer than the hours to "
                        "answer."),
                     "response_warning_hours"),
}


def _validated_response(platform, response):
    overrides = {}
    if response.hours is not None:
        overrides["allowed"] = timedelta(hours=response.hours)
    if response.warning_hours is not None:
        overrides["warning_lead"] = timedelta(hours=response.warning_hours)
    problem = rule_problem(rule_for(platform, overrides))
    if problem and problem[0] in RULE_PROBLEMS:
        message, field = RULE_PROBLEMS[problem[0]]
        raise ServiceError(message, field=field)
    if len(response.holidays) > 366:
        raise ServiceError(_l("At most 366 holidays."), field="holidays")


def require_owner(membership):
    if not membership.is_owner:
        raise Forbidden(_l("Only the shop's owners can change its settings."))


def update_shop_settings(membership, name, platform, default_language, timezone, hours, *, reply=None, response=None):
    """Change a shop's settings, weekly hours (domain.OpeningHours) and reply delivery; owners only.

    Choosing the webhook transport creates the signing secret the integration checks deliveries with.
    """
    require_owner(membership)
    settings = _validated_settings(name, platform, default_language, timezone)
    reply = reply or reply_settings(membership.shop)
    _validated_reply_settings(reply)
    if reply.transport == "email" and membership.shop.reply_transport != "email":
        _require_mail_server()
    response = response or response_settings(membership.shop)
    _validated_response(platform, response)
    problem = domain.business_hours_problem(hours)
    if problem:
        raise ServiceError(_l("Business hours must end after they start."), field=f"hours-{problem[0]}")
    shop = membership.shop
    moved = shop.timezone != settings["timezone"]
    for key, value in settings.items():
        setattr(shop, key, value)
    shop.reply_transport = reply.transport
    shop.reply_from_email = normalize_email(reply.from_email) or None
    shop.webhook_url = reply.webhook_url or None
    if shop.webhook_url and not shop.webhook_secret:
        shop.webhook_secret = secrets.token_hex(32)
    shop.max_attachment_bytes = reply.max_file_mb * 1024 * 1024
    shop.max_message_attachment_bytes = reply.max_message_mb * 1024 * 1024
    shop.response_hours, shop.response_warning_hours = response.hours, response.warning_hours
    shop.response_business_hours_only = response.business_hours_only
    shop.response_auto_reply_counts = response.auto_reply_counts
    wanted = set(response.holidays)
    for holiday in [h for h in shop.holidays if h.day not in wanted]:
        shop.holidays.remove(holiday)
    known = {h.day for h in shop.holidays}
    shop.holidays.extend(Holiday(day=day) for day in sorted(wanted - known))
    shop.business_hours = [BusinessHours(weekday=h.weekday, opens_at=h.opens_at, closes_at=h.closes_at)
                           for h in sorted(hours, key=lambda h: h.weekday)]
    # Old rows go before the new ones are inserted, or (shop, weekday) would clash.
    db.session.flush()
    if moved:
        sla.recount_days(shop)  # the dashboard's days now begin at other moments


def reply_settings(shop):
    return ReplySettings(shop.reply_transport, shop.reply_from_email, shop.webhook_url,
                         shop.max_attachment_bytes // (1024 * 1024), shop.max_message_attachment_bytes // (1024 * 1024))


def response_settings(shop):
    return ResponseSettings(shop.response_hours, shop.response_business_hours_only, shop.response_auto_reply_counts,
                            shop.response_warning_hours, tuple(h.day for h in shop.holidays))


def opening_hours(shop):
    return [domain.OpeningHours(h.weekday, h.opens_at, h.closes_at) for h in shop.business_hours]


def members_of(membership):
    """The shop's team: owners first, then by name in the viewer's language."""
    members = db.session.scalars(
        select(Membership).where(Membership.shop_id == membership.shop_id)
        .options(joinedload(Membership.user)).order_by(Membership.id)
    ).all()
    key = sort_key_for()
    return sorted(members, key=lambda member: (member.role != "owner", key(member.user.name)))


def add_member(membership, email, role, now):
    """Give a registered user a role in the actor's shop; owners only."""
    require_owner(membership)
    if role not in domain.ROLES:
        raise ServiceError(_l("Choose one of the listed roles."), field="role")
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise ServiceError(_l("Nobody has signed up with this e-mail yet. Ask them to sign up first."), field="email")
    existing = select(Membership.id).where(Membership.shop_id == membership.shop_id, Membership.user_id == user.id)
    already = ServiceError(_l("This person is already a member of the shop."), field="email")
    if db.session.scalar(existing):
        raise already
    added = Membership(shop_id=membership.shop_id, user_id=user.id, role=role, created_at=now)
    # A double-click posts the form twice; on PostgreSQL both requests can pass the check above.
    try:
        with db.session.begin_nested():
            db.session.add(added)
    except IntegrityError:
        if db.session.scalar(existing):
            raise already from None
        raise
    return added


def remove_member(membership, member_id):
    """Take a member out of the actor's shop; owners only, and the last owner stays."""
    require_owner(membership)
    member = db.session.get(Membership, member_id)
    if member is None or member.shop_id != membership.shop_id:
        raise NotFound(_l("This member does not exist."))
    if member.is_owner:
        owners = db.session.scalar(select(func.count()).select_from(Membership).where(
            Membership.shop_id == membership.shop_id, Membership.role == "owner"))
        if owners <= 1:
            raise ServiceError(_l("A shop needs at least one owner."))
    db.session.delete(member)
