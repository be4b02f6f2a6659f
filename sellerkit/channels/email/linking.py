"""Which conversation each fetched mail continues, found in the transaction that stores it; bounces."""
import hashlib
from dataclasses import replace

from sqlalchemy import select

from sellerkit.channels.email import tokens
from sellerkit.channels.email.parsing import external_id
from sellerkit.extensions import db
from sellerkit.outbox import services as outbox
from sellerkit.threads.models import Message, Thread


def _nearest(rows, order):
    """The thread of the row whose key comes last in `order` (the nearest reference)."""
    by_key = dict(rows)
    for key in reversed(order):
        if key in by_key:
            return by_key[key]
    return None


def thread_of_references(shop, references):
    """The thread of the nearest message these Message-IDs name: one of our replies, else one of the buyer's."""
    own = tokens.own_message_ids(references, shop.id)
    if own:
        rows = db.session.execute(select(Message.id, Message.thread_id).where(
            Message.shop_id == shop.id, Message.id.in_(own))).all()
        thread_id = _nearest(rows, own)
        if thread_id is not None:
            return thread_id
    theirs = [external_id(reference) for reference in references]
    if theirs:
        rows = db.session.execute(select(Message.external_id, Message.thread_id).where(
            Message.shop_id == shop.id, Message.external_id.in_(theirs))).all()
        return _nearest(rows, theirs)
    return None


def _existing(shop, thread_id):
    if thread_id is None:
        return None
    return db.session.scalar(select(Thread.id).where(Thread.id == thread_id, Thread.shop_id == shop.id))


def thread_for(shop, address, fetched, key):
    """The id of the conversation a fetched mail continues, or None."""
    hints = fetched.hints
    return (thread_of_references(shop, hints.get("references") or [])
            or _existing(shop, tokens.thread_in_addresses(hints.get("recipients") or [], address, key, shop.id))
            or _existing(shop, tokens.thread_in_subject(hints.get("subject"), key, shop.id)))


def _bounced_reply(shop, fetched, now):
    """For a bounce: mark the reply it returns failed; the thread of that reply, or None."""
    bounce = fetched.hints.get("bounce")
    own = tokens.own_message_ids([bounce.message_id], shop.id) if bounce and bounce.message_id else []
    if not own:
        return None
    message = db.session.scalar(select(Message).where(Message.shop_id == shop.id, Message.id == own[0]))
    if message is None:
        return None
    outbox.mark_bounced(shop.id, message.id, bounce.reason, now)
    return message.thread_id


def new_thread_key(fetched):
    """The key of the conversation a mail starts: its first reference (the conversation's first mail) or its own
    Message-ID, so that the later mails of a conversation we never saw the start of come together."""
    root = (fetched.hints.get("references") or [fetched.hints["message_id"]])[0]
    return "email:thread:" + hashlib.sha256(root.strip().lower().encode("utf-8", "replace")).hexdigest()[:40]


def link(shop, address, fetched_list, now):
    """Each Fetched with its conversation set on its Inbound (thread_id, or the key of a new or marketplace one).

    Our Message-ID in In-Reply-To/References first, then a signed +token address, then a subject tag, then the
    marketplace's rules (set by parsing); a mail that matches nothing starts a conversation. A bounce goes to the
    conversation of the reply it returns, and marks that reply's delivery failed."""
    key = tokens.signing_key()
    linked = []
    for fetched in fetched_list:
        inbound = fetched.inbound
        thread_id = _bounced_reply(shop, fetched, now) or thread_for(shop, address, fetched, key)
        if thread_id is not None:
            inbound = replace(inbound, thread_id=thread_id, thread_external_id=None)
        elif fetched.hints.get("marketplace") is None:
            inbound = replace(inbound, thread_external_id=new_thread_key(fetched))
        linked.append(replace(fetched, inbound=inbound))
    return linked
