"""Language detection on short real buyer messages: the hand-written probe set in tests/corpora/language_probes.tsv
(written apart from the code, never edited to fit it), one-word STOP replies, Arabic-keyboard Persian, and Latin
text that only the statistical model can place."""
import subprocess
import sys
from pathlib import Path

import pytest

from sellerkit.threads.language import detect_language
from tests.corpora import read_rows

TARGET = 0.95


def probe_rows():
    """(line number, language, script note, text) for every probe."""
    rows = read_rows("language_probes.tsv", 3)
    for number, _language, note, _text in rows:
        assert note in ("own", "mixed"), f"line {number}: script note {note!r}"
    return rows


def test_the_probe_set_has_a_hundred_messages_in_their_own_script():
    own = [row for row in probe_rows() if row[2] == "own"]
    assert len(own) >= 100
    assert {row[1] for row in own} == {"en", "ru", "pl", "zh", "bn", "fa"}


def test_at_least_95_percent_of_messages_in_their_own_script_are_recognised():
    own = [row for row in probe_rows() if row[2] == "own"]
    wrong = [(number, language, detect_language(text), text) for number, language, _note, text in own
             if detect_language(text) != language]
    report = "\n".join(f"  line {n}: {language} expected, {got} detected: {text}" for n, language, got, text in wrong)
    assert len(wrong) <= (1 - TARGET) * len(own), f"{len(own) - len(wrong)} of {len(own)} right:\n{report}"


@pytest.mark.parametrize("text, language", [("لغو", "fa"), ("СТОП", "ru"), ("বন্ধ", "bn"), ("退订", "zh"),
                                            ("STOP", "en"), ("Wypisz", "pl"), ("না", "bn"), ("بله", "fa")])
def test_one_word_replies_are_recognised_in_their_language(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["كي ميرسه؟", "سفارشم رسيد مرسي", "كد رهگيري رو بفرستيد لطفا", "ليوان شكسته رسيد"])
def test_persian_typed_on_an_arabic_keyboard_is_persian(text):
    assert detect_language(text) == "fa"


@pytest.mark.parametrize("text, language", [("wrong size sent", "en"), ("Great seller, fast shipping", "en"),
                                            ("super, polecam!", "pl"), ("Przesylka uszkodzona", "pl")])
def test_latin_text_without_known_words_is_placed_by_the_model(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["iPhone 15 Pro Max", "Nike Air Max 90", "SKU-AB12-XYZ", "JBL Tune 510BT", "lol"])
def test_names_and_codes_stay_undecided(text):
    assert detect_language(text) is None


def test_the_model_is_loaded_only_for_text_the_clues_cannot_decide():
    """An import reads thousands of messages a second: the model must not be loaded for those the clues decide."""
    script = (
        "import sys\n"
        "from sellerkit.threads.language import detect_language\n"
        "for text in ('Where is my order?', 'Где мой заказ?', '我的包裹在哪里', 'iPhone 15 Pro Max',\n"
        "             'سفارش من کجاست'):\n"
        "    detect_language(text)\n"
        "print('py3langid' in sys.modules)\n"
        "detect_language('wrong size sent')\n"
        "print('py3langid' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).parent.parent)
    assert result.stdout.split() == ["False", "True"]
