"""The Ozon channel kind: buyer chats of the Seller API in, replies out where the seller's plan allows it."""
import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from pydantic import Field as Constrained

from sellerkit.channels import errors, ozon_client, ozon_rules
from sellerkit.channels.kinds import Batch, ChannelError, Check, Fetched, Field, whole_number
from sellerkit.channels.marketplace import PlatformKind, replied_conversation
from sellerkit.i18n import gettext as _
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.outbox.transports import DeliveryError
from sellerkit.threads.domain import Inbound

#: The chat types that are conversations with a buyer; support, notification and news chats stay out of the inbox.
BUYER_CHATS = frozenset({"BUYER_SELLER", "BUYER_SELLER_SELECT"})
MAX_TEXT = 1000
PREFIX = "ozon"
PLAN_REASON = "ozon plan: the seller's plan cannot answer buyers through the API (Premium Plus or Premium Pro)"
PLAN_TEXT = _l("Your Ozon plan cannot answer buyers through the API (it takes Premium Plus or Premium Pro); "
               "replies stay by hand.")
_FRACTION = re.compile(r"(\.\d{6})\d+")


class OzonSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    client_id: str = Constrained(min_length=1, max_length=40, pattern=r"^\d+$")
    api_key: str = Constrained(min_length=1, max_length=200)
    base_url: str | None = Constrained(default=None, max_length=500)


def _moment(text):
    """Ozon's RFC 3339 time (nanoseconds too) as an aware datetime; None when it is not one."""
    try:
        moment = datetime.fromisoformat(_FRACTION.sub(r"\1", str(text)))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _object(message, name):
    value = message.get(name)
    return value if isinstance(value, dict) else {}


def _is_buyer(message):
    # The published example spells the type with a Cyrillic "С"; both spellings are the buyer.
    return str(_object(message, "user").get("type") or "").lower().replace("\u0441", "c") == "customer"


def inbound_of(chat_id, message):
    """The Inbound of one buyer message of the chat history, or None when it holds nothing to show."""
    received_at = _moment(message.get("created_at"))
    parts = message.get("data") or []
    body = ozon_rules.plain_text([parts] if isinstance(parts, str) else parts)
    if received_at is None or not body:
        return None
    context = _object(message, "context")
    user_id = str(_object(message, "user").get("id") or "").strip()
    order_number = str(context.get("order_number") or "").strip() or None
    sku = str(context.get("sku") or "").strip()
    return Inbound(
        external_id=f"{PREFIX}:{chat_id}:{whole_number(message.get('message_id'))}", body=body,
        received_at=received_at,
        buyer_external_id=f"{PREFIX}:{user_id}" if user_id else None, thread_external_id=f"{PREFIX}:{chat_id}",
        order_reference=order_number, order={"items_summary": f"SKU {sku}"} if order_number and sku else {})


