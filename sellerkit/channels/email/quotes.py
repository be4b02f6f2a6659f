"""Quoted history in a mail's text: where the buyer's new words end and the earlier mails they quote begin."""
import re

#: A line that introduces a quote ("On Mon, 1 Dec 2026, Shop <a@b> wrote:", in the languages sellerkit speaks
#: and the ones mail clients commonly write), or a separator that mail clients put above a forwarded original.
ATTRIBUTION = re.compile(
    r"(wrote|writes|escribió|a écrit|schrieb|scrisse|napisał\(a\)|napisał|napisała|пишет|написал\(а\)|написал|"
    r"написала|写道|寫道|نوشت|লিখেছেন)\s*:?\s*$", re.IGNORECASE)
SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(original message|исходное сообщение|wiadomość oryginalna|原始邮件|پیام اصلی|"
    r"forwarded message|пересылаемое сообщение)\s*-{2,}|_{10,})\s*$", re.IGNORECASE)
#: Outlook's header block of the quoted mail: "From: ..." followed within a few lines by "Sent:" or "Date:".
OUTLOOK_FROM = re.compile(r"^\s*\*?(from|от|od|发件人|از)\s*:\*?\s", re.IGNORECASE)
OUTLOOK_SENT = re.compile(r"^\s*\*?(sent|date|отправлено|дата|wysłano|data|发送时间|تاریخ)\s*:", re.IGNORECASE)


def _is_quote(line):
    return line.lstrip().startswith(">")


def _attribution_start(lines, index):
    """An attribution may be folded over two lines by the sender's client: where it starts."""
    previous = lines[index - 1].rstrip() if index else ""
    if previous and not _is_quote(previous) and len(previous) + len(lines[index]) < 200 \
            and not previous.endswith((".", "!", "?")):
        return index - 1
    return index


def split_quoted(text):
    """(new words, quoted history): the history starts at the first attribution line, separator or Outlook header
    block, or is the run of ">" lines at the end. When nothing would be left of the new words, all is new."""
    lines = (text or "").split("\n")
    cut = len(lines)
    for index, line in enumerate(lines):
        following = lines[index + 1:index + 4]
        if SEPARATOR.match(line):
            cut = index
        elif ATTRIBUTION.search(line) and len(line) < 200:
            cut = _attribution_start(lines, index)
        elif OUTLOOK_FROM.match(line) and any(OUTLOOK_SENT.match(other) for other in following):
            cut = index
        else:
            continue
        break
    else:
        while cut and (_is_quote(lines[cut - 1]) or not lines[cut - 1].strip()):
            cut -= 1
    new, quoted = "\n".join(lines[:cut]).rstrip(), "\n".join(lines[cut:]).strip()
    if not new.strip():
        return (text or "").strip(), ""
    return new, quoted
