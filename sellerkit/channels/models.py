"""The channels table: a shop's connections to where its buyers write, with their polling state and figures."""
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db


class Channel(db.Model):
    __tablename__ = "channels"
    __table_args__ = (
        Index("ix_channels_shop", "shop_id", "id"),
        # The poll sweep: channels not paused whose next fetch has come, soonest first.
        Index("ix_channels_due", "is_paused", "next_fetch_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    #: The registered kind's name (sellerkit.channels.kinds): email, ozon, ...
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    is_paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The kind's settings that are not secret, as the seller saved them.
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The secret settings (passwords, keys, tokens) as one Fernet token of their JSON; never shown again.
    secrets: Mapped[str | None] = mapped_column(Text)
    #: Where the next fetch starts, as the kind wrote it; None before the first fetch.
    cursor: Mapped[dict | None] = mapped_column(JSON)
    #: The poll that holds the channel now, and until when: a poller that died frees it once the lease ends.
    lease_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[object | None] = mapped_column(UTCDateTime())
    next_fetch_at: Mapped[object] = mapped_column(UTCDateTime())
    consecutive_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    #: When the failures that go on now began; None while fetching works.
    failing_since: Mapped[object | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[object | None] = mapped_column(UTCDateTime())
    #: The stable code of the last failure (kinds.ChannelError.code), shown translated.
    last_error_code: Mapped[str | None] = mapped_column(String(40))
    last_error_at: Mapped[object | None] = mapped_column(UTCDateTime())
    #: Messages stored on `fetched_day` (UTC): the status's "fetched today".
    fetched_today: Mapped[int] = mapped_column(default=0, server_default="0")
    fetched_day: Mapped[object | None] = mapped_column(Date)
    #: How many messages wait on the platform, when it says.
    backlog: Mapped[int | None] = mapped_column()
    #: The first fetch brought the past in as history (no auto-replies); later ones are live.
    is_backfilled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[object] = mapped_column(UTCDateTime())
    updated_at: Mapped[object] = mapped_column(UTCDateTime())
