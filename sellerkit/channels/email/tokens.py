"""Signed thread references on our mail (a +token Reply-To, a subject tag) and our Message-IDs."""
import hashlib
import hmac
import re

from flask import current_app

TOKEN = re.compile(r"^t(\d{1,12})s(\d{1,12})x([a-z0-9]{10})$")
SUBJECT_TAG = re.compile(r"\[#(\d{1,12})-(\d{1,12})-([a-z0-9]{10})\]")
#: Our own Message-IDs (threads.outbound): <sellerkit.{message id}.{shop id}@domain>.
OWN_MESSAGE_ID = re.compile(r"<sellerkit\.(\d{1,12})\.(\d{1,12})@[^>\s]+>")


def signing_key():
    """A key for these tokens only, derived from the app's secret: knowing a token says nothing of the secret."""
    secret = current_app.config["SECRET_KEY"]
    return hmac.new(secret.encode("utf-8") if isinstance(secret, str) else secret, b"sellerkit.mail-thread-token",
                    hashlib.sha256).digest()


def _signature(key, shop_id, thread_id):
    # Lower-case hex: some mail servers fold the case of local parts.
    return hmac.new(key, f"{shop_id}.{thread_id}".encode("ascii"), hashlib.sha256).hexdigest()[:10]


def reply_address(address, key, shop_id, thread_id):
    """The channel's address with this thread's token: shop+t12s3x0a1b2c3d4e@example.com. An answer sent to it finds
    its conversation even when the buyer's mail program drops In-Reply-To."""
    local, _, domain = address.partition("@")
    return f"{local}+t{thread_id}s{shop_id}x{_signature(key, shop_id, thread_id)}@{domain}"


def subject_tag(key, shop_id, thread_id):
    return f"[#{thread_id}-{shop_id}-{_signature(key, shop_id, thread_id)}]"


def _checked(key, thread_id, shop_id, signature, want_shop):
    shop_id, thread_id = int(shop_id), int(thread_id)
    if shop_id != want_shop or not hmac.compare_digest(signature, _signature(key, shop_id, thread_id)):
        return None
    return thread_id


def thread_in_addresses(addresses, channel_address, key, shop_id):
    """The thread a signed +token in any of these recipient addresses names, for this shop; else None."""
    local, _, domain = channel_address.lower().partition("@")
    for address in addresses:
        their_local, _, their_domain = address.lower().partition("@")
        base, plus, token = their_local.partition("+")
        match = TOKEN.match(token) if plus and base == local and their_domain == domain else None
        if match:
            thread_id = _checked(key, match.group(1), match.group(2), match.group(3), shop_id)
            if thread_id is not None:
                return thread_id
    return None


def thread_in_subject(subject, key, shop_id):
    for match in SUBJECT_TAG.finditer(subject or ""):
        thread_id = _checked(key, match.group(1), match.group(2), match.group(3), shop_id)
        if thread_id is not None:
            return thread_id
    return None


def own_message_ids(message_ids, shop_id):
    """The ids of our messages that these Message-IDs (In-Reply-To, References) name, for this shop, nearest last."""
    found = []
    for value in message_ids:
        match = OWN_MESSAGE_ID.fullmatch(value.strip())
        if match and int(match.group(2)) == shop_id:
            found.append(int(match.group(1)))
    return found


def is_for(addresses, channel_address):
    """Whether a mail sent to these addresses is for the channel: its address, or that address with a +tag."""
    local, _, domain = channel_address.lower().partition("@")
    for address in addresses:
        their_local, _, their_domain = address.lower().partition("@")
        if their_domain == domain and their_local.partition("+")[0] == local:
            return True
    return False
