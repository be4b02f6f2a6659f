"""Account tables: users, their login sessions, failed logins, known login addresses, reset requests and tokens,
and API tokens."""
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased, so sign-up and login agree whatever case the user types.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    #: The UI language the user chose; None means "follow the browser".
    locale: Mapped[str | None] = mapped_column(String(16))
    #: The timezone dates are shown in; None means the current shop's, else UTC.
    timezone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[object] = mapped_column(UTCDateTime())

    memberships = relationship("Membership", back_populates="user", cascade="all, delete-orphan")

    @property
    def name(self):
        return self.display_name or self.email


class UserSession(db.Model):
    """A signed-in browser. The cookie carries a random token; deleting the row logs that browser out."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: sha256 of the token in the cookie; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime())
    expires_at: Mapped[object] = mapped_column(UTCDateTime(), index=True)

    user = relationship("User")


class LoginFailure(db.Model):
    """One failed login, counted per account and per address so that every worker sees the same count."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_at", "email", "attempted_at"),
        Index("ix_login_failures_ip_at", "ip_address", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip_address: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[object] = mapped_column(UTCDateTime())


class LoginAddress(db.Model):
    """An address someone logged in to the account from with the right password: a flood of failures against the
    account never holds it back."""

    __tablename__ = "login_addresses"
    __table_args__ = (UniqueConstraint("user_id", "ip_address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    ip_address: Mapped[str] = mapped_column(String(64))
    last_login_at: Mapped[object] = mapped_column(UTCDateTime())


class PasswordResetRequest(db.Model):
    """A "forgot password" form sent, known e-mail or not: counted for the rate limit, mailed by the outbox."""

    __tablename__ = "password_reset_requests"
    __table_args__ = (
        Index("ix_password_reset_requests_email_at", "email", "requested_at"),
        Index("ix_password_reset_requests_ip_at", "ip_address", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip_address: Mapped[str] = mapped_column(String(64))
    #: The language of the page the request came from, for the mail when the user chose none.
    locale: Mapped[str | None] = mapped_column(String(16))
    requested_at: Mapped[object] = mapped_column(UTCDateTime())


class PasswordResetToken(db.Model):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime())
    expires_at: Mapped[object] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[object | None] = mapped_column(UTCDateTime())

    user = relationship("User")


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the token, shown in the list so the user can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[object] = mapped_column(UTCDateTime())
    revoked_at: Mapped[object | None] = mapped_column(UTCDateTime())

    user = relationship("User")
