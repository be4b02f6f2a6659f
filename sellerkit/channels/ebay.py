"""eBay's Message API as a channel kind: conversations from members, replies with up to five images."""
import copy
from typing import Annotated

import pydantic

from sellerkit.channels import apiclient, conversations, ebay_client, errors
from sellerkit.channels.ebay_client import Client
from sellerkit.channels.kinds import Batch, ChannelError, Fetched, Field
from sellerkit.channels.marketplace import (
    MarketplaceKind,
    OAuthSettings,
    parse_time,
    replied_conversation,
    words_or_files,
)
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.outbox.transports import DeliveryError
from sellerkit.threads.domain import Inbound

NAME = "ebay"
PAGE = 50  # the most getConversations and getConversation give at once
MAX_MESSAGE = 2000
MAX_MEDIA = 5
MAX_IMAGE = 12 * 1024 * 1024
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff", "image/webp", "image/avif",
               "image/heic"}
REQUESTS_PER_FETCH = 60
MEMBERS = {"conversation_type": "FROM_MEMBERS"}  # not eBay's own notices


class Settings(OAuthSettings):
    ru_name: Annotated[str, pydantic.Field(min_length=1, max_length=200)]


class Ebay(MarketplaceKind):
    name = NAME
    label = _l("eBay")
    oauth = True
    settings_model = Settings
    fields = (
        Field("client_id", _l("App ID (Client ID)"),
              help=_l("At developer.ebay.com: Application Keys, the App ID of your production (or sandbox) "
                      "keyset.")),
        Field("client_secret", _l("Cert ID (Client secret)"), type="password", secret=True,
              help=_l("Shown next to the App ID of the same keyset.")),
        Field("ru_name", _l("RuName"),
              help=_l("At developer.ebay.com: User Tokens, then “Get a Token from eBay via Your Application”: the "
                      "RuName whose accepted URL is sellerkit's sign-in return address.")),
        Field("refresh_token", _l("Refresh token"), type="password", required=False, secret=True,
              help=_l("Only when you connect through the API; in the browser, sign in with eBay instead.")),
        # Translators: the setting that chooses between the platform itself and its test copy for developers.
        Field("environment", _l("Environment"), type="select", required=False, default="production",
              choices=(("production", _l("eBay")), ("sandbox", _l("eBay sandbox (for testing)")))),
    )

    def authorize_url(self, settings, state, redirect_uri):
        return ebay_client.authorize_url(settings, state)

    def exchange_code(self, settings, secrets, code, redirect_uri, now):
        ebay_client.exchange_code(settings, secrets, code, now, self.allow_private)

    def client(self, settings, secrets, now):
        return Client(settings, secrets, now, self.allow_private)

    def test(self, settings, secrets, now):
        client = self.client(settings, secrets, now)
        return errors.login_checks(client.username,
                                   lambda: client.messages_api("GET", "/conversation", {**MEMBERS, "limit": 1}))

    def fetch(self, settings, secrets, cursor, limit, now):
        """Conversations from members are swept for those changed since the last sweep; each queued conversation is
        read on from where its last reading ended, oldest first, leaving out the seller's own messages."""
        client = self.client(settings, secrets, now)
        state = {"queue": [], "conversations": {"mark": None, "sweep": None}, "me": None,
                 **copy.deepcopy(cursor or {})}  # the caller's cursor stays as it was, for a retry
        if not state["me"]:
            state["me"] = client.username()
        out, swept = [], False
        try:
            while len(out) < limit:
                if state["queue"]:
                    self._read(client, state, limit - len(out), out)
                elif client.requests >= REQUESTS_PER_FETCH or (swept and not state["conversations"]["sweep"]):
                    break
                else:
                    swept = True
                    self._sweep(client, state, now)
        except ChannelError as error:
            if not errors.keeps_partial(error, out):
                raise
        return Batch(out, state, more=bool(state["queue"]) or bool(state["conversations"]["sweep"]))

    def _sweep(self, client, state, now):
        """One page of conversations, the latest message first: one not changed since the mark ends the sweep."""
        source = state["conversations"]
        sweep, mark = conversations.begin(source, now), source["mark"]
        page = client.messages_api("GET", "/conversation", {**MEMBERS, "limit": PAGE, "offset": sweep["offset"],
                                                            "start_time": mark})
        listed = page.get("conversations") or []
        for conversation in listed:
            latest = (conversation.get("latestMessage") or {}).get("createdDate") or conversation.get("createdDate")
            if not conversations.is_new(source, latest):
                conversations.end(source)
                return
            conversations.saw(source, latest)
            conversations.enqueue(state, {"key": str(conversation["conversationId"]),
                                          "subject": str(conversation.get("conversationTitle") or "")[:200],
                                          "reference": conversation.get("referenceId")}, mark)
        sweep["offset"] += len(listed)
        if len(listed) < PAGE or not page.get("next"):
            conversations.end(source)

    def _read(self, client, state, room, out):
        entry = state["queue"][0]
        found, offset = {}, 0
        while True:
            page = client.messages_api("GET", f"/conversation/{entry['key']}",
                                       {**MEMBERS, "limit": PAGE, "offset": offset})
            messages = page.get("messages") or []
            for message in messages:
                found[str(message["messageId"])] = message  # a page that moved under us repeats one: kept once
            offset += len(messages)
            if len(messages) < PAGE or not page.get("next"):
                break
        for message in conversations.take(state, list(found.values()), room, lambda m: m["createdDate"],
                                          lambda m: str(m["messageId"])):
            sender = str(message.get("senderUsername") or "")
            if sender and sender != state["me"]:
                out.append(Fetched(self._inbound(entry, message, sender), self._files(client, message)))

    @staticmethod
    def _inbound(entry, message, sender):
        names = [str(m.get("mediaName") or "") for m in message.get("messageMedia") or [] if isinstance(m, dict)]
        return Inbound(
            external_id=f"{NAME}:{entry['key']}:{message['messageId']}",
            body=words_or_files(message.get("messageBody"), names),
            received_at=parse_time(message["createdDate"]), buyer_external_id=f"{NAME}:{sender}",
            buyer_name=sender[:200], thread_external_id=f"{NAME}:{entry['key']}",
            subject=entry.get("subject") or str(message.get("subject") or "")[:200])

    @staticmethod
    def _files(client, message):
        files = []
        for media in message.get("messageMedia") or []:
            if not isinstance(media, dict) or not media.get("mediaUrl") or \
                    not apiclient.file_url_allowed(media["mediaUrl"], client.api):
                continue
            try:
                # public picture URLs
                answer = apiclient.request("GET", media["mediaUrl"], raw=True, allow_private=client.allow_private)
            except ChannelError:
                continue
            if answer.status < 300:
                files.append((str(media.get("mediaName") or "file"),
                              answer.headers.get("content-type", "application/octet-stream"), answer.raw))
        return tuple(files)

    def send(self, settings, secrets, delivery, now):
        conversation = replied_conversation(delivery, NAME,
                                            "the platform refused the reply: the conversation is not an eBay one")
        body = (delivery.body or "").strip()
        if len(body) > MAX_MESSAGE:
            raise DeliveryError(f"the reply is longer than the platform accepts ({MAX_MESSAGE} characters)",
                                permanent=True)
        if len(delivery.attachments) > MAX_MEDIA or any(
                content_type not in IMAGE_TYPES or len(content) > MAX_IMAGE
                for _name, content_type, content in delivery.attachments):
            raise DeliveryError(f"the platform does not accept the files: at most {MAX_MEDIA} images",
                                permanent=True)
        client = self.client(settings, secrets, now)
        try:
            media = [{"mediaName": name[:100], "mediaType": "IMAGE",
                      "mediaUrl": client.upload_image(name, content_type, content)}
                     for name, content_type, content in delivery.attachments]
            request = {"conversationId": conversation, "messageText": body}
            if media:
                request["messageMedia"] = media
            client.messages_api("POST", "/send_message", body=request)
        except ChannelError as error:
            raise errors.delivery_error(error) from None