class OzonKind(PlatformKind):
    name = "ozon"
    label = _l("Ozon")
    settings_model = OzonSettings
    fields = (
        Field("client_id", _l("Client ID"),
              help=_l("In the Ozon seller account: Settings, Seller API, the number shown as Client ID.")),
        Field("api_key", _l("API key"), type="password", secret=True,
              help=_l("In the Ozon seller account: Settings, Seller API, Generate key, with the chat methods "
                      "allowed. It is shown once: paste it here.")),
    )

    def client(self, settings, secrets):
        return ozon_client.OzonClient(settings.get("client_id"), secrets.get("api_key"), settings.get("base_url"),
                                      self.allow_private, self.timeout)

    def reply_notice(self, thread, last_buyer_message_at, now, moment_text):
        return reply_notice(reply_window(thread.order, last_buyer_message_at), now, moment_text)

    def check_reply(self, body, files):
        text = (body or "").strip()
        if len(text) > MAX_TEXT:
            return [_l("Ozon takes replies of at most %(limit)s characters; this one has %(count)s.",
                       limit=MAX_TEXT, count=len(text))]
        return []

    def test(self, settings, secrets, now):
        client = self.client(settings, secrets)
        try:
            client.chats()
        except ChannelError as error:
            return [errors.check_failed("login", error)]
        checks = [Check("login", True)]
        try:
            plan = client.plan()
        except ChannelError:
            plan = ""  # a key without the seller-info method: the plan shows at the first reply
        if plan and plan not in ozon_client.ANSWERING_PLANS:
            checks.append(Check("send", False, str(PLAN_TEXT)))
        else:
            checks.append(Check("send", True))
        return checks

    def fetch(self, settings, secrets, cursor, limit, now):
        """New buyer messages of every buyer chat. The cursor keeps, per chat, the id of the last message read
        (ids grow within a chat); the chat list is walked from its start each time, and only chats whose last
        message is newer are read."""
        client = self.client(settings, secrets)
        read = dict((cursor or {}).get("chats") or {})
        fetched = []
        more = errors.fill_resumably(lambda: self._fetch_into(client, read, fetched, limit), fetched)
        fetched.sort(key=lambda item: item.inbound.received_at)
        return Batch(fetched, {"chats": read}, more=more)

    def _fetch_into(self, client, read, fetched, limit):
        """Walk the chat list, reading new messages into `fetched` and each chat's last id into `read`; returns
        whether more wait."""
        more, page_cursor = False, None
        while not more:
            entries, page_cursor, has_next = client.chats(page_cursor)
            for entry in entries:
                chat = entry.get("chat") or {}
                chat_id = str(chat.get("chat_id") or "")
                if not chat_id or str(chat.get("chat_type") or "").upper() not in BUYER_CHATS:
                    continue
                known, last = whole_number(read.get(chat_id)), whole_number(entry.get("last_message_id"))
                if last <= known:
                    continue
                if len(fetched) >= limit:
                    more = True
                    break
                try:
                    messages, newest, unfinished = self._read_chat(client, chat_id, known, limit - len(fetched))
                except ChannelError as error:
                    if error.code not in ("refused", "not_found"):
                        raise
                    continue  # one chat Ozon will not show (closed, moved) holds up none of the others
                fetched += messages
                read[chat_id] = str(newest)
                more = more or unfinished
            if not has_next or not page_cursor:
                break
        return more

    def _read_chat(self, client, chat_id, known, room):
        """Up to `room` buyer messages of a chat after message `known`: (Fetched list, id of the last message read,
        whether more wait)."""
        fetched, newest = [], known
        while True:
            messages, has_next = client.history(chat_id, newest, ozon_client.HISTORY_LIMIT)
            progressed = False
            for message in messages:
                message_id = whole_number(message.get("message_id"))
                if message_id <= newest:
                    continue  # the page starts at the message asked for, and a page may repeat one
                if len(fetched) >= room:
                    return fetched, newest, True
                newest, progressed = message_id, True
                inbound = inbound_of(chat_id, message) if _is_buyer(message) else None
                if inbound is not None:
                    fetched.append(Fetched(inbound))
            if not has_next or not progressed:
                return fetched, newest, False

    def send(self, settings, secrets, delivery, now):
        chat_id = replied_conversation(delivery, PREFIX,
                                       "the conversation is not an Ozon chat, so the reply cannot go there")
        text = (delivery.body or "").strip()
        if not text and not delivery.attachments:
            raise DeliveryError("the reply is empty", permanent=True)
        if len(text) > MAX_TEXT:
            raise DeliveryError(f"the reply is too long for the platform: {len(text)} characters, Ozon takes "
                                f"{MAX_TEXT}", permanent=True)
        client = self.client(settings, secrets)
        try:
            if text:
                client.send_message(chat_id, text)
            for filename, _content_type, content in delivery.attachments:
                client.send_file(chat_id, filename, content)
        except ozon_client.PlanRestricted:
            raise DeliveryError(PLAN_REASON, permanent=True) from None
        except ChannelError as error:
            raise errors.delivery_error(error) from None


def reply_window(order, last_buyer_message_at, scheme=None):
    """Ozon's reply window for a thread: its order card (an Order or None) and its buyer's last message."""
    return ozon_rules.reply_window(scheme, last_buyer_message_at, paid_at=getattr(order, "placed_at", None),
                                   delivered_at=getattr(order, "delivered_at", None))


def reply_notice(window, now, moment_text):
    """The line a thread from Ozon shows above its reply form: until when Ozon accepts a reply. `moment_text`
    writes a datetime in the seller's time zone and language (the page's own date filter)."""
    if window.endless:
        return _("Ozon accepts replies until 72 hours after the order is delivered.")
    if not window.is_open(now):
        return _("Ozon no longer accepts a reply in this chat.")
    return _("Ozon accepts a reply until %(when)s.", when=moment_text(window.until))
