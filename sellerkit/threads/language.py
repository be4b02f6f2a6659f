"""Offline language detection for buyer messages: letters per script, letter and word clues, a model for the rest."""
import re
import unicodedata
from collections import Counter
from functools import lru_cache

#: Every code detect_language can return: buyer languages we can tell apart from a few words.
LANGUAGES = ("en", "ru", "pl", "zh", "bn", "fa", "uk", "de", "fr", "es", "it", "tr", "ar")
#: Only the start of a message is read: a few hundred letters settle the language, and the cap keeps pasted logs cheap.
MAX_CHARS = 2000
#: Fewer letters than this (in the whole message, or in the winning script) is not evidence.
MIN_LETTERS = 2
#: Latin text the clues cannot decide goes to a statistical model (py3langid), which answers among the shops'
#: languages only, and only with at least this many letters and this confidence (its probability, from 0 to 1).
MODEL_LANGUAGES = ("en", "ru", "pl", "zh", "bn", "fa")
MODEL_MIN_LETTERS = 3
MODEL_MIN_CONFIDENCE = 0.7

# Links, e-mail addresses and bare shop domains are ASCII that says nothing about the writer's language. Each
# pattern starts with a literal or behind a look-behind (only at the start of a run), so matching stays linear.
_NOISE = re.compile(
    r"(?:https?|ftp)://[!-~]*"
    r"|(?<![\w.-])www\.[!-~]*"
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w.-])(?:[\w-]+\.)+(?:com|net|org|info|io|co|shop|store|ru|pl|cn|ir|bd|ua|kz|by|eu)\b(?:/[!-~]*)?",
    re.ASCII | re.IGNORECASE)
# Every match of _NOISE holds "://", "www.", "@" or a dot before a visible ASCII character (a domain's next part).
_MAY_BE_NOISE = re.compile(r"\.[!-~]", re.ASCII)
_WORD = re.compile(r"[^\W\d_]+")  # runs of letters: digits, underscores and punctuation split words
_WORD_OR_CODE = re.compile(r"[^\W_]+")  # runs of letters and digits
_TATWEEL = "\u0640"  # Arabic-script stretching stroke: decoration inside words, not a letter

# Code-point blocks of the scripts we tell apart; any other letter (Greek, Hangul, Devanagari...) is "other".
_SCRIPTS = (
    (0x0000, 0x02AF, "latin"), (0x1E00, 0x1EFF, "latin"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0600, 0x06FF, "arabic"), (0x0750, 0x077F, "arabic"), (0x08A0, 0x08FF, "arabic"),
    (0xFB50, 0xFDFF, "arabic"), (0xFE70, 0xFEFF, "arabic"),
    (0x0980, 0x09FF, "bengali"),
    (0x3040, 0x30FF, "kana"), (0x31F0, 0x31FF, "kana"),
    (0x3400, 0x4DBF, "han"), (0x4E00, 0x9FFF, "han"), (0xF900, 0xFAFF, "han"), (0x20000, 0x3134F, "han"),
)

# Cyrillic: і ї є ґ exist only in Ukrainian, ы э ъ ё only in Russian; a few frequent words cover messages without them.
_UK_LETTERS, _RU_LETTERS = set("іїєґ"), set("ыэъё")
_UK_WORDS = set("де що це мій моє мені вже ще коли дякую будь ласка вітаю добрий доброго замовлення посилка ви"
                .split())
_RU_WORDS = set("где что это мой моё мое мне уже ещё еще когда спасибо пожалуйста здравствуйте заказ посылка вы"
                .split())

# Arabic script. Persian keyboards type پ چ ژ گ plus their own ی (U+06CC) and ک (U+06A9) and join word parts with
# ZWNJ; Arabic keyboards type ي (U+064A), ك (U+0643), ى and ة. Urdu's own letters mean a language we do not detect.
# Arabic-script text without evidence either way is Persian: it is the shops' language, and "لغو" (a whole STOP
# reply) or "بله" hold no letter or word only one of the two languages uses.
_FA_LETTERS = set("پچژگ\u06cc\u06a9")
# Only letters Persian keyboards lack are Arabic evidence: ي ك ى are what Persian typed on an Arabic keyboard looks
# like, so they point nowhere; ة and the hamza seats أ إ ؤ are Arabic spelling.
_AR_LETTERS = set("\u0629\u0623\u0625\u0624")
_UR_LETTERS = set("ٹڈڑںےہھ")
_ZWNJ = "\u200c"
# Persian words are matched after mapping Arabic-keyboard letters to Persian ones (many Iranians type on those).
_TO_PERSIAN = str.maketrans({"\u064a": "\u06cc", "\u0643": "\u06a9", "\u0649": "\u06cc"})
_FA_WORDS = set("است این آن که را می های برای شما سفارش کجا کجاست چرا چه هست نه خیلی ممنون مرسی به از با تا بود "
                "شد کنم کنید هم یک چی هنوز نشده نرسیده بسته کالا لطفا کی ممنونم دارید میشه لغو توقف".split())
