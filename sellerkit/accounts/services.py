"""Account actions: sign-up, login with throttling, sessions, passwords and API tokens."""
from functools import cache

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from sellerkit.accounts import domain
from sellerkit.accounts.mail import queue_reset_mail
from sellerkit.accounts.models import (
    ApiToken,
    LoginAddress,
    LoginFailure,
    PasswordResetRequest,
    PasswordResetToken,
    User,
    UserSession,
)
from sellerkit.dialects.upsert import dialect_insert
from sellerkit.errors import NotFound, ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import LOCALES
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.shops.domain import is_valid_timezone
from sellerkit.shops.models import Membership


@cache
def _dummy_hash():
    """Compared against when the e-mail is unknown, so a wrong e-mail costs as long as a wrong password; made on
    first use, since hashing at import would slow down every command and every worker's start."""
    return generate_password_hash("sellerkit-timing-equaliser")


class LoginThrottled(ServiceError):
    def __init__(self, retry_after):
        super().__init__(
            _l("Too many failed logins. Try again in %(minutes)s minutes.",
               minutes=max(1, -(-int(retry_after.total_seconds()) // 60))),
            status=429, code="throttled",
        )
        self.retry_after = retry_after


def _check_password_strength(password, min_length, field="password"):
    problem = domain.password_problem(password, min_length)
    if problem == "too_short":
        raise ServiceError(_l("Use at least %(count)s characters.", count=min_length), field=field)
    if problem == "too_repetitive":
        raise ServiceError(_l("This password is too easy to guess; mix more different characters."), field=field)


def sign_up(email, password, display_name, locale, now, min_password_length):
    """Create a user; the e-mail must be new and the password strong enough."""
    email = domain.normalize_email(email)
    if not domain.is_valid_email(email):
        raise ServiceError(_l("Enter a valid e-mail address."), field="email")
    _check_password_strength(password, min_password_length)
    taken = ServiceError(_l("An account with this e-mail already exists. Log in or reset the password."),
                         field="email")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise taken
    user = User(email=email, password_hash=generate_password_hash(password),
                display_name=(display_name or "").strip(), locale=locale, created_at=now)
    # A double-click posts the form twice; on PostgreSQL both requests can pass the check above.
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        if db.session.scalar(select(User.id).where(User.email == email)):
            raise taken from None
        raise
    return user


def authenticate(email, password, ip_address, now, limits):
    """Return the user for a correct e-mail and password; record a failure otherwise.

    Raises LoginThrottled, before the password is even checked, once `limits` (domain.LoginLimits) are reached:
    per account and address, per address, and per account only from addresses that never logged in to it, so a
    stranger's guesses cannot lock the owner out. A successful login remembers its address for the account.
    """
    email = domain.normalize_email(email)
    failures = db.session.execute(
        select(LoginFailure.email, LoginFailure.ip_address, LoginFailure.attempted_at).where(
            LoginFailure.attempted_at > now - limits.window,
            or_(LoginFailure.email == email, LoginFailure.ip_address == ip_address),
        )
    ).all()
    user = db.session.scalar(select(User).where(User.email == email))
    is_known = user is not None and db.session.scalar(select(LoginAddress.id).where(
        LoginAddress.user_id == user.id, LoginAddress.ip_address == ip_address)) is not None
    verdict = domain.login_verdict([tuple(f) for f in failures], email, ip_address, now, limits, is_known)
    if verdict.is_blocked:
        raise LoginThrottled(verdict.retry_after)
    if check_password_hash(user.password_hash if user else _dummy_hash(), password) and user:
        _remember_login_address(user, ip_address, now)
        return user
    db.session.add(LoginFailure(email=email, ip_address=ip_address, attempted_at=now))
    return None


def _remember_login_address(user, ip_address, now):
    statement = dialect_insert(db.session, LoginAddress.__table__).values(
        user_id=user.id, ip_address=ip_address, last_login_at=now)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["user_id", "ip_address"], set_={"last_login_at": now}))


def start_session(user, now, lifetime):
    """Open a server-side session for a browser and return the token its cookie carries."""
    token, token_hash = domain.new_token()
    db.session.add(UserSession(user_id=user.id, token_hash=token_hash, created_at=now, expires_at=now + lifetime))
    return token


def user_for_session(token, now):
    if not token:
        return None
    # Every page shows the shop switcher, so the memberships and their shops come in the same query.
    return db.session.scalars(
        select(User).join(UserSession, UserSession.user_id == User.id).where(
            UserSession.token_hash == domain.hash_token(token), UserSession.expires_at > now)
        .options(joinedload(User.memberships).joinedload(Membership.shop))
    ).unique().first()


def end_session(token):
    """Log one browser out: its cookie stops working even if somebody copied it."""
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == domain.hash_token(token)))


def _end_other_sessions(user, keep_token=None):
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_token:
        query = query.where(UserSession.token_hash != domain.hash_token(keep_token))
    db.session.execute(query)


