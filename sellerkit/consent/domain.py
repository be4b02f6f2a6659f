"""Pure consent rules: the sources, the consent state after an event, opt-out tokens, and stop replies."""
import re
import unicodedata
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from sellerkit.textfold import spaced

#: How a consent was given or withdrawn.
SOURCES = ("order_checkbox", "message", "import", "seller", "api", "opt_out_link", "stop_reply")
#: The sources a seller or an integration may name; the last two are recorded by sellerkit itself.
RECORDABLE_SOURCES = SOURCES[:5]
MAX_TEXT = 2000
TOKEN_SALT = "sellerkit.opt-out"

#: Whole replies that mean "no more marketing", in the six languages (compared after normalize()).
STOP_PHRASES = frozenset({
    # English
    "stop", "unsubscribe", "unsubscribe me", "please unsubscribe", "unsubscribe please", "opt out", "optout",
    "stop sending", "stop sending me emails", "remove me", "stop all",
    # Russian
    "стоп", "отписаться", "отписка", "отпишите", "отпишите меня", "хватит", "не пишите", "не присылайте",
    # Polish
    "wypisz", "wypisz mnie", "rezygnuję", "rezygnuje", "nie wysyłaj", "nie wysylaj", "anuluj subskrypcję",
    # Simplified Chinese
    "退订", "取消订阅", "退订谢谢", "td", "停止", "不要再发", "别再发了",
    # Bengali
    "বন্ধ", "বন্ধ করুন", "আনসাবস্ক্রাইব", "সদস্যতা বাতিল", "আর পাঠাবেন না",
    # Persian
    "لغو", "توقف", "لغو اشتراک", "لغو عضویت", "دیگر پیام ندهید", "استاپ",
})
_PERSIAN_FOLD = str.maketrans({"ي": "ی", "ك": "ک", "\u200c": " "})
_SPACES = re.compile(r"\s+")


def normalize(text):
    """Case-folded, punctuation and symbols dropped, Arabic letters folded to Persian ones, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text or "").translate(_PERSIAN_FOLD).casefold()
    text = spaced(text, "PSZ")
    return _SPACES.sub(" ", text).strip()


def is_stop_reply(body):
    """True when the whole reply (or its first line, above a quoted mail) asks to stop: "STOP", "Отписаться!",
    "退订"."""
    lines = [line for line in (body or "").splitlines() if line.strip()]
    if not lines:
        return False
    # With one line of text the whole reply normalizes as its first line does: that work is done once.
    return normalize(lines[0]) in STOP_PHRASES or (len(lines) > 1 and normalize(body) in STOP_PHRASES)


@dataclass(frozen=True)
class ConsentState:
    given_at: object = None
    source: str | None = None
    withdrawn_at: object = None

    @property
    def is_given(self):
        return self.given_at is not None and (self.withdrawn_at is None or self.withdrawn_at < self.given_at)


def after_event(state, action, source, occurred_at):
    """The buyer's consent state once an event is recorded; an event older than the state's newest one is
    history only (an import of last year's consent must not undo yesterday's opt-out)."""
    newest = max([t for t in (state.given_at, state.withdrawn_at) if t is not None], default=None)
    if newest is not None and occurred_at < newest:
        return state
    if action == "given":
        return ConsentState(given_at=occurred_at, source=source, withdrawn_at=None)
    return ConsentState(given_at=state.given_at, source=state.source, withdrawn_at=occurred_at)


def is_repeat(state, action):
    """Withdrawing what is already withdrawn (a second click on the link) records nothing new."""
    return action == "withdrawn" and state.given_at is not None and not state.is_given


def opt_out_token(secret_key, shop_id, buyer_id):
    """A signed, non-expiring token naming the shop and the buyer: an opt-out link must work years later."""
    return URLSafeSerializer(secret_key, salt=TOKEN_SALT).dumps([shop_id, buyer_id])


def read_opt_out_token(secret_key, token):
    """(shop_id, buyer_id) from a token this server signed; None when tampered with or malformed."""
    try:
        value = URLSafeSerializer(secret_key, salt=TOKEN_SALT).loads(token)
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)):
        return None
    return value[0], value[1]
