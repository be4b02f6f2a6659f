"""What a channel kind is (fetch from a cursor, send one item, test the connection) and the registry of kinds.

A kind is one module: it knows its platform's protocol and nothing of Flask or the database. The channel layer
(sellerkit.channels.services) gives it the channel's settings and decrypted secrets, stores what it fetched through
inbox.receive_buyer_messages together with the new cursor, and hands it the outbox items to send.
"""
from dataclasses import dataclass, field

from flask import current_app

EXTENSION = "sellerkit.channel_kinds"


@dataclass
class Fetched:
    """One inbound message as a kind fetched it: the Inbound (threads.domain.Inbound) and its files as
    (filename, content type, bytes). `hints` carries what the kind's `link` step needs to find the thread
    (e-mail: Message-IDs of References, a +token address, a subject tag) and never reaches the database as is."""

    inbound: object
    files: tuple = ()
    hints: dict = field(default_factory=dict)


@dataclass
class Batch:
    """What one fetch brought: messages oldest first, the cursor to store with them, and whether more are waiting
    (`backlog` is how many, when the platform says)."""

    messages: list
    cursor: dict
    more: bool = False
    backlog: int | None = None


@dataclass(frozen=True)
class Check:
    """One step of a connection test: `step` (dns, tls, login, folder, send, ...), whether it passed, and when it
    did not, a translated message that says what to fix."""

    step: str
    ok: bool
    message: str = ""


class ChannelError(Exception):
    """A fetch or a test failed. `code` is stable (auth, network, tls, rate_limited, not_allowed, ...) and shown
    translated on the channel's status; `retry_after` (seconds) when the platform says when to come back."""

    def __init__(self, code, detail="", retry_after=None):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.retry_after = retry_after


@dataclass(frozen=True)
class Field:
    """One setting of a kind as the seller fills it in: `type` is text, password, int, select, url or email;
    `secret` ones are encrypted at rest, write-only in the API and never shown again; `label` and `help` are lazy
    translated strings; `choices` are (value, lazy label) pairs. A `first_only` setting is asked only when connecting
(how much of the past the first fetch brings): it is not shown when editing, as it no longer changes anything."""

    name: str
    label: object
    type: str = "text"
    required: bool = True
    default: object = None
    choices: tuple = ()
    help: object = ""
    secret: bool = False
    first_only: bool = False


class ChannelKind:
    """The base of every kind. `name` is stored on the channel; `fields` are its settings (a tuple of Field);
    `settings_model` is a pydantic model that validates them together (secrets included); `presets` maps a preset
    name to (lazy label, settings) for guided setups (e-mail providers). `has_base_url` says the platform takes a
    `base_url` override (sandboxes, self-hosted servers, tests).

    A kind may change the `secrets` dict it is given (an OAuth token it refreshed): the layer stores it again.
    A kind signed in with OAuth2 (`oauth = True`) also implements `authorize_url` and `exchange_code`."""

    name = ""
    label = ""
    fields = ()
    settings_model = None
    presets = {}
    has_base_url = False
    oauth = False
    #: What the seller reads for each failure code of this kind, where it says more than the layer's own words.
    error_messages = {}

    def test(self, settings, secrets, now):
        """A list of Check, one per step, stopping at the first that failed."""
        raise NotImplementedError

    def first_cursor(self, settings, now):
        """The cursor the first fetch starts from, made from the settings the seller chose when connecting (how far
        back to import); None starts wherever the kind starts by itself."""
        return None

    def fetch(self, settings, secrets, cursor, limit, now):
        """Messages after `cursor` (None the first time), at most `limit`, as a Batch; raises ChannelError."""
        raise NotImplementedError

    def link(self, shop, channel, fetched, now):
        """Inside the transaction that stores them: find each message's thread from its hints (setting
        inbound.thread_id or thread_external_id) and act on what is not a buyer message (a bounce marks its reply
        failed). Returns the Fetched to store. The default stores them all as they are."""
        return fetched

    def after_store(self, shop, channel, fetched, results, now):
        """Inside the same transaction, right after inbox.receive_buyer_messages stored `fetched` (its ItemResults at
        the same positions): act on the threads the messages went to, new ones included (a platform's dispute marks
        its thread). The default does nothing."""

    def send(self, settings, secrets, delivery, now):
        """Send one outbox Delivery (outbox.transports.Delivery); raises outbox.transports.DeliveryError."""
        raise NotImplementedError

    def check_reply(self, body, files):
        """What keeps a reply (its text and files as (filename, content type, bytes)) from going out through this
        kind, as translated messages for the seller, checked before the reply is queued; empty when nothing does."""
        return []


    def wait_for_news(self, settings, secrets, seconds):
        """Kinds that can be told of new messages (IMAP IDLE) wait up to `seconds` for them: True when the platform
        announced some (fetch now), False when the time passed; None means the kind cannot wait, so poll."""
        return None

    def manual_reply_url(self, thread):
        """Where the seller answers `thread` by hand, when its platform takes no reply through this kind (Etsy's
        notification mails); None when replies leave through the channel. The layer queues those replies as manual
        and shows the link beside them."""
        return None

    def reply_notice(self, thread, last_buyer_message_at, now, moment_text):
        """A line for the thread page about the platform's own reply rule (until when it takes a reply), written
        with `moment_text` for dates; None when the platform has none to tell."""
        return None

    def authorize_url(self, settings, state, redirect_uri):
        """OAuth2 kinds: where to send the seller to grant access."""
        raise NotImplementedError

    def exchange_code(self, settings, secrets, code, redirect_uri, now):
        """OAuth2 kinds: turn the authorization code into tokens, stored in `secrets`; raises ChannelError."""
        raise NotImplementedError


def whole_number(value):
    """A platform's id or timestamp as an int; 0 for anything that is not a whole number (it is then skipped)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def register_kind(app, kind):
    app.extensions.setdefault(EXTENSION, {})[kind.name] = kind


def kind_named(name):
    return current_app.extensions.get(EXTENSION, {}).get(name)


def all_kinds():
    return dict(current_app.extensions.get(EXTENSION, {}))
