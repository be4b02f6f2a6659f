"""Yandex Market buyer chats (Partner API) as a channel kind; arbitrage chats become disputes."""
import copy
from datetime import timedelta
from typing import Annotated

import pydantic

from sellerkit.channels import apiclient, errors
from sellerkit.channels.kinds import Batch, ChannelError, Fetched, Field
from sellerkit.channels.marketplace import (
    DISPUTE_HINT,
    MarketplaceKind,
    PlatformSettings,
    parse_time,
    replied_conversation,
    words_or_files,
)
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.outbox.transports import DeliveryError
from sellerkit.threads.domain import Inbound

NAME = "yandex_market"
BASE_URL = "https://api.partner.market.yandex.ru"
CHATS_PAGE = 20  # the most the chat list gives at once
HISTORY_PAGE = 100  # the most the history gives at once
MAX_MESSAGE = 4096
#: Requests one fetch may spend: the chat list allows 5,000 an hour and the history 10,000, for all of a business.
REQUESTS_PER_FETCH = 40
#: Chats whose last read message id the cursor keeps (it is written with every batch, so it stays small); one
#: forgotten is read again from its start, and each message is still stored once.
REMEMBERED_CHATS = 1000
#: A chat updated this long before a sweep started is read again by the next one: the list may move under a sweep.
SWEEP_OVERLAP = timedelta(minutes=10)
MAX_FILE = 20 * 1024 * 1024
#: An arbitrage chat, and a chat in which the platform is asked to decide, is a dispute.
DISPUTE_STATUSES = {"WAITING_FOR_ARBITER", "WAITING_FOR_MARKET"}
#: Who besides the buyer writes in a chat that the seller must read: Market itself, in an arbitrage.
PLATFORM_SENDERS = {"MARKET", "SUPPORT"}
#: After the first sweep, finished chats are left out: a buyer who writes again reopens theirs.
OPEN_STATUSES = ["NEW", "WAITING_FOR_CUSTOMER", "WAITING_FOR_PARTNER", "WAITING_FOR_ARBITER", "WAITING_FOR_MARKET"]


class Settings(PlatformSettings):
    business_id: Annotated[int, pydantic.Field(ge=1, le=2**53)]
    api_key: Annotated[str, pydantic.Field(min_length=1, max_length=500)]


def _seconds_to_next_hour(now):
    """The hourly limits start again at the top of the hour: without a Retry-After, come back then."""
    top = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    return max(60, int((top - now).total_seconds()))


class Client:
    """The Partner API of one business."""

    def __init__(self, settings, secrets, now, allow_private=False):
        self.base = f"{(settings.get('base_url') or BASE_URL).rstrip('/')}/v2/businesses/{settings['business_id']}"
        self.headers = {"Api-Key": secrets.get("api_key") or ""}
        self.now, self.allow_private = now, allow_private
        self.requests = 0

    def call(self, path, query=None, body=None, data=None, content_type=None):
        self.requests += 1
        answer = apiclient.request("POST", f"{self.base}{path}", self.headers, query, json_body=body, data=data,
                                   content_type=content_type, allow_private=self.allow_private)
        if answer.status >= 300:
            raise errors.error_for(answer, now=self.now, default_wait=_seconds_to_next_hour(self.now))
        if answer.body is not None and not isinstance(answer.body, dict):
            raise ChannelError("bad_answer", "the answer is not an object")
        return (answer.body or {}).get("result") or {}

    def chats(self, page_token, statuses, limit=CHATS_PAGE):
        body = {"statuses": statuses} if statuses else {}
        result = self.call("/chats", {"limit": limit, "page_token": page_token}, body)
        return result.get("chats") or [], (result.get("paging") or {}).get("nextPageToken")

    def history(self, chat_id, after_id, page_token):
        body = {"messageIdFrom": after_id + 1} if after_id else {}
        result = self.call("/chats/history", {"chatId": chat_id, "limit": HISTORY_PAGE, "page_token": page_token},
                           body)
        return result.get("messages") or [], (result.get("paging") or {}).get("nextPageToken")

    def download(self, url):
        answer = apiclient.request("GET", url, raw=True, allow_private=self.allow_private)
        if answer.status >= 300:
            raise errors.error_for(answer, now=self.now)
        return answer


