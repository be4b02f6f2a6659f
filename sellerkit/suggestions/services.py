"""Suggestion actions: rank a shop's saved replies for a buyer message, and learn from each reply the seller sends.

Nothing leaves the machine: the history is the shop's own table, and the index is built in this process from it.
"""
import threading
from collections import OrderedDict
from dataclasses import dataclass
from itertools import chain

from flask import current_app
from sqlalchemy import func, select, update

from sellerkit.database import database_id
from sellerkit.dialects.upsert import dialect_insert
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


@dataclass(frozen=True)
class ReplyText:
    """A saved reply's text as the index and the composer read it (the fields of the picker's rows)."""

    id: int
    title: str
    shortcut: str | None
    owner_id: int | None
    bodies: dict


@dataclass(frozen=True)
class ShopIndex:
    """A shop's ranking index, with its saved replies' texts (to fill the suggested ones in without a query)."""

    index: domain.Index
    replies: dict
    feedback: dict

    def usable_by(self, user_id):
        """The shop's shared replies and this member's personal ones: the only ones suggested to them."""
        return {reply.id for reply in self.replies.values() if reply.owner_id in (None, user_id)}


def _stamps(shop_id):
    """(history stamp, feedback stamp): what the shop's index and its feedback are built from, summed up. Any
    answer learned, reply changed or suggestion counted (in any process) changes one of them, so a cached copy is
    rebuilt exactly when it is stale. Answer ids are never used twice (an AUTOINCREMENT table on SQLite, a
    sequence on PostgreSQL) and history is only added, or deleted with its reply, so the count and the newest id
    tell every change; a reply's change renews its updated_at; the showings counted only grow."""
    answers = AnsweredMessage.shop_id == shop_id
    saved = SavedReply.shop_id == shop_id
    row = db.session.execute(select(*(select(column).where(where).scalar_subquery() for column, where in (
        (func.count(AnsweredMessage.id), answers), (func.max(AnsweredMessage.id), answers),
        (func.count(SavedReply.id), saved), (func.max(SavedReply.id), saved),
        (func.max(SavedReply.updated_at), saved),
        (func.sum(SuggestionFeedback.shown_count + SuggestionFeedback.taken_count),
         SuggestionFeedback.shop_id == shop_id))))).one()
    return tuple(row[:5]), row[5] or 0


def build_index(history, replies):
    """The index of (saved reply id, buyer text) history pairs and the replies' own texts (ReplyText by id).
    A history pair of a reply that is gone (deleted meanwhile) counts for nothing."""
    # Documents one at a time, as the index takes them in: a shop's whole history of them at once would be a
    # passing peak in the memory of every process that builds it.
    documents = chain(
        (domain.Document(reply_id, tuple(terms(text))) for reply_id, text in history if reply_id in replies),
        (domain.Document(reply.id, tuple(terms(" ".join([reply.title, *reply.bodies.values()]))))
         for reply in replies.values()))
    return domain.Index(documents)


def _load(shop_id):
    replies = {}
    for reply_id, title, shortcut, owner_id, language, body in db.session.execute(
            select(SavedReply.id, SavedReply.title, SavedReply.shortcut, SavedReply.owner_id,
                   SavedReplyVariant.language, SavedReplyVariant.body)
            .join(SavedReplyVariant, SavedReplyVariant.reply_id == SavedReply.id)
            .where(SavedReply.shop_id == shop_id).order_by(SavedReply.id, SavedReplyVariant.language)):
        if reply_id not in replies:
            replies[reply_id] = ReplyText(reply_id, title, shortcut, owner_id, {})
        replies[reply_id].bodies[language] = body
    # The history is read as the index takes it in, not kept as a list first (see build_index).
    history = db.session.execute(
        select(AnsweredMessage.saved_reply_id, AnsweredMessage.buyer_text)
        .where(AnsweredMessage.shop_id == shop_id).order_by(AnsweredMessage.id.desc()).limit(MAX_HISTORY))
    return build_index(history, replies), replies


def _feedback(shop_id):
    return {reply_id: (shown, taken) for reply_id, shown, taken in db.session.execute(
        select(SuggestionFeedback.saved_reply_id, SuggestionFeedback.shown_count, SuggestionFeedback.taken_count)
        .where(SuggestionFeedback.shop_id == shop_id))}


def _new_history(shop_id, cached_stamp, stamp):
    """The answers added since `cached_stamp` when nothing else changed (same replies, no answer deleted), as
    (reply id, text) pairs; None when the index must be built anew."""
    (old_count, old_newest, *old_replies), (count, _newest, *replies) = cached_stamp, stamp
    if old_replies != replies or not old_count or count > MAX_HISTORY or count - old_count > MAX_HISTORY // 10:
        return None
    added = db.session.execute(
        select(AnsweredMessage.saved_reply_id, AnsweredMessage.buyer_text)
        .where(AnsweredMessage.shop_id == shop_id, AnsweredMessage.id > old_newest)).all()
    return added if len(added) == count - old_count else None


