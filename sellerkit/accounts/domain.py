"""Pure account rules: e-mail normalisation, password strength, tokens, and throttling of logins and resets."""
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
API_TOKEN_PREFIX = "sk_"


def normalize_email(email):
    return (email or "").strip().lower()


def is_valid_email(email):
    return len(email) <= 254 and bool(EMAIL_PATTERN.match(email))


def password_problem(password, min_length):
    """Why a password is too weak, as a short code, or None when it is acceptable."""
    if len(password) < min_length:
        return "too_short"
    if len(set(password)) < 4:
        return "too_repetitive"
    return None


def new_token(prefix=""):
    """A random token (256 bits) and the sha256 digest under which it is stored."""
    token = prefix + secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Throttle:
    """The verdict on a login attempt: whether it may go ahead and, if not, how long to wait."""

    is_blocked: bool
    retry_after: timedelta = timedelta(0)


@dataclass(frozen=True)
class LoginLimits:
    """How many failed logins in `window` block: per (account, address), per address, and per account from
    addresses that never logged in to it (much higher, so that a stranger cannot lock the owner out)."""

    per_account_and_address: int
    per_address: int
    per_account: int
    window: timedelta


def login_verdict(failures, email, ip_address, now, limits, is_known_address):
    """The verdict on a login of `email` from `ip_address`, given recent failures as (email, address, at).

    An address that has logged in to the account before is never held back by the account's own bound."""
    checks = [
        ([at for e, a, at in failures if e == email and a == ip_address], limits.per_account_and_address),
        ([at for _e, a, at in failures if a == ip_address], limits.per_address),
    ]
    if not is_known_address:
        checks.append(([at for e, _a, at in failures if e == email], limits.per_account))
    verdicts = [throttle(times, now, maximum, limits.window) for times, maximum in checks]
    blocked = [v for v in verdicts if v.is_blocked]
    return max(blocked, key=lambda v: v.retry_after) if blocked else Throttle(False)


def throttle(event_times, now, maximum, window):
    """Block when `maximum` events (failed logins, reset requests) fall within `window` before `now`.

    `event_times` are the recent events of one key (an account, an address, a mailbox); the wait ends when
    the oldest event that still counts leaves the window.
    """
    recent = sorted(t for t in event_times if now - t < window)
    if len(recent) < maximum:
        return Throttle(False)
    oldest_counted = recent[-maximum]
    return Throttle(True, max(oldest_counted + window - now, timedelta(seconds=1)))
