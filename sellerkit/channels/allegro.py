"""Allegro's Message Center threads and post-purchase issues (as disputes) as a channel kind, polled."""
import copy
import dataclasses

from sellerkit.channels import allegro_client, conversations, errors
from sellerkit.channels.allegro_client import BETA, Client
from sellerkit.channels.kinds import Batch, ChannelError, Fetched, Field
from sellerkit.channels.marketplace import (
    DISPUTE_HINT,
    MarketplaceKind,
    OAuthSettings,
    parse_time,
    replied_conversation,
    words_or_files,
)
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.outbox.transports import DeliveryError
from sellerkit.threads.domain import Inbound

NAME = "allegro"
THREADS_PAGE = 20  # the most /messaging/threads and a thread's messages give at once
ISSUES_PAGE = 100
MAX_MESSAGE = 2000
MAX_FILE = 5 * 1024 * 1024  # the declaration's size limit
FILE_TYPES = {"image/png", "image/gif", "image/bmp", "image/tiff", "image/jpeg", "application/pdf"}
#: Requests after which a fetch starts no new conversation (one begun is read to its end).
REQUESTS_PER_FETCH = 60


class Settings(OAuthSettings):
    pass


class Allegro(MarketplaceKind):
    name = NAME
    label = _l("Allegro")
    oauth = True
    settings_model = Settings
    fields = (
        Field("client_id", _l("Client ID"),
              help=_l("Register an application at apps.developer.allegro.pl (for the sandbox: "
                      "apps.developer.allegro.pl.allegrosandbox.pl) and copy its Client ID.")),
        Field("client_secret", _l("Client secret"), type="password", secret=True,
              help=_l("Shown next to the Client ID of the same application.")),
        Field("refresh_token", _l("Refresh token"), type="password", required=False, secret=True,
              help=_l("Only when you connect through the API; in the browser, sign in with Allegro instead.")),
        # Translators: the setting that chooses between the platform itself and its test copy for developers.
        Field("environment", _l("Environment"), type="select", required=False, default="production",
              choices=(("production", _l("Allegro")), ("sandbox", _l("Allegro sandbox (for testing)")))),
    )

    def authorize_url(self, settings, state, redirect_uri):
        return allegro_client.authorize_url(settings, state, redirect_uri)

    def exchange_code(self, settings, secrets, code, redirect_uri, now):
        allegro_client.exchange_code(settings, secrets, code, redirect_uri, now, self.allow_private)

    def client(self, settings, secrets, now):
        return Client(settings, secrets, now, self.allow_private)

    def test(self, settings, secrets, now):
        client = self.client(settings, secrets, now)
        return errors.login_checks(lambda: client.call("GET", "/messaging/threads", {"limit": 1, "offset": 0}))

    # fetching

    def fetch(self, settings, secrets, cursor, limit, now):
        """Threads (newest last message first), then issues, are swept for what changed since the last sweep (Allegro
        has no webhooks); each queued conversation is read on from where its last reading ended, oldest first."""
        client = self.client(settings, secrets, now)
        state = {"queue": [], "threads": {"mark": None, "sweep": None}, "issues": {"mark": None, "sweep": None},
                 **copy.deepcopy(cursor or {})}  # the caller's cursor stays as it was, for a retry
        out = []
        swept = set()
        try:
            while len(out) < limit:
                if state["queue"]:
                    self._read(client, state, limit - len(out), out)
                elif client.requests >= REQUESTS_PER_FETCH:
                    break
                elif state["threads"]["sweep"] or ("threads" not in swept and not state["issues"]["sweep"]):
                    swept.add("threads")
                    self._sweep_threads(client, state, now)
                elif state["issues"]["sweep"] or "issues" not in swept:
                    swept.add("issues")
                    self._sweep_issues(client, state, now)
                else:
                    break
        except ChannelError as error:
            if not errors.keeps_partial(error, out):
                raise
        more = bool(state["queue"]) or bool(state["threads"]["sweep"]) or bool(state["issues"]["sweep"])
        return Batch(self._with_orders(client, out), state, more=more)

    @staticmethod
    def _with_orders(client, fetched):
        """Each message's order card, each order read once a fetch."""
        cards = {}
        for item in fetched:
            reference = item.inbound.order_reference
            if reference and reference not in cards:
                cards[reference] = allegro_client.order_card(client, reference)
            if reference and cards[reference]:
                item.inbound = dataclasses.replace(item.inbound, order=cards[reference])
        return fetched

    def _sweep_threads(self, client, state, now):
        """One page of threads, newest last message first: a thread not changed since the mark ends the sweep."""
        source = state["threads"]
        sweep, mark = conversations.begin(source, now), source["mark"]
        page = client.call("GET", "/messaging/threads", {"limit": THREADS_PAGE, "offset": sweep["offset"]})
        threads = page.get("threads") or []
        for thread in threads:
            last = thread.get("lastMessageDateTime")
            if not conversations.is_new(source, last):
                conversations.end(source)
                return
            conversations.saw(source, last)
            login = str((thread.get("interlocutor") or {}).get("login") or "")
            conversations.enqueue(state, {"key": f"thread:{thread['id']}", "id": str(thread["id"]), "login": login},
                                  mark)
        sweep["offset"] += len(threads)
        if len(threads) < THREADS_PAGE:
            conversations.end(source)

    def _sweep_issues(self, client, state, now):
        """One page of post-purchase issues; those whose chat changed since the mark are read."""
        source = state["issues"]
        sweep, mark = conversations.begin(source, now), source["mark"]
        page = client.call("GET", "/sale/issues", {"limit": ISSUES_PAGE, "offset": sweep["offset"]}, accept=BETA)
        issues = page.get("issues") or []
        for issue in issues:
            last = ((issue.get("chat") or {}).get("lastMessage") or {}).get("createdAt") or issue.get("openedDate")
            if not conversations.is_new(source, last):
                continue
            conversations.saw(source, last)
            buyer = issue.get("buyer") or {}
            conversations.enqueue(state, {
                "key": f"issue:{issue['id']}", "id": str(issue["id"]), "login": str(buyer.get("login") or ""),
                "order": (issue.get("checkoutForm") or {}).get("id")},
                mark)
        sweep["offset"] += len(issues)
        if len(issues) < ISSUES_PAGE:
            conversations.end(source)

    def _read(self, client, state, room, out):
        """The first queued conversation's new messages, oldest first, the buyer's among them as Fetched."""
        entry = state["queue"][0]
        if entry["key"].startswith("thread:"):
            messages = self._thread_messages(client, entry)
        else:
            messages = client.call("GET", f"/sale/issues/{entry['id']}/chat", accept=BETA).get("chat") or []
        for message in conversations.take(state, messages, room, lambda m: m["createdAt"], lambda m: str(m["id"])):
            inbound = self._inbound(entry, message)
            if inbound is not None:
                out.append(Fetched(inbound, self._files(client, message),
                                   {DISPUTE_HINT: entry["key"].startswith("issue:")}))

    def _thread_messages(self, client, entry):
        found, offset = {}, 0
        while True:
            page = client.call("GET", f"/messaging/threads/{entry['id']}/messages",
                               {"limit": THREADS_PAGE, "offset": offset, "after": entry["after"]})
            messages = page.get("messages") or []
            for message in messages:
                found[str(message["id"])] = message  # a page that moved under us repeats a message: kept once
            if len(messages) < THREADS_PAGE:
                return list(found.values())
            offset += len(messages)

    def _inbound(self, entry, message):
        """The message of the buyer, or of Allegro in an issue, as an Inbound (the thread stays the buyer's); None for
        the seller's own."""
        author = message.get("author") or {}
        kind, _, conversation = entry["key"].partition(":")
        if kind == "thread" and not author.get("isInterlocutor"):
            return None
        if kind == "issue" and author.get("role") not in ("BUYER", "ADMIN"):
            return None
        login = str(entry["login"] or author.get("login") or "")
        order = ((message.get("relatesTo") or {}).get("order") or {}).get("id") or entry.get("order")
        names = [str(a.get("fileName") or "") for a in message.get("attachments") or [] if isinstance(a, dict)]
        body = words_or_files(message.get("text"), names)
        if author.get("role") == "ADMIN":
            body = f"[Allegro] {body}"  # Allegro's own words in an issue, which the seller answers too
        return Inbound(
            external_id=f"{NAME}:{kind}:{conversation}:{message['id']}", body=body,
            received_at=parse_time(message["createdAt"]),
            buyer_external_id=f"{NAME}:{login}" if login else f"{NAME}:{entry['key']}", buyer_name=login[:200],
            thread_external_id=f"{NAME}:{entry['key']}", order_reference=str(order) if order else None,
            subject=str(message.get("subject") or "")[:200])  # an issue's subject is a code, not words

    def _files(self, client, message):
        files = []
        for attachment in message.get("attachments") or []:
            if not isinstance(attachment, dict) or not attachment.get("url") or \
                    not allegro_client.is_allegro_host(attachment["url"], client.api):
                continue
            try:
                answer = client.download(attachment["url"])
            except ChannelError:
                continue  # the words are kept and name the file
            files.append((str(attachment.get("fileName") or "file"),
                          attachment.get("mimeType") or answer.headers.get("content-type", "application/octet-stream"),
                          answer.raw))
        return tuple(files)

    # sending

    def send(self, settings, secrets, delivery, now):
        kind, _, conversation = replied_conversation(delivery, NAME).partition(":")
        if kind not in ("thread", "issue") or not conversation:
            raise DeliveryError("the platform refused the reply: the conversation is not an Allegro one",
                                permanent=True)
        body = (delivery.body or "").strip()
        self._check(body, delivery.attachments, kind)
        client = self.client(settings, secrets, now)
        try:
            if kind == "issue":
                client.call("POST", f"/sale/issues/{conversation}/message", body={"text": body, "type": "REGULAR"},
                            accept=BETA)
                return
            ids = [self._upload(client, *attachment) for attachment in delivery.attachments]
            message = {"text": body}
            if ids:
                message["attachments"] = [{"id": attachment_id} for attachment_id in ids]
            client.call("POST", f"/messaging/threads/{conversation}/messages", body=message)
        except ChannelError as error:
            if error.code == "refused" and "415" in str(error):
                raise DeliveryError(f"the platform does not accept the file: {error}", permanent=True) from None
            raise errors.delivery_error(error) from None

    @staticmethod
    def _check(body, attachments, kind):
        """What Allegro would refuse is refused here, before anything leaves."""
        if len(body) > MAX_MESSAGE:
            raise DeliveryError(f"the reply is longer than the platform accepts ({MAX_MESSAGE} characters)",
                                permanent=True)
        if not body:
            raise DeliveryError("the platform refused the reply: Allegro needs words in every message", permanent=True)
        if attachments and kind == "issue":
            raise DeliveryError("the platform does not accept the file: sellerkit sends no files to an issue",
                                permanent=True)
        for filename, content_type, content in attachments:
            if content_type not in FILE_TYPES or len(content) > MAX_FILE:
                raise DeliveryError(f"the platform does not accept the file {filename!r} ({content_type}, "
                                    f"{len(content)} bytes)", permanent=True)

    @staticmethod
    def _upload(client, filename, content_type, content):
        """Declare the file, then upload its bytes: Allegro's two steps."""
        declared = client.call("POST", "/messaging/message-attachments", body={"filename": filename,
                                                                               "size": len(content)})
        client.call("PUT", f"/messaging/message-attachments/{declared['id']}", data=content,
                    content_type=content_type)
        return declared["id"]

