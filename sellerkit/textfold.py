"""Folding buyer text to one spelling per word: what search terms and dispute phrases both compare."""
import re
import unicodedata
from functools import lru_cache

ZWNJ = "\u200c"
_PERSIAN_FOLD = {"ي": "ی", "ى": "ی", "ك": "ک", "ۀ": "ه", "ة": "ه", "\u200d": None, "ـ": None}
#: Letters that are variants of another in the languages that write them, with no decomposition to say so.
_LETTER_FOLD = {"ё": "е", "ł": "l", "đ": "d", "ø": "o", "ı": "i"}
#: Blocks of Latin letters with accents: Latin-1 Supplement to Latin Extended-B, and Latin Extended Additional.
_LATIN_BLOCKS = (range(0x00C0, 0x0250), range(0x1E00, 0x1F00))
#: Decimal digits of other scripts that buyers type numbers in: Arabic-Indic, Persian, Bengali.
_DIGIT_ZEROS = (0x0660, 0x06F0, 0x09E6)
#: For phrases only: apostrophes vanish ("didn't" is "didnt"), a zero-width non-joiner parts words like a space,
#: and the superscript alef is a short vowel mark.
_PHRASE_FOLD = {ord("'"): None, ord("’"): None, ord("ʼ"): None, ord("‘"): None, ord("`"): None, ord(ZWNJ): " ",
                0x0670: None}
_SPACES = re.compile(r"\s+")
# The Persian verb prefix is written joined, with a zero-width non-joiner, or with a space: all become joined.
_PERSIAN_PREFIX = re.compile(r"(?<!\S)(ن?می) (?=\S)")


@lru_cache(maxsize=1)
def fold_table():
    """One translation of casefolded text: Latin letters without their accents, the letter variants, Persian
    letters for Arabic ones, no harakat (short vowels, optional in writing), ASCII digits. Bengali and other
    scripts keep their marks: there they are letters' vowels, not accents."""
    table = {ord(key): value for key, value in {**_PERSIAN_FOLD, **_LETTER_FOLD}.items()}
    table.update(dict.fromkeys(range(0x064B, 0x0660)))
    for block in _LATIN_BLOCKS:
        for code in block:
            base = unicodedata.normalize("NFKD", chr(code))
            if base[0].isascii() and base[0].isalpha() and all(unicodedata.combining(c) for c in base[1:]):
                table[code] = base[0].lower()
    for zero in _DIGIT_ZEROS:
        table.update({zero + digit: str(digit) for digit in range(10)})
    return table


@lru_cache(maxsize=1)
def _simplified():
    """OpenCC's Traditional to Simplified Chinese converter, loaded on first use."""
    # Imported here too: the library and its dictionaries stay out of a process that never meets Chinese text.
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text):
    """Chinese text in Simplified characters (Taiwan and Hong Kong buyers write 還沒收到 for 还没收到)."""
    return _simplified().convert(text)


_CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x3040, 0x30FF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F),
               (0xAC00, 0xD7AF))
#: The same ranges as one character class: a text is searched at C speed instead of a call per character.
_CJK = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in _CJK_RANGES) + "]")


def is_cjk(char):
    return _CJK.match(char) is not None


def fold_word(word):
    """A word in one spelling (see fold_table); Chinese is left as it is, to_simplified converts it."""
    if word.isascii():
        return word.lower()
    if not unicodedata.is_normalized("NFKC", word):
        word = unicodedata.normalize("NFKC", word)
    return word.casefold().translate(fold_table())


class _SpacingTable(dict):
    """A str.translate table: a character of the given Unicode categories (first letters) becomes a space, any
    other one itself. Filled in as characters are met, so that a text is translated at C speed."""

    def __init__(self, categories, keep):
        super().__init__()
        self.categories, self.keep = categories, keep

    def __missing__(self, code):
        char = chr(code)
        self[code] = value = " " if unicodedata.category(char)[0] in self.categories and char not in self.keep \
            else char
        return value


@lru_cache(maxsize=16)
def _spacing_table(categories, keep):
    return _SpacingTable(categories, keep)


def spaced(text, categories, keep=""):
    """`text` with every character of these Unicode categories (first letters, e.g. "PSZ") but those in `keep` made
    a space."""
    return text.translate(_spacing_table(categories, keep))


def fold(text, keep=""):
    """A whole text for phrase rules: words folded as fold_word does, Traditional Chinese as Simplified, every
    run of other characters a single space (except the characters in `keep`: a phrase rule keeps its wildcard),
    and the Persian verb prefix joined to its verb."""
    text = fold_word((text or "").translate(_PHRASE_FOLD))
    if _CJK.search(text):
        text = to_simplified(text)
    # Punctuation, symbols, spaces and control characters separate words; letters, marks and digits do not.
    text = spaced(text, "PSZC", keep)
    text = _SPACES.sub(" ", text).strip()
    return _PERSIAN_PREFIX.sub(r"\1", text) if "می" in text else text