_AR_WORDS = set("في على إلى الى عن هذا هذه التي الذي أن لم لن هل متى أين شكرا طلبي الطلب تم لقد قد ماذا كيف عندي "
                "وصل بعد".split())

# Latin letters that point to one language, or are shared by a few (the point is then split between them).
_LETTER_HINTS = {
    "ąćęłńśźż": ("pl",), "äß": ("de",), "ğış": ("tr",), "ñáíú": ("es",), "âêîôûëïœ": ("fr",), "ìò": ("it",),
    "ó": ("pl", "es"), "öü": ("de", "tr"), "ç": ("fr", "tr"), "é": ("fr", "es", "it"), "èàù": ("fr", "it"),
}
_LETTER_WEIGHTS = {ch: [(lang, 1 / len(langs)) for lang in langs]
                   for letters, langs in _LETTER_HINTS.items() for ch in letters}

# Very common words, plus the few nouns every buyer uses (order, parcel...). Words typed without their diacritics
# are listed too: many buyers skip them. A word in several lists helps all of them, so only the other words decide.
_STOP_WORDS = {
    "en": "a the and or is are was i me my you your it this that to of in on for with not no have has do don t "
          "where when what why how any can please order item received still thanks thank hi hello will stop "
          "unsubscribe",
    "pl": "a i w z na nie tak jest to że ze się sie do co jak czy gdzie kiedy mój moj moja moje mi ale już juz "
          "jeszcze bardzo dziękuję dziekuje proszę prosze witam dzień dzien dobry paczka paczki paczkę paczke "
          "zamówienie zamowienie przesyłka przesylka jestem wypisz polecam",
    "de": "der die das den dem und ist sind nicht ich mir mein meine meinen sie es ein eine wo wann noch bitte danke "
          "mit für fur auf zu von habe hat bestellung paket leider schon aber kein keine warum hallo guten tag in",
    "fr": "a à le la les de des du un une et en est je j ai mon ma mes vous votre pas ne n pour dans avec que qu "
          "qui où quand merci bonjour commande colis reçu recu toujours mais sur il elle on c ça",
    "es": "a y el la los las de del que en un una es mi mis no por para con se lo su me pedido paquete dónde donde "
          "cuándo cuando gracias hola todavía todavia aún llegado llegó recibido está esta muy pero ya qué cómo hay",
    "it": "a e è i il lo la gli le di del della da che non un una mio mia per con ma ho ha ancora dove quando "
          "grazie ciao buongiorno ordine pacco arrivato ricevuto sono perché questo come anche molto si mi ci in",
    "tr": "ve bir bu da de ne için icin ile mi mı mu değil degil var yok ben sipariş siparis siparişim siparisim "
          "kargo kargom nerede zaman teşekkür tesekkur teşekkürler merhaba lütfen lutfen hala hâlâ gelmedi ürün "
          "urun ama çok cok daha neden iade",
}
_LATIN_ORDER = tuple(_STOP_WORDS)  # ties go to the earlier language: English first, as the most common fallback
_WORD_LANGUAGES = {}
for _lang, _words in _STOP_WORDS.items():
    for _word in _words.split():
        _WORD_LANGUAGES.setdefault(_word, []).append(_lang)


@lru_cache(maxsize=8192)
def _character(ch):
    """(its script if it is a letter, else None; whether words are read without it). Combining marks (Arabic vowel
    signs) and the tatweel (a letter, counted as one) would split or pad words, so they are dropped before. Bengali
    vowel signs are marks but spell as much as letters do: "না" (no) is a whole reply."""
    category = unicodedata.category(ch)
    is_letter = ch.isalpha() or (category[0] == "M" and _script(ch) == "bengali")
    return (_script(ch) if is_letter else None), (ch == _TATWEEL or category == "Mn")


@lru_cache(maxsize=8192)
def _script(ch):
    code = ord(ch)
    for start, end, script in _SCRIPTS:
        if start <= code <= end:
            return script
    return "other"


@lru_cache(maxsize=65536)
def _latin_clues(word):
    """What a Latin word says, as (language, points) pairs; () for a word that gives no clue or is not Latin.
    Kept per word: buyers use a few thousand words over and over, and an import reads them by the million."""
    if _script(word[0]) != "latin":
        return ()
    clues = {}
    for ch in word:  # a word's letters give each language at most one point, however many accents it has
        for lang, weight in _LETTER_WEIGHTS.get(ch, ()):
            clues[lang] = max(clues.get(lang, 0.0), weight)
    for lang in _WORD_LANGUAGES.get(word, ()):
        clues[lang] = clues.get(lang, 0.0) + 1.0  # a known word is worth a point on top
    return tuple(clues.items())


def _latin(words, text):
    """(language, letters in recognised words): only words that gave a clue count, so brand names and SKUs do not."""
    scores = dict.fromkeys(_LATIN_ORDER, 0.0)
    recognised = 0
    for word in words:
        clues = _latin_clues(word)
        if clues:
            recognised += len(word)
            for lang, points in clues:
                scores[lang] += points
    scores["es"] += text.count("¿") + text.count("¡")  # inverted marks are written only in Spanish
    best = max(_LATIN_ORDER, key=scores.get)
    return (best if scores[best] > 0 else None), recognised


