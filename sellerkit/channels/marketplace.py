"""What the platform kinds share: the app's private-address rule, base URLs, times, disputes on their threads."""
from datetime import datetime
from typing import Annotated, Literal

import pydantic

from sellerkit.channels import apiclient, errors
from sellerkit.channels.kinds import ChannelError, ChannelKind
from sellerkit.outbox.transports import DeliveryError
from sellerkit.tickets import disputes

#: A fetched message whose hints say this is set is on a thread the platform holds a dispute on.
DISPUTE_HINT = "platform_dispute"

def checked_base_url(value):
    """A pydantic validator's part: a base URL override, trailing slash removed; ValueError when unusable."""
    if value in (None, ""):
        return None
    value = str(value).strip().rstrip("/")
    if apiclient.base_url_problem(value):
        raise ValueError(str(errors.MESSAGES["base_url"]))
    return value


def replied_conversation(delivery, prefix, refusal=None):
    """The conversation a reply answers: its thread's external id after `prefix:`. When the thread did not come
    through a kind of that prefix: "", or a permanent DeliveryError of `refusal` when given."""
    external = str(((delivery.payload or {}).get("thread") or {}).get("external_id") or "")
    kind, _, conversation = external.partition(":")
    if kind == prefix and conversation:
        return conversation
    if refusal:
        raise DeliveryError(refusal, permanent=True)
    return ""


def words_or_files(text, names):
    """What a message shows: its words, else the names of the files it carries."""
    return (text or "").strip() or "\n".join(f"📎 {name}" for name in names if name) or "📎"


def parse_time(value):
    """An ISO 8601 time of a platform's answer as an aware datetime; ChannelError when it is not one."""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ChannelError("bad_answer", f"not a time: {value!r}"[:200]) from None
    if parsed.tzinfo is None:
        raise ChannelError("bad_answer", f"a time without its offset: {value!r}"[:200])
    return parsed


class PlatformKind(ChannelKind):
    """A kind that talks to a platform's HTTP API. `allow_private` is the app's WEBHOOK_ALLOW_PRIVATE: a base_url
    on a private network (and plain http there) for self-hosters and tests."""

    has_base_url = True
    error_messages = errors.MESSAGES

    def __init__(self, allow_private=False, timeout=apiclient.TIMEOUT):
        self.allow_private, self.timeout = allow_private, timeout


class PlatformSettings(pydantic.BaseModel):
    """The settings every kind of a marketplace's chat API has: a base URL override (a sandbox, a test server)."""

    model_config = pydantic.ConfigDict(extra="ignore")

    base_url: str | None = None

    @pydantic.field_validator("base_url")
    @classmethod
    def usable_base_url(cls, value):
        return checked_base_url(value)


class OAuthSettings(PlatformSettings):
    """An OAuth2 platform's application keys, its refresh token when connected through the API, and which of the
    platform's environments it is in."""

    client_id: Annotated[str, pydantic.Field(min_length=1, max_length=200)]
    client_secret: Annotated[str, pydantic.Field(min_length=1, max_length=500)]
    refresh_token: Annotated[str, pydantic.Field(max_length=4000)] | None = None
    environment: Literal["production", "sandbox"] = "production"


class MarketplaceKind(PlatformKind):
    """A kind of a marketplace's chat API: messages whose hints carry DISPUTE_HINT mark their thread a dispute,
    the known threads before the batch is stored and the new ones right after."""

    def link(self, shop, channel, fetched, now):
        disputes.mark_platform_disputes(shop, _disputed(fetched), now)
        return fetched

    def after_store(self, shop, channel, fetched, results, now):
        disputes.mark_platform_disputes(shop, _disputed(fetched), now)


def _disputed(fetched):
    return [item.inbound.thread_external_id for item in fetched
            if item.hints.get(DISPUTE_HINT) and item.inbound.thread_external_id]
