"""Shop actions: create a shop, change its settings and hours, manage its members; all scoped to the actor."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from sellerkit.accounts.domain import normalize_email
from sellerkit.accounts.models import User
from sellerkit.errors import Forbidden, NotFound, ServiceError
from sellerkit.extensions import db
from sellerkit.shops import domain
from sellerkit.shops.models import BusinessHours, Membership, Shop

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
    shop.memberships.append(Membership(user_id=actor.id, role="owner", created_at=now))
    db.session.add(shop)
    db.session.flush()
    return shop


def any_user_exists():
    return db.session.scalar(select(User.id).limit(1)) is not None


def memberships_of(user):
    """The user's memberships with their shops, in one query, for the switcher and the shop list."""
    return db.session.scalars(
        select(Membership).join(Membership.shop).where(Membership.user_id == user.id)
        .options(contains_eager(Membership.shop)).order_by(Shop.name, Shop.id)
    ).all()


def membership_for(user, shop_id):
    """The user's membership in a shop; NotFound when the shop is missing or not theirs (the same answer)."""
    membership = db.session.scalar(
        select(Membership).join(Membership.shop).where(Membership.user_id == user.id, Membership.shop_id == shop_id)
        .options(contains_eager(Membership.shop))
    )
    if membership is None:
        raise NotFound(SHOP_NOT_FOUND)
    return membership


def require_owner(membership):
    if not membership.is_owner:
        raise Forbidden(_l("Only the shop's owners can change its settings."))


def update_shop_settings(membership, name, platform, default_language, timezone, hours):
    """Change a shop's settings and weekly hours (a list of domain.OpeningHours); owners only."""
    require_owner(membership)
    settings = _validated_settings(name, platform, default_language, timezone)
    problem = domain.business_hours_problem(hours)
    if problem:
        raise ServiceError(_l("Business hours must end after they start."), field=f"hours-{problem[0]}")
    shop = membership.shop
    for key, value in settings.items():
        setattr(shop, key, value)
    shop.business_hours = [BusinessHours(weekday=h.weekday, opens_at=h.opens_at, closes_at=h.closes_at)
                           for h in sorted(hours, key=lambda h: h.weekday)]
    # Old rows go before the new ones are inserted, or (shop, weekday) would clash.
    db.session.flush()


def opening_hours(shop):
    return [domain.OpeningHours(h.weekday, h.opens_at, h.closes_at) for h in shop.business_hours]


def members_of(membership):
    return db.session.scalars(
        select(Membership).where(Membership.shop_id == membership.shop_id)
        .options(joinedload(Membership.user)).order_by(Membership.role.desc(), Membership.id)
    ).all()


def add_member(membership, email, role, now):
    """Give a registered user a role in the actor's shop; owners only."""
    require_owner(membership)
    if role not in domain.ROLES:
        raise ServiceError(_l("Choose one of the listed roles."), field="role")
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise ServiceError(_l("Nobody has signed up with this e-mail yet. Ask them to sign up first."), field="email")
    exists = db.session.scalar(select(Membership.id).where(Membership.shop_id == membership.shop_id,
                                                           Membership.user_id == user.id))
    if exists:
        raise ServiceError(_l("This person is already a member of the shop."), field="email")
    added = Membership(shop_id=membership.shop_id, user_id=user.id, role=role, created_at=now)
    db.session.add(added)
    db.session.flush()
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