def shop_index(shop_id):
    """The shop's index, from this process's cache while the shop's history, replies and feedback are unchanged:
    one query when nothing changed. After a reply only the feedback is read again; after a new answer only the
    new answers (their replies' features are updated, nothing else is read or split into terms again); after a
    changed saved reply, everything."""
    history_stamp, feedback_stamp = _stamps(shop_id)  # read first: a change meanwhile leaves a stale stamp only
    with _store_lock:
        cache = current_app.extensions.setdefault(_STORE, OrderedDict())
        cached = cache.get(shop_id)

    def feedback():
        return _feedback(shop_id) if feedback_stamp else {}

    added = None
    if cached and cached[0][0] != history_stamp and history_stamp[2]:
        added = _new_history(shop_id, cached[0][0], history_stamp)
    if cached and cached[0] == (history_stamp, feedback_stamp):
        found = cached[1]
    elif not history_stamp[2]:  # a shop without saved replies has nothing to suggest: no more queries
        found = ShopIndex(domain.Index([]), {}, {})
    elif cached and cached[0][0] == history_stamp:
        found = ShopIndex(cached[1].index, cached[1].replies, feedback())
    elif added is not None:
        replies = cached[1].replies
        found = ShopIndex(cached[1].index.adding(domain.Document(reply_id, tuple(terms(text)))
                                                 for reply_id, text in added if reply_id in replies),
                          replies, feedback())
    else:
        found = ShopIndex(*_load(shop_id), feedback())
    with _store_lock:
        cache[shop_id] = ((history_stamp, feedback_stamp), found)
        cache.move_to_end(shop_id)
        while len(cache) > _CACHED_SHOPS:
            cache.popitem(last=False)
    return found


def rank_text(index, text, allowed, feedback=None, limit=domain.MAX_SUGGESTIONS):
    """Up to `limit` saved replies (among the ids in `allowed`) for a buyer's text, best first."""
    query = terms(text)
    if not query or not allowed:
        return []
    ranked = domain.rank(index, query, allowed, feedback, limit=limit)
    words = [(word, terms(word)) for word in text.split()]
    return [Suggested(found.reply_id, found.score, tuple(domain.matched_words(words, found.matched)))
            for found in ranked]


def suggest(shop_id, user_id, text):
    """(the shop's index, the suggestions for a buyer's text among the replies this member may use)."""
    found = shop_index(shop_id)
    return found, rank_text(found.index, text, found.usable_by(user_id), found.feedback)


def latest_buyer_message(thread):
    """The conversation's newest message from the buyer, or None."""
    return db.session.scalar(
        select(Message).where(Message.thread_id == thread.id, Message.shop_id == thread.shop_id,
                              Message.kind == "buyer")
        .order_by(Message.posted_at.desc(), Message.id.desc()).limit(1))


def suggest_for_thread(thread, user, messages=None):
    """(the latest buyer message, its suggestions as (Suggested, ReplyText) pairs) for a conversation; (None, [])
    when the buyer wrote nothing. `messages`, the thread's messages in order, spares the query when read already."""
    if messages is None:
        message = latest_buyer_message(thread)
    else:
        message = next((m for m in reversed(messages) if m.kind == "buyer"), None)
    if message is None:
        return None, []
    found, suggested = suggest(thread.shop_id, user.id, message.body)
    return message, [(item, found.replies[item.reply_id]) for item in suggested]


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


def learn_from_reply(shop, thread, actor, saved_reply_ids, now, suggested_reply_ids=()):
    """Before a seller's reply is stored: the buyer's latest message is remembered as answered by each saved reply
    the reply was built from (those the seller may use). When the buyer was waiting for this answer, each reply
    suggested to the seller while writing it (`suggested_reply_ids`, as the composer showed them) counts one
    more showing, and one more use when it was used: a suggestion the seller keeps passing over sinks."""
    used, shown = ({reply_id for reply_id in map(database_id, ids) if reply_id is not None}
                   for ids in (saved_reply_ids, suggested_reply_ids))
    if not used and not shown:
        return
    message = latest_buyer_message(thread)
    if message is None:
        return
    allowed = shop_index(shop.id).usable_by(actor.id)
    used, shown = used & allowed, shown & allowed
    if thread.waiting_since is not None:
        _count_feedback(shop.id, sorted(shown), sorted(shown & used))
    for reply_id in sorted(used):
        remember_answer(shop.id, reply_id, message.body, message.language, now, message_id=message.id)
