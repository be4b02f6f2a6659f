"""Pure Ozon rules: a chat message's Markdown as plain text, and until when Ozon accepts a seller's reply."""
import html
import re
from dataclasses import dataclass
from datetime import timedelta

#: FBO, and every scheme once its first window closed: a reply within 48 hours of the buyer's last message.
AFTER_BUYER = timedelta(hours=48)
#: FBS and rFBS: from payment until 72 hours after delivery.
AFTER_DELIVERY = timedelta(hours=72)
SELLER_SHIPPED = ("fbs", "rfbs")

_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_CODE = re.compile(r"`([^`]*)`")
# Emphasis markers around words; an underscore inside a word (snake_case, a file name) stays.
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_BULLET = re.compile(r"^(\s*)[*+-]\s+")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")


def _link(match):
    text, url = match.group(1).strip(), match.group(2)
    return url if not text or text == url else f"{text} ({url})"


#: An escaped character waits in the Unicode private use area while the markup around it is read.
_HELD = 0xF0000
_HELD_CHARACTER = re.compile("[\U000F0000-\U000F007F]")


def _line(line):
    if _RULE.match(line):
        return ""
    line = _ESCAPE.sub(lambda match: chr(_HELD + ord(match.group(1))), line)
    line = _HEADING.sub(r"\1", line)
    line = _QUOTE.sub("", line)
    line = _BULLET.sub(r"\1- ", line)
    # Code first, so that what it quotes is not read as emphasis.
    line = _CODE.sub(r"\1", line)
    line = _IMAGE.sub(lambda m: m.group(2), line)
    line = _LINK.sub(_link, line)
    line = _STRONG.sub(r"\2", line)
    line = _EMPHASIS.sub(r"\2", line)
    line = _STRIKE.sub(r"\1", line)
    return _HELD_CHARACTER.sub(lambda match: chr(ord(match.group()) - _HELD), line)


def plain_text(parts):
    """The text of a chat message whose `data` is a list of Markdown strings: links as "text (address)", images
    as their address, emphasis, headings, quotes and escapes dropped, lists kept as "- " lines."""
    text = "\n".join(part for part in parts if isinstance(part, str))
    lines = [_line(line).rstrip() for line in html.unescape(text).replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass(frozen=True)
class ReplyWindow:
    """Until when Ozon accepts a reply: `until` is its last moment; `endless` while a paid FBS or rFBS order is not
    delivered yet (the window then runs until 72 hours after delivery)."""

    until: object = None
    endless: bool = False

    def is_open(self, now):
        return self.endless or (self.until is not None and now <= self.until)


def reply_window(scheme, last_buyer_message_at, paid_at=None, delivered_at=None):
    """Ozon's reply window for a chat. `scheme` is "fbo", "fbs" or "rfbs" (any other value, an unknown scheme,
    gets the rule every scheme shares: 48 hours after the buyer's last message); the moments are aware datetimes
    or None when unknown."""
    after_buyer = last_buyer_message_at + AFTER_BUYER if last_buyer_message_at else None
    if (scheme or "").lower() in SELLER_SHIPPED and paid_at is not None:
        if delivered_at is None:
            return ReplyWindow(endless=True)
        after_delivery = delivered_at + AFTER_DELIVERY
        return ReplyWindow(max(after_delivery, after_buyer) if after_buyer else after_delivery)
    return ReplyWindow(after_buyer)
