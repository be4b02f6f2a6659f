"""Suggestion actions: rank a shop's saved replies for a buyer message, and learn from each reply the seller sends.

Nothing leaves the machine: the history is the shop's own table, and the index is built in this process from it.
"""
import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, or_, select, update

from sellerkit.database import database_id, dialect_insert
from sellerkit.extensions import db
from sellerkit.replies.models import SavedReply, SavedReplyVariant
from sellerkit.suggestions import domain
from sellerkit.suggestions.models import AnsweredMessage, SuggestionFeedback
from sellerkit.threads.models import Message
from sellerkit.threads.textsearch import terms

#: The buyer text kept per answered message: enough for any question, bounded for a pasted e-mail.
MAX_TEXT = 2000
#: A shop's newest answered messages that make up its history; older ones teach nothing new.
MAX_HISTORY = 20_000
_CACHED_SHOPS = 64
_STORE = "sellerkit.suggestion_indexes"
_store_lock = threading.Lock()


@dataclass(frozen=True)
class Suggested:
    reply_id: int
    score: float
    #: The buyer's words that matched, as written, strongest first.
    matched: tuple


def _stamp(shop_id):
    """What the shop's index is built from, summed up: any answer learned or reply changed (in any process)
    changes it, so a cached index is rebuilt exactly when it is stale. Answer ids are never used twice (an
    AUTOINCREMENT table on SQLite, a sequence on PostgreSQL) and history is only added or deleted with its
    reply, so their count and newest id tell every change; a reply's change renews its updated_at."""
    answers = AnsweredMessage.shop_id == shop_id
    saved = SavedReply.shop_id == shop_id
    row = db.session.execute(select(*(select(column).where(where).scalar_subquery() for column, where in (
        (func.count(AnsweredMessage.id), answers), (func.max(AnsweredMessage.id), answers),
        (func.count(SavedReply.id), saved), (func.max(SavedReply.id), saved),
        (func.max(SavedReply.updated_at), saved))))).one()
    return tuple(str(value) for value in row)


def _build_index(shop_id):
    history = db.session.execute(
        select(AnsweredMessage.saved_reply_id, AnsweredMessage.buyer_text)
        .where(AnsweredMessage.shop_id == shop_id).order_by(AnsweredMessage.id.desc()).limit(MAX_HISTORY))
    documents = [domain.Document(reply_id, tuple(terms(text))) for reply_id, text in history]
    own_text = {}
    for reply_id, title, body in db.session.execute(
            select(SavedReply.id, SavedReply.title, SavedReplyVariant.body)
            .join(SavedReplyVariant, SavedReplyVariant.reply_id == SavedReply.id)
            .where(SavedReply.shop_id == shop_id)):
        own_text.setdefault(reply_id, [title]).append(body)
    documents.extend(domain.Document(reply_id, tuple(terms(" ".join(texts))), is_history=False)
                     for reply_id, texts in own_text.items())
    return domain.Index(documents)


def shop_index(shop_id):
    """The shop's suggestion index, from this process's cache while the shop's history and replies are unchanged."""
    stamp = _stamp(shop_id)
    with _store_lock:
        cache = current_app.extensions.setdefault(_STORE, OrderedDict())
        cached = cache.get(shop_id)
        if cached and cached[0] == stamp:
            cache.move_to_end(shop_id)
            return cached[1]
    index = _build_index(shop_id)
    with _store_lock:
        cache[shop_id] = (stamp, index)
        cache.move_to_end(shop_id)
        while len(cache) > _CACHED_SHOPS:
            cache.popitem(last=False)
    return index


def usable_reply_ids(shop_id, user_id):
    """The shop's shared saved replies and this member's personal ones: the only ones suggested to them."""
    return set(db.session.scalars(select(SavedReply.id).where(
        SavedReply.shop_id == shop_id, or_(SavedReply.owner_id.is_(None), SavedReply.owner_id == user_id))))


def _feedback(shop_id):
    return {reply_id: (shown, taken) for reply_id, shown, taken in db.session.execute(
        select(SuggestionFeedback.saved_reply_id, SuggestionFeedback.shown_count, SuggestionFeedback.taken_count)
        .where(SuggestionFeedback.shop_id == shop_id))}


def suggest(shop_id, text, allowed, limit=domain.MAX_SUGGESTIONS):
    """Up to `limit` saved replies (among the ids in `allowed`) for a buyer's text, best first."""
    query = terms(text)
    if not query or not allowed:
        return []
    ranked = domain.rank(shop_index(shop_id), query, allowed, _feedback(shop_id), limit=limit)
    words = [(word, terms(word)) for word in text.split()]
    return [Suggested(found.reply_id, found.score, tuple(domain.matched_words(words, found.matched)))
            for found in ranked]


def latest_buyer_message(thread):
    """The conversation's newest message from the buyer, or None."""
    return db.session.scalar(
        select(Message).where(Message.thread_id == thread.id, Message.shop_id == thread.shop_id,
                              Message.kind == "buyer")
        .order_by(Message.posted_at.desc(), Message.id.desc()).limit(1))


def suggest_for_thread(thread, user):
    """(the latest buyer message, its suggestions) for a conversation; (None, []) when the buyer wrote nothing."""
    message = latest_buyer_message(thread)
    if message is None:
        return None, []
    return message, suggest(thread.shop_id, message.body, usable_reply_ids(thread.shop_id, user.id))


def remember_answer(shop_id, reply_id, text, language, now, message_id=None):
    """Keep one (buyer text, saved reply) pair as history; the same message answered twice with the same reply
    is kept once."""
    statement = dialect_insert(db.session, AnsweredMessage.__table__).values(
        shop_id=shop_id, saved_reply_id=reply_id, message_id=message_id, language=language,
        buyer_text=(text or "")[:MAX_TEXT], created_at=now)
    db.session.execute(statement.on_conflict_do_nothing(index_elements=["saved_reply_id", "message_id"]))


def _count_feedback(shop_id, shown, taken):
    if not shown:
        return
    db.session.execute(dialect_insert(db.session, SuggestionFeedback.__table__).values(
        [{"saved_reply_id": reply_id, "shop_id": shop_id, "shown_count": 0, "taken_count": 0} for reply_id in shown])
        .on_conflict_do_nothing(index_elements=["saved_reply_id"]))
    db.session.execute(update(SuggestionFeedback).where(SuggestionFeedback.saved_reply_id.in_(shown)).values(
        shown_count=SuggestionFeedback.shown_count + 1))
    if taken:
        db.session.execute(update(SuggestionFeedback).where(SuggestionFeedback.saved_reply_id.in_(taken)).values(
            taken_count=SuggestionFeedback.taken_count + 1))


def learn_from_reply(shop, thread, actor, saved_reply_ids, now):
    """Before a seller's reply is stored: the buyer's latest message is remembered as answered by each saved reply
    the reply was built from (those the seller may use), and when the buyer was waiting for this answer, the
    replies suggested for that message count one more showing, and the ones used one more use. A suggestion
    the seller keeps passing over so sinks."""
    message = latest_buyer_message(thread)
    if message is None:
        return
    allowed = usable_reply_ids(shop.id, actor.id)
    used = {reply_id for reply_id in map(database_id, saved_reply_ids) if reply_id in allowed}
    if thread.waiting_since is not None:
        shown = {found.reply_id for found in suggest(shop.id, message.body, allowed)}
        _count_feedback(shop.id, sorted(shown), sorted(shown & used))
    for reply_id in sorted(used):
        remember_answer(shop.id, reply_id, message.body, message.language, now, message_id=message.id)