def chat_entry(chat):
    """What the cursor keeps of a chat waiting to be read: enough to write its messages' Inbound."""
    context = chat.get("context") or {}
    customer = context.get("customer") or {}
    order_id = context.get("orderId") or chat.get("orderId")
    return {"id": int(chat["chatId"]), "type": chat.get("type"), "status": chat.get("status"),
            "order": str(order_id) if order_id else None, "name": str(customer.get("name") or "")[:200],
            "customer": str(customer.get("publicId") or "") or None}


def inbound_of(chat, message):
    """The Inbound of a message the buyer, or Market in an arbitrage, wrote in a chat (the thread stays the
    buyer's); the ids are the platform's, so it is stored once."""
    chat_id = chat["id"]
    body = message_text(message)
    if message.get("sender") in PLATFORM_SENDERS:
        body = f"[Yandex Market] {body}"  # the arbiter's words, which the seller answers too
    return Inbound(
        external_id=f"{NAME}:{chat_id}:{int(message['messageId'])}", body=body,
        received_at=parse_time(message.get("createdAt")),
        buyer_external_id=f"{NAME}:{chat['customer']}" if chat["customer"] else f"{NAME}:chat:{chat_id}",
        buyer_name=chat["name"], thread_external_id=f"{NAME}:{chat_id}", order_reference=chat["order"])


def message_text(message):
    """The words of a message; one with only files shows their names."""
    names = [str(item.get("name") or "") for item in message.get("payload") or [] if isinstance(item, dict)]
    return words_or_files(message.get("message"), names)