def change_password(user, current_password, new_password, now, min_password_length, keep_session_token):
    """Set a new password after checking the current one; every other browser is logged out."""
    if not check_password_hash(user.password_hash, current_password):
        raise ServiceError(_l("The current password is not correct."), field="current_password")
    _check_password_strength(new_password, min_password_length, field="new_password")
    user.password_hash = generate_password_hash(new_password)
    _end_other_sessions(user, keep_session_token)


class ResetThrottled(ServiceError):
    def __init__(self, retry_after):
        super().__init__(
            _l("Too many reset requests. Try again in %(minutes)s minutes.",
               minutes=max(1, -(-int(retry_after.total_seconds()) // 60))),
            status=429, code="throttled",
        )
        self.retry_after = retry_after


def request_password_reset(email, ip_address, locale, now, *, max_per_email, max_per_address, window):
    """Record the request and queue its mail, the same work whether or not an account uses the e-mail (the
    scheduler's builder decides); at most `max_per_email` and `max_per_address` in `window` (ResetThrottled)."""
    email = domain.normalize_email(email)[:254]
    recent = db.session.execute(select(PasswordResetRequest.email, PasswordResetRequest.ip_address,
                                       PasswordResetRequest.requested_at).where(
        PasswordResetRequest.requested_at > now - window,
        or_(PasswordResetRequest.email == email, PasswordResetRequest.ip_address == ip_address))).all()
    for position, key, maximum in ((0, email, max_per_email), (1, ip_address, max_per_address)):
        verdict = domain.throttle([r[2] for r in recent if r[position] == key], now, maximum, window)
        if verdict.is_blocked:
            raise ResetThrottled(verdict.retry_after)
    request = PasswordResetRequest(email=email, ip_address=ip_address, locale=locale, requested_at=now)
    db.session.add(request)
    db.session.flush()
    queue_reset_mail(request, now)
    return request


def reset_password(token, new_password, now, min_password_length):
    """Use a reset token once: set the password, log out every browser, and spend the token."""
    row = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == domain.hash_token(token)))
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise ServiceError(_l("This reset link has expired or was already used. Ask for a new one."), code="expired")
    _check_password_strength(new_password, min_password_length)
    # Spending the token with a guarded UPDATE means two concurrent uses cannot both succeed.
    spent = db.session.execute(
        update(PasswordResetToken).where(PasswordResetToken.id == row.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if spent != 1:
        raise ServiceError(_l("This reset link has expired or was already used. Ask for a new one."), code="expired")
    row.user.password_hash = generate_password_hash(new_password)
    _end_other_sessions(row.user)
    return row.user


def create_api_token(user, name, now):
    """Create a token for the API and return (row, token); the token is shown once and stored hashed."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(_l("Give the token a name, such as the tool that will use it."), field="name")
    token, token_hash = domain.new_token(domain.API_TOKEN_PREFIX)
    row = ApiToken(user_id=user.id, name=name[:100], token_hash=token_hash,
                   prefix=token[:len(domain.API_TOKEN_PREFIX) + 4], created_at=now)
    db.session.add(row)
    db.session.flush()
    return row, token


def list_api_tokens(user):
    return db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id)
    ).all()


def revoke_api_token(user, token_id, now):
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound(_l("This token does not exist."))
    row.revoked_at = now


def user_for_api_token(token, shop_id=None):
    """(the token's user, their membership of shop `shop_id` with its shop, or None), or None for no valid token.

    One query, whatever the number of the user's shops: an API request names at most one shop. Loading all of
    them, as a browser session does for its shop switcher, would cost every request in proportion to the number
    of shops the user has, a host of hundreds included."""
    query = select(User).join(ApiToken, ApiToken.user_id == User.id).where(
        ApiToken.token_hash == domain.hash_token(token), ApiToken.revoked_at.is_(None))
    if shop_id is None:
        user = db.session.scalar(query)
        return None if user is None else (user, None)
    row = db.session.execute(
        query.add_columns(Membership)
        .outerjoin(Membership, and_(Membership.user_id == User.id, Membership.shop_id == shop_id))
        .outerjoin(Membership.shop).options(contains_eager(Membership.shop))
    ).first()
    return None if row is None else (row[0], row[1])


def update_profile(user, display_name, locale, timezone):
    """Set the user's name, UI language and timezone (empty language or timezone: automatic)."""
    if timezone and not is_valid_timezone(timezone):
        raise ServiceError(_l("Unknown timezone. Choose one from the list, such as Europe/Warsaw."), field="timezone")
    set_locale(user, locale)
    user.display_name = (display_name or "").strip()[:100]
    user.timezone = timezone or None


def set_locale(user, locale):
    if locale and locale not in LOCALES:
        raise ServiceError(_l("Choose one of the listed languages."), field="locale")
    user.locale = locale or None


def purge_expired(now, login_window, reset_window):
    """Delete sessions, reset tokens and requests, and login failures that can no longer matter."""
    db.session.execute(delete(UserSession).where(UserSession.expires_at <= now))
    db.session.execute(delete(PasswordResetToken).where(PasswordResetToken.expires_at <= now))
    db.session.execute(delete(LoginFailure).where(LoginFailure.attempted_at <= now - login_window))
    db.session.execute(delete(PasswordResetRequest).where(PasswordResetRequest.requested_at <= now - reset_window))
