"""Buyer text folded for phrase rules: the spellings people use for one word become one, punctuation becomes spaces."""
import re
import unicodedata
from functools import lru_cache

# Traditional characters of the words buyers use about orders, parcels, money and damage, as Simplified: Taiwan and
# Hong Kong buyers write 還沒收到 for 还没收到. The list covers the characters of the default phrases and their
# neighbours in buyer messages; a character not in it stays as it is.
_TRADITIONAL = ("還还沒没貨货錢钱壞坏損损訂订單单遞递發发裡里為为麼么個个這这說说買买賣卖問问題题質质與与對对錯错換换爛烂"
                "銀银爭争議议訴诉詐诈騙骗來来運运輸输號号給给嗎吗會会時时間间後后幾几經经過过們们寫写應应該该實实際际"
                "圖图樣样歸归處处決决覺觉東东統统聯联繫系係系關关門门開开啟启標标籤签條条碼码產产體体頭头現现見见視视"
                "認认識识讓让請请謝谢無无專专業业務务價价區区別别約约預预幣币帳账賬账戶户據据紀纪錄录記记總总數数機机"
                "電电腦脑網网絡络線线連连結结鏈链雙双裝装傷伤舊旧髒脏異异顏颜補补償偿賠赔銷销櫃柜驛驿點点簽签丟丢遺遗"
                "誤误遲迟詢询蹤踪態态狀状況况寶宝辦办煩烦幫帮確确郵邮僅仅隻只雖虽張张摺折輛辆盜盗")
_FOLD = {ord("ё"): "е", ord("ł"): "l",
         # Persian typed on an Arabic keyboard, and the joiners and stretching stroke of Arabic script
         ord("ي"): "ی", ord("ى"): "ی", ord("ك"): "ک", ord("ۀ"): "ه", ord("ة"): "ه", ord("ـ"): None,
         0x200C: " ", 0x200D: None,
         # apostrophes vanish, so that "didn't" and "didnt" are one word
         ord("'"): None, ord("’"): None, ord("ʼ"): None, ord("‘"): None, ord("`"): None}
_FOLD.update({ord(_TRADITIONAL[i]): _TRADITIONAL[i + 1] for i in range(0, len(_TRADITIONAL), 2)})
_LATIN_ACCENTS = re.compile(r"(?<=[a-z])[\u0300-\u036f]+")
_HARAKAT = re.compile(r"[\u064b-\u065f\u0670]+")
_SPACES = re.compile(r"\s+")
# The Persian verb prefix is written joined, with a zero-width non-joiner, or with a space: all become joined.
_PERSIAN_PREFIX = re.compile(r"(?<!\S)(ن?می) (?=\S)")


@lru_cache(maxsize=4096)
def _is_separator(char):
    """Punctuation, symbols, spaces and control characters separate words; letters, marks and digits do not."""
    return unicodedata.category(char)[0] in "PSZC"


def fold(text, keep=""):
    """The text in one spelling: case-folded, Latin accents and Arabic short vowels dropped, ё as е, Arabic-keyboard
    Persian as Persian, Traditional Chinese as Simplified, every run of other characters a single space (except the
    characters in `keep`: a phrase rule keeps its wildcard)."""
    text = unicodedata.normalize("NFKC", text or "").casefold().translate(_FOLD)
    text = unicodedata.normalize("NFD", text)
    text = _HARAKAT.sub("", _LATIN_ACCENTS.sub("", text))
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if _is_separator(char) and char not in keep else char for char in text)
    text = _SPACES.sub(" ", text).strip()
    return _PERSIAN_PREFIX.sub(r"\1", text) if "می" in text else text
