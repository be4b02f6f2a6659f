"""The Wildberries channel kind: buyer chat events in from their millisecond cursor, replies out with the replySign."""
from datetime import datetime
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict
from pydantic import Field as Constrained

from sellerkit.channels import apiclient, errors, wildberries_client
from sellerkit.channels.kinds import Batch, ChannelError, Fetched, Field, whole_number
from sellerkit.channels.marketplace import PlatformKind, replied_conversation
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.outbox.transports import DeliveryError
from sellerkit.threads.domain import Inbound

PREFIX = "wb"
MAX_TEXT = 1000
MAX_FILE = 5 * 1024 * 1024
MAX_FILES_TOTAL = 30 * 1024 * 1024
#: The file types a reply may carry, by their first bytes (the name or a declared type can say anything).
FILE_SIGNATURES = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n", "application/pdf": b"%PDF-"}


class WildberriesSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    token: str = Constrained(min_length=1, max_length=2000)
    base_url: str | None = Constrained(default=None, max_length=500)


def file_problems(text, files):
    """What keeps a reply from going to Wildberries, in the seller's words (empty when nothing does): its length,
    and each file's type and size, checked before anything is sent."""
    problems = []
    if len((text or "").strip()) > MAX_TEXT:
        problems.append(_l("Wildberries takes replies of at most %(limit)s characters; this one has %(count)s.",
                           limit=MAX_TEXT, count=len(text.strip())))
    total = 0
    for filename, _content_type, content in files:
        total += len(content)
        if not any(content.startswith(signature) for signature in FILE_SIGNATURES.values()):
            problems.append(_l("%(name)s cannot be sent: Wildberries takes only JPEG, PNG and PDF files.",
                               name=filename))
        elif len(content) > MAX_FILE:
            problems.append(_l("%(name)s cannot be sent: Wildberries takes files of at most 5 MB.", name=filename))
    if total > MAX_FILES_TOTAL:
        problems.append(_l("These files cannot be sent together: Wildberries takes at most 30 MB in one reply."))
    return problems


def _moment(event):
    try:
        return datetime.fromisoformat(str(event.get("addTime")))
    except ValueError:
        return None


def _order(card):
    """The order card a message carries (its goodCard): (reference, Inbound.order)."""
    reference = str(card.get("rid") or "").strip() or None
    if reference is None:
        return None, {}
    items = [f"nmID {card['nmID']}" if card.get("nmID") else "", str(card.get("size") or "")]
    order = {"items_summary": ", ".join(item for item in items if item)}
    try:
        placed_at = datetime.fromisoformat(str(card.get("date")))
        if placed_at.tzinfo is not None:
            order["placed_at"] = placed_at
    except ValueError:
        pass
    try:
        order["total"] = Decimal(str(card["price"])).quantize(Decimal("0.01"))
    except (KeyError, InvalidOperation, ValueError):
        pass
    currency = str(card.get("priceCurrency") or "")
    if len(currency) == 3 and currency.isalpha():
        order["currency"] = currency.upper()
    return reference, order


def _object(holder, name):
    value = holder.get(name)
    return value if isinstance(value, dict) else {}


def _items(holder, name):
    value = holder.get(name)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def inbound_of(event):
    """The Inbound of a buyer's message event, or None for any other event (the seller's own, Wildberries', a
    return) or one without text or files."""
    message = _object(event, "message")
    received_at = _moment(event)
    if event.get("eventType") != "message" or event.get("sender") != "client" or received_at is None \
            or received_at.tzinfo is None or not event.get("chatID") or not event.get("eventID"):
        return None
    attachments = _object(message, "attachments")
    reference, order = _order(_object(attachments, "goodCard"))
    body = str(message.get("text") or "").strip()
    names = [str(item.get("name") or "") for item in _items(attachments, "files")]
    if not body and not names and not _items(attachments, "images"):
        return None
    client_id = str(event.get("clientID") or "").strip()
    return Inbound(
        external_id=f"{PREFIX}:{event['chatID']}:{event['eventID']}",
        body=body or ", ".join(filter(None, names)) or "[image]", received_at=received_at,
        buyer_external_id=f"{PREFIX}:{client_id}" if client_id else None,
        buyer_name=str(event.get("clientName") or "")[:200], thread_external_id=f"{PREFIX}:{event['chatID']}",
        order_reference=reference, order=order)