def _cyrillic(words):
    uk = sum((word in _UK_WORDS) + any(ch in _UK_LETTERS for ch in word) for word in words)
    ru = sum((word in _RU_WORDS) + any(ch in _RU_LETTERS for ch in word) for word in words)
    return "uk" if uk > ru else "ru"


def _arabic(words, text):
    fa = float(text.count(_ZWNJ))
    ar = ur = 0.0
    for word in words:
        fa += any(ch in _FA_LETTERS for ch in word) + (word.translate(_TO_PERSIAN) in _FA_WORDS)
        ar += any(ch in _AR_LETTERS for ch in word) + (word in _AR_WORDS)
        ar += 0.5 if word.startswith("ال") and len(word) > 3 else 0  # the article; Persian borrows only a few such
        ur += any(ch in _UR_LETTERS for ch in word)
    if ur > max(fa, ar):
        return None
    return "fa" if fa >= ar else "ar"


def detect_language(text: str) -> str | None:
    """The language code of a buyer's message, or None when it gives too little evidence."""
    if not isinstance(text, str) or not text:
        return None
    # NFKC folds full-width Latin, Arabic presentation forms and decomposed accents into the letters we look for;
    # the numero sign goes first, or NFKC would turn "№55" into the English word "No".
    text = text[:MAX_CHARS].replace("№", "#")
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if "@" in text or "://" in text or _MAY_BE_NOISE.search(text) or "www." in text.lower():
        text = _NOISE.sub(" ", text)  # tried only where some noise may be: at every position, it is slow
    written = text
    text = text.replace("İ", "i").lower()  # Python lower-cases İ to i + a combining dot
    # Look at each distinct character once: a message repeats far fewer characters than it holds.
    distinct = Counter(text)
    letters, dropped = {}, {}
    for ch, count in distinct.items():
        script, is_dropped = _character(ch)
        if script:
            letters[script] = letters.get(script, 0) + count
        if is_dropped:
            dropped[ord(ch)] = None
    if sum(letters.values()) < MIN_LETTERS:
        return None
    bare = text.translate(dropped) if dropped else text
    words = _WORD.findall(bare)
    latin, latin_letters = _latin(words, text)

    # The script with most letters wins. A Han character is about a word, so it counts twice; Latin counts only
    # letters of recognised words, so "Где мой AirPods Pro Max?" stays Russian. Ties go to the non-Latin script.
    cjk = letters.get("han", 0) + letters.get("kana", 0)
    counts = {"cyrillic": letters.get("cyrillic", 0), "arabic": letters.get("arabic", 0),
              "bengali": letters.get("bengali", 0), "cjk": cjk, "latin": latin_letters,
              "other": letters.get("other", 0)}
    weights = dict(counts, cjk=2 * cjk)
    winner = max(weights, key=weights.get)
    if counts[winner] < MIN_LETTERS:
        return _undecided_latin(written, letters)
    if winner == "latin":
        return latin
    if winner == "cyrillic":
        return _cyrillic(words)
    if winner == "arabic":
        return _arabic(words, text)
    if winner == "bengali":
        return "bn"
    if winner == "cjk":
        # Japanese is full of kana (particles, verb endings); a stray の in Chinese shop talk is only decoration.
        return None if letters.get("kana", 0) * 10 >= cjk else "zh"
    return None  # Greek, Hangul, Devanagari...: languages we do not detect


@lru_cache(maxsize=1)
def _identifier():
    """py3langid's model, restricted to the shops' languages and its "not a language" class. Loading it takes
    seconds, so it happens once per process, for the first message the word clues cannot decide."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True, min_confidence=MODEL_MIN_CONFIDENCE)
    identifier.set_languages([*MODEL_LANGUAGES, "zxx"])
    return identifier


def _undecided_latin(text, letters):
    """The model's answer for Latin-script text none of whose words the clues know ("wrong size sent"), when it is
    sure; None for too few letters, other scripts, and names and codes ("iPhone 15 Pro Max", "SKU-AB12")."""
    latin = letters.get("latin", 0)
    if latin < MODEL_MIN_LETTERS or latin * 2 < sum(letters.values()):
        return None
    words = [word for word in _WORD_OR_CODE.findall(text) if not _is_name_or_code(word)]
    if sum(map(len, words)) < MODEL_MIN_LETTERS or all(word.istitle() for word in words):
        return None  # what is left is a name: Every Word Capitalised
    language, _confidence = _identifier().classify(" ".join(words))
    return language if language in MODEL_LANGUAGES else None


def _is_name_or_code(word):
    """Words with digits ("13", "AB12"), inner capitals ("iPhone") or short capitals ("SKU", "JBL") name things."""
    return (not word.isalpha() or (word[1:] != word[1:].lower() and not word.isupper())
            or (word.isupper() and len(word) <= 4))
