"""How well suggested replies answer a labelled corpus: per language, the first half of its rows is the seller's
history, the second half is asked; the right reply first (top 1) or among the three shown (top 3), and the time."""
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select

from benchmarks.measure import percentile
from sellerkit.extensions import db
from sellerkit.replies.models import SavedReply
from sellerkit.suggestions.models import AnsweredMessage
from sellerkit.suggestions.services import ReplyText, build_index, rank_text
from sellerkit.threads.models import Message

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpora"
LANGUAGES = ("en", "ru", "pl", "zh", "bn", "fa")
TOP1_TARGET = 0.60
TOP3_TARGET = 0.80
#: Answered buyer messages per shop in the benchmark's data set: a busy seller's year of saved-reply answers.
HISTORY_PER_SHOP = 2000


@dataclass
class LanguageFigures:
    language: str
    history: int = 0
    asked: int = 0
    first: int = 0
    in_three: int = 0
    seconds: list = field(default_factory=list)
    #: (text, right key, suggested keys) of the messages whose right reply was not among the three.
    misses: list = field(default_factory=list)

    @property
    def top1(self):
        return self.first / self.asked if self.asked else 0.0

    @property
    def top3(self):
        return self.in_three / self.asked if self.asked else 0.0

    @property
    def meets_targets(self):
        return self.top1 >= TOP1_TARGET and self.top3 >= TOP3_TARGET


def load_corpus(root=CORPUS):
    """(saved replies as ReplyText by id, {key: id}, rows as (language, key, text) in file order)."""
    entries = json.loads((Path(root) / "saved_replies.json").read_text(encoding="utf-8"))
    replies = {number: ReplyText(number, entry["title"], entry.get("shortcut"), None, dict(entry["bodies"]))
               for number, entry in enumerate(entries, start=1)}
    ids = {entry["key"]: number for number, entry in enumerate(entries, start=1)}
    rows = []
    for line in (Path(root) / "suggestions.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        language, key, text = line.split("\t", 2)
        rows.append((language, key, text))
    return replies, ids, rows


def split(rows):
    """{language: (history rows, asked rows)}: the first half of each language's rows, then the rest."""
    halves = {}
    for language in dict.fromkeys(row[0] for row in rows):
        own = [row for row in rows if row[0] == language]
        halves[language] = (own[:len(own) // 2], own[len(own) // 2:])
    return halves


def evaluate(root=CORPUS):
    """Figures per language. One shop's history holds every language's first half, as a seller's would."""
    replies, ids, rows = load_corpus(root)
    halves = split(rows)
    history = [(ids[key], text) for first, _rest in halves.values() for _language, key, text in first]
    index = build_index(history, replies)
    keys = {number: key for key, number in ids.items()}
    figures = {}
    for language, (first, asked) in halves.items():
        found = figures[language] = LanguageFigures(language, history=len(first))
        for _language, key, text in asked:
            started = time.perf_counter()
            suggested = [item.reply_id for item in rank_text(index, text, set(replies))]
            found.seconds.append(time.perf_counter() - started)
            found.asked += 1
            found.first += bool(suggested) and suggested[0] == ids[key]
            if ids[key] in suggested:
                found.in_three += 1
            else:
                found.misses.append((text, key, [keys[number] for number in suggested]))
    return figures


def table(figures):
    """The figures as text lines: language, history, asked, top 1, top 3, p95 ms per suggestion."""
    lines = [f"{'language':<9}{'history':>8}{'asked':>7}{'top 1':>8}{'top 3':>8}{'p95 ms':>8}"]
    for found in figures.values():
        lines.append(f"{found.language:<9}{found.history:>8}{found.asked:>7}{found.top1:>8.1%}{found.top3:>8.1%}"
                     f"{percentile(found.seconds, 0.95) * 1000:>8.2f}")
    return lines


def figures_json(figures):
    """The figures as the benchmark's JSON stores them."""
    return {found.language: {"history": found.history, "asked": found.asked, "top1": round(found.top1, 3),
                             "top3": round(found.top3, 3), "meets_targets": found.meets_targets,
                             "p95_ms_in_process": round(percentile(found.seconds, 0.95) * 1000, 2)}
            for found in figures.values()}


def seed_history(shop_ids, rng, now, per_shop=HISTORY_PER_SHOP):
    """Give each shop a seller's past: `per_shop` of its buyer messages, each answered with one of its saved
    replies, so that timing a suggestion ranks against a full history (written in bulk, past the reply path)."""
    for shop_id in shop_ids:
        reply_ids = list(db.session.scalars(select(SavedReply.id).where(SavedReply.shop_id == shop_id)))
        messages = db.session.execute(
            select(Message.id, Message.body, Message.language)
            .where(Message.shop_id == shop_id, Message.kind == "buyer").order_by(Message.id).limit(per_shop)).all()
        if reply_ids and messages:
            db.session.execute(insert(AnsweredMessage.__table__), [
                {"shop_id": shop_id, "saved_reply_id": rng.choice(reply_ids), "message_id": message_id,
                 "language": language, "buyer_text": body[:2000], "created_at": now}
                for message_id, body, language in messages])
