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
    """What a marketplace's mail says: the platform, the buyer (`buyer_id` on the platform; None for Amazon, whose
    relay address is the buyer), the order and the conversation's key (None: the buyer's latest conversation)."""

    platform: str
    buyer_id: str | None
    buyer_name: str
    order: str | None
    thread_key: str | None


def _buyer_in(subject, text):
    for pattern in NOTIFICATION_BUYER:
        for where in (subject, text[:2000]):
            match = pattern.search(where)
            if match:
                return match.group(1).strip(".")
    return None


def _first(pattern, subject, text):
    match = pattern.search(subject) or pattern.search(text[:4000])
    return match.group(1) if match else None


def recognise(sender, sender_name, subject, text):
    """The Marketplace a mail comes from, or None for a mail from anyone else."""
    sender, subject, text = (sender or "").lower(), subject or "", text or ""
    if AMAZON_RELAY.search(sender):
        order = _first(AMAZON_ORDER, subject, text)
        named = AMAZON_BUYER.search(subject)
        name = named.group(1) if named else re.sub(r"\s*-\s*(amazon )?marketplace\s*$", "", sender_name or "",
                                                   flags=re.IGNORECASE)
        # One relay address is one buyer, and replies go back to it.
        return Marketplace("amazon", None, name.strip(), order, f"amazon:{order}" if order else None)
    if EBAY_SENDER.search(sender):
        buyer, order = _buyer_in(subject, text), _first(EBAY_ORDER, subject, text)
        item = _first(EBAY_ITEM, subject, text)
        about = order or (f"item-{item}" if item else "")
        return Marketplace("ebay", f"ebay:{buyer or sender}", buyer or "", order, f"ebay:{buyer or sender}:{about}")
    if ETSY_SENDER.search(sender):
        buyer, order = _buyer_in(subject, text), _first(ETSY_ORDER, subject, text)
        conversation = ETSY_CONVERSATION.search(text)
        key = f"etsy:{conversation.group(1)}" if conversation else f"etsy:{buyer or sender}:{order or ''}"
        return Marketplace("etsy", f"etsy:{buyer or sender}", buyer or "", order, key)
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