def _download_ids(event):
    attachments = _object(_object(event, "message"), "attachments")
    for item in _items(attachments, "files") + _items(attachments, "images"):
        url = str(item.get("url") or "")
        if "/download/" in url:
            yield url.rsplit("/download/", 1)[1].split("?")[0], str(item.get("name") or "") or "image"


class WildberriesKind(PlatformKind):
    name = "wildberries"
    label = _l("Wildberries")
    settings_model = WildberriesSettings
    fields = (
        Field("token", _l("API token"), type="password", secret=True,
              help=_l("In the Wildberries seller portal: Settings, Access to API, create a token with the "
                      "\"Buyers chat\" category. It is shown once: paste it here.")),
    )

    def __init__(self, allow_private=False, budget=None, timeout=apiclient.TIMEOUT):
        super().__init__(allow_private, timeout)
        self.budget = budget

    def client(self, settings, secrets):
        return wildberries_client.WildberriesClient(secrets.get("token"), settings.get("base_url"),
                                                    self.allow_private, self.budget, self.timeout)

    def check_reply(self, body, files):
        return file_problems(body, files)

    def test(self, settings, secrets, now):
        return errors.login_checks(self.client(settings, secrets).chats)

    def fetch(self, settings, secrets, cursor, limit, now):
        """Buyer messages after the cursor: {"next": the millisecond mark to ask from, "seen": ids of the events at
        that very mark already taken}. Pages are asked for with the returned `next` until `totalEvents` is 0."""
        client = self.client(settings, secrets)
        state = {"next": (cursor or {}).get("next"), "seen": set((cursor or {}).get("seen") or ())}
        fetched = []
        more = errors.fill_resumably(lambda: self._fetch_into(client, state, fetched, limit), fetched)
        return Batch(fetched, _cursor(state["next"], state["seen"]), more=more)

    def _fetch_into(self, client, state, fetched, limit):
        """Read events into `fetched`, keeping `state` (the cursor) at the last event taken; returns whether more
        wait."""
        mark, seen = state["next"], state["seen"]
        while True:
            progressed = False
            result = client.events(mark)
            events = [event for event in result.get("events") or [] if isinstance(event, dict)]
            if not result.get("totalEvents") or not events:
                return False
            events.sort(key=lambda event: whole_number(event.get("addTimestamp")))
            for event in events:
                stamp, event_id = whole_number(event.get("addTimestamp")), str(event.get("eventID") or "")
                if mark and (stamp < mark or (stamp == mark and event_id in seen)):
                    continue  # taken by an earlier page or fetch
                if len(fetched) >= limit:
                    return True
                inbound = inbound_of(event)
                if inbound is not None:
                    fetched.append(Fetched(inbound, files=tuple(self._files(client, event))))
                if stamp != mark:
                    mark, seen = stamp, set()
                seen.add(event_id)
                state.update(next=mark, seen=seen)
                progressed = True
            following = whole_number(result.get("next"))
            if following > (mark or 0):
                mark, seen = following, set()
                state.update(next=mark, seen=seen)
            elif not progressed or not following:
                return False

    def _files(self, client, event):
        for download_id, name in _download_ids(event):
            try:
                content_type, content = client.download(download_id)
            except ChannelError as error:
                if error.code in ("rate_limited", "auth", "network", "unavailable"):
                    raise
                continue  # one file the platform no longer has: the message itself still comes in
            yield name, content_type, content

    def send(self, settings, secrets, delivery, now):
        chat_id = replied_conversation(delivery, PREFIX,
                                       "the conversation is not a Wildberries chat, so the reply cannot go there")
        text = (delivery.body or "").strip()
        if len(text) > MAX_TEXT:
            raise DeliveryError(f"the reply is too long for the platform: {len(text)} characters, Wildberries "
                                f"takes {MAX_TEXT}", permanent=True)
        if file_problems("", delivery.attachments):
            raise DeliveryError("the platform refuses these files: Wildberries takes JPEG, PNG and PDF, at most "
                                "5 MB each and 30 MB together", permanent=True)
        client = self.client(settings, secrets)
        try:
            sign = next((str(chat.get("replySign") or "") for chat in client.chats()
                         if str(chat.get("chatID")) == chat_id), "")
            if not sign:
                raise DeliveryError("the conversation is not open on the platform any more", permanent=True)
            refused = client.send(sign, text, delivery.attachments)
        except ChannelError as error:
            raise errors.delivery_error(error) from None
        if refused:
            raise DeliveryError("the platform refuses these files: " + "; ".join(refused)[:500], permanent=True)


def _cursor(mark, seen):
    return {"next": mark, "seen": sorted(seen)} if mark else None