class YandexMarket(MarketplaceKind):
    name = NAME
    label = _l("Yandex Market")
    settings_model = Settings
    fields = (
        Field("business_id", _l("Business account ID"), type="int",
              help=_l("In the seller account on Yandex Market: Settings, then API and modules; the number of the "
                      "business account (cabinet).")),
        Field("api_key", _l("API key"), type="password", secret=True,
              help=_l("Settings, then API and modules, then API keys: create a key with the access "
                      "“Communication with buyers” and paste it here.")),
    )

    def client(self, settings, secrets, now):
        return Client(settings, secrets, now, self.allow_private)

    def test(self, settings, secrets, now):
        client = self.client(settings, secrets, now)
        return errors.login_checks(lambda: client.chats(None, None, limit=1))

    def fetch(self, settings, secrets, cursor, limit, now):
        """Chats are swept page by page (every chat the first time, then the unfinished ones changed since the last
        sweep) into a queue; each queued chat is read on from its last read message id, oldest first."""
        client = self.client(settings, secrets, now)
        state = {"mark": None, "sweep": None, "queue": [], "last": {}, **copy.deepcopy(cursor or {})}
        out = []
        may_sweep = True
        try:
            while len(out) < limit and client.requests < REQUESTS_PER_FETCH:
                if state["queue"]:
                    self._read_chat(client, state, limit - len(out), out)
                    continue
                if state["sweep"] is None:
                    if not may_sweep:
                        break
                    state["sweep"] = {"page": None, "started": now.isoformat(), "top": state["mark"]}
                may_sweep = self._list_chats(client, state) and may_sweep
        except ChannelError as error:
            if not errors.keeps_partial(error, out):
                raise
        more = bool(state["queue"]) or state["sweep"] is not None
        return Batch(out, state, more=more)

    def _list_chats(self, client, state):
        """One page of the sweep; False once the sweep is over (no new sweep starts in the same fetch)."""
        sweep, mark = state["sweep"], state["mark"]
        chats, next_token = client.chats(sweep["page"], OPEN_STATUSES if mark else None)
        queued = {entry["id"] for entry in state["queue"]}
        for chat in chats:
            updated = chat.get("updatedAt") or chat.get("createdAt")
            if mark and updated and parse_time(updated) <= parse_time(mark):
                continue
            entry = chat_entry(chat)
            if entry["id"] not in queued:
                state["queue"].append(entry)
                queued.add(entry["id"])
            if updated and (sweep["top"] is None or parse_time(updated) > parse_time(sweep["top"])):
                sweep["top"] = updated
        if next_token and chats:
            sweep["page"] = next_token
            return True
        started = parse_time(sweep["started"]) - SWEEP_OVERLAP
        top = parse_time(sweep["top"]) if sweep["top"] else None
        state["mark"] = min(top, started).isoformat() if top else state["mark"]
        state["sweep"] = None
        return False

    def _read_chat(self, client, state, room, out):
        """Read the first queued chat from its last read message on, at most `room` buyer messages; the chat
        leaves the queue once read to its end."""
        chat = state["queue"][0]
        key = str(chat["id"])
        last = int(state["last"].get(key) or 0)
        found, token, seen = [], None, set()
        while True:
            messages, token = client.history(chat["id"], last, token)
            for message in messages:
                message_id = int(message.get("messageId") or 0)
                if message_id > last and message_id not in seen:  # a message may show up on two pages
                    seen.add(message_id)
                    found.append(message)
            if not token or not messages or client.requests >= REQUESTS_PER_FETCH:
                break
        found.sort(key=lambda message: int(message["messageId"]))
        taken = 0
        for message in found:
            if taken >= room:
                break
            if message.get("sender") == "CUSTOMER" or message.get("sender") in PLATFORM_SENDERS:
                out.append(Fetched(inbound_of(chat, message), self._files(client, message),
                                   {DISPUTE_HINT: chat["type"] == "ARBITRAGE" or chat["status"] in DISPUTE_STATUSES}))
                taken += 1
            last = int(message["messageId"])
        state["last"].pop(key, None)
        state["last"][key] = last  # most recently read last, so the oldest are the ones forgotten
        while len(state["last"]) > REMEMBERED_CHATS:
            state["last"].pop(next(iter(state["last"])))
        if taken < room and not token:
            state["queue"].pop(0)

    def _files(self, client, message):
        files = []
        for item in message.get("payload") or []:
            if not isinstance(item, dict) or not item.get("url") or int(item.get("size") or 0) > MAX_FILE or \
                    not apiclient.file_url_allowed(item["url"], client.base):
                continue
            try:
                answer = client.download(item["url"])
            except ChannelError:
                continue  # the words are kept; a file that cannot be fetched is named in the text
            files.append((str(item.get("name") or "file"), answer.headers.get("content-type",
                                                                             "application/octet-stream"),
                          answer.raw))
        return tuple(files)

    def send(self, settings, secrets, delivery, now):
        chat_id = replied_conversation(delivery, NAME)
        if not chat_id.isdigit():
            raise DeliveryError("the platform refused the reply: the conversation is not a Yandex Market chat",
                                permanent=True)
        body = (delivery.body or "").strip()
        if not body and not delivery.attachments:
            raise DeliveryError("the platform refused the reply: it has no words and no files", permanent=True)
        if len(body) > MAX_MESSAGE:
            raise DeliveryError(f"the reply is longer than the platform accepts ({MAX_MESSAGE} characters)",
                                permanent=True)
        client = self.client(settings, secrets, now)
        try:
            if body:
                client.call("/chats/message", {"chatId": chat_id}, {"message": body})
            for filename, content_type, content in delivery.attachments:
                data, multipart_type = apiclient.multipart((), [("file", filename, content_type, content)])
                client.call("/chats/file/send", {"chatId": chat_id}, data=data, content_type=multipart_type)
        except ChannelError as error:
            raise errors.delivery_error(error) from None

