"""Marketplace mail (Amazon relay, eBay and Etsy notifications): buyer, order, conversation. Pure."""
import re
from dataclasses import dataclass

AMAZON_RELAY = re.compile(r"@marketplace\.amazon\.[a-z.]{2,10}$", re.IGNORECASE)
AMAZON_ORDER = re.compile(r"\b(\d{3}-\d{7}-\d{7})\b")
EBAY_SENDER = re.compile(r"@(\w+\.)*ebay\.[a-z.]{2,10}$", re.IGNORECASE)
EBAY_ORDER = re.compile(r"\b(\d{2}-\d{5}-\d{5})\b")
EBAY_ITEM = re.compile(r"#\s?(\d{12})\b")
ETSY_SENDER = re.compile(r"@(\w+\.)*etsy\.com$", re.IGNORECASE)
ETSY_ORDER = re.compile(r"(?:order|receipt)\s*#?\s*(\d{9,12})\b", re.IGNORECASE)
ETSY_CONVERSATION = re.compile(r"https://www\.etsy\.com/(?:your/)?conversations/(\d{5,15})")
#: "You have a new message from jane_doe", "Question from jane_doe about item #...", "jane_doe sent a message about",
#: "Etsy Conversation with Jane": the platform's member name of the buyer.
NOTIFICATION_BUYER = (
    re.compile(r"new message from:?\s+([^\s,:()]+)", re.IGNORECASE),
    re.compile(r"question from:?\s+([^\s,:()]+)", re.IGNORECASE),
    re.compile(r"conversation with:?\s+([^\s,:()]+)", re.IGNORECASE),
    re.compile(r"^(?:re:\s*)?(?:other:\s*)?([^\s,:()]+) (?:has )?sent (?:you )?a message", re.IGNORECASE),
)
AMAZON_BUYER = re.compile(r"from (?:amazon customer\s+)?(.+?)\s*\((?:order|bestellung|commande|pedido|ordine)",
                          re.IGNORECASE)
#: Amazon wraps the buyer's words between these lines: the rest is Amazon's own text.
AMAZON_WORDS = re.compile(r"-{5,}\s*Message:\s*-{5,}\s*(.*?)\s*-{5,}\s*End message\s*-{5,}", re.IGNORECASE | re.DOTALL)
ETSY_CONVERSATIONS = "https://www.etsy.com/your/conversations"


@dataclass(frozen=True)
class Marketplace:
    """What a marketplace's mail says: the platform, the buyer (`buyer_id` on the platform, or the relay address),
    the order, the conversation's key, and whether a reply can go back by e-mail."""

    platform: str
    buyer_id: str | None
    buyer_name: str
    order: str | None
    thread_key: str | None
    reply_by_mail: bool
    #: Where the seller answers by hand, when the reply cannot go by e-mail.
    reply_url: str | None = None


def _buyer_in(subject, text):
    for pattern in NOTIFICATION_BUYER:
        for where in (subject, text[:2000]):
            match = pattern.search(where)
            if match:
                return match.group(1).strip(".")
    return None


def recognise(sender, sender_name, subject, text):
    """The Marketplace a mail comes from, or None for a mail from anyone else."""
    sender, subject, text = (sender or "").lower(), subject or "", text or ""
    if AMAZON_RELAY.search(sender):
        order = AMAZON_ORDER.search(subject) or AMAZON_ORDER.search(text[:4000])
        named = AMAZON_BUYER.search(subject)
        name = named.group(1) if named else re.sub(r"\s*-\s*(amazon )?marketplace\s*$", "", sender_name or "",
                                                   flags=re.IGNORECASE)
        # One relay address is one buyer: it is the key, and replies go back to it.
        return Marketplace("amazon", None, name.strip(), order.group(1) if order else None,
                           f"amazon:{order.group(1)}" if order else None, reply_by_mail=True)
    if EBAY_SENDER.search(sender):
        buyer = _buyer_in(subject, text)
        order = EBAY_ORDER.search(subject) or EBAY_ORDER.search(text[:4000])
        item = EBAY_ITEM.search(subject) or EBAY_ITEM.search(text[:4000])
        about = order.group(1) if order else (f"item-{item.group(1)}" if item else "")
        return Marketplace("ebay", f"ebay:{buyer}" if buyer else None, buyer or "",
                           order.group(1) if order else None, f"ebay:{buyer}:{about}" if buyer else None,
                           reply_by_mail=False, reply_url="https://www.ebay.com/mesg/")
    if ETSY_SENDER.search(sender):
        buyer = _buyer_in(subject, text)
        order = ETSY_ORDER.search(subject) or ETSY_ORDER.search(text[:4000])
        conversation = ETSY_CONVERSATION.search(text)
        if conversation:
            key = f"etsy:{conversation.group(1)}"
        else:
            key = f"etsy:{buyer}:{order.group(1) if order else ''}" if buyer else None
        url = f"{ETSY_CONVERSATIONS}/{conversation.group(1)}" if conversation else ETSY_CONVERSATIONS
        return Marketplace("etsy", f"etsy:{buyer}" if buyer else None, buyer or "", order.group(1) if order else None,
                           key, reply_by_mail=False, reply_url=url)
    return None


def relay_words(text):
    """The buyer's own words of an Amazon relay mail, without Amazon's frame; the text itself when it has none."""
    match = AMAZON_WORDS.search(text or "")
    return match.group(1) if match and match.group(1).strip() else text


def manual_reply_url(thread_external_id):
    """Where the seller answers a conversation that cannot be answered by e-mail (Etsy, eBay notifications):
    the platform's conversation page; None for a conversation answered by e-mail."""
    key = thread_external_id or ""
    if key.startswith("etsy:"):
        conversation = key.split(":", 1)[1]
        return f"{ETSY_CONVERSATIONS}/{conversation}" if conversation.isdigit() else ETSY_CONVERSATIONS
    if key.startswith("ebay:"):
        return "https://www.ebay.com/mesg/"
    return None
