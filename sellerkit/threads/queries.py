"""Reading conversations: the inbox views with filters, search and keyset pages; one thread with its parts."""
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from sellerkit.extensions import db
from sellerkit.outbox.models import OutboxItem
from sellerkit.shops.models import Shop
from sellerkit.threads import domain, search
from sellerkit.threads.models import Message, Thread, ThreadEvent, ThreadLabel

#: How many of a view's next conversations a search checks one by one before it collects every match.
SEARCH_PROBE = 500


@dataclass(frozen=True)
class InboxFilters:
    shop_id: int | None = None
    platform: str | None = None
    language: str | None = None
    label: str | None = None
    assignee_id: int | None = None
    query: str = ""


@dataclass
class InboxPage:
    threads: list
    next_cursor: str | None
    counts: dict = field(default_factory=dict)


def _view_condition(view):
    return {
        "needs_reply": and_(Thread.waiting_since.is_not(None), Thread.status != "resolved"),
        "awaiting_buyer": Thread.status == "awaiting_buyer",
        "disputes": and_(Thread.is_dispute.is_(True), Thread.status != "resolved"),
        "resolved": Thread.status == "resolved",
        "all": None,
    }[view]


def _sort_columns(view):
    """Needs reply: oldest waiting first; every other view: latest message first."""
    if view == "needs_reply":
        return Thread.waiting_since, Thread.id, False
    return Thread.last_message_at, Thread.id, True


def _shop_condition(shop_ids, newest_first):
    """The threads of the user's shops. Across several shops, newest first, SQLite (which keeps no statistics)
    would read every thread of every shop through the shop's index and sort them all; `shop_id + 0` hides that
    index so it reads ix_threads_last_message in order and stops after one page. PostgreSQL weighs both itself."""
    if newest_first and len(shop_ids) > 1 and db.session.get_bind().dialect.name == "sqlite":
        return (Thread.shop_id + 0).in_(shop_ids)
    return Thread.shop_id.in_(shop_ids)


def _filtered(shop_ids, view, filters, newest_first):
    """Every condition of the view and the filters but the search."""
    statement = select(Thread).where(_shop_condition(shop_ids, newest_first))
    condition = _view_condition(view)
    if condition is not None:
        statement = statement.where(condition)
    if filters.shop_id:
        statement = statement.where(Thread.shop_id == filters.shop_id)
    if filters.platform:
        statement = statement.where(Thread.shop_id.in_(select(Shop.id).where(Shop.platform == filters.platform)))
    if filters.language:
        statement = statement.where(Thread.language == filters.language)
    if filters.assignee_id:
        statement = statement.where(Thread.assignee_id == filters.assignee_id)
    if filters.label:
        statement = statement.where(Thread.id.in_(select(ThreadLabel.thread_id).where(
            ThreadLabel.shop_id.in_(shop_ids), ThreadLabel.label == filters.label.strip().lower())))
    return statement


def _page_of(statement, order, limit):
    # Buyers come in a second query: joined to the page's query, they are read for every candidate row before the
    # sort and the limit, tens of thousands of lookups on a large inbox.
    return list(db.session.scalars(statement.order_by(*order).limit(limit + 1).options(
        selectinload(Thread.labels), selectinload(Thread.buyer))))


def _searched_page(statement, order, query, limit):
    """The page of a search. Where the database can check one conversation for a match cheaply (PostgreSQL),
    it first looks among the view's next SEARCH_PROBE conversations: a common word fills the page there, and
    those are exactly the page the full search would give. Otherwise every match is collected and ordered."""
    among = search.thread_has_match(query)
    if among is not None:
        # correlate(None): the subquery reads threads on its own, not the outer query's row.
        nearest = statement.with_only_columns(Thread.id).order_by(*order).limit(SEARCH_PROBE).correlate(None)
        found = list(db.session.scalars(statement.with_only_columns(Thread.id).where(Thread.id.in_(nearest), among)
                                        .order_by(*order).limit(limit + 1)))
        if len(found) > limit:
            return _page_of(statement.where(Thread.id.in_(found)), order, limit)
    return _page_of(statement.where(Thread.id.in_(search.matching_thread_ids(query))), order, limit)


def list_threads(shop_ids, view, filters, cursor=None, limit=domain.PAGE_SIZE):
    """One page of a view over the given shops (already the user's), in a fixed number of queries."""
    sort_column, id_column, descending = _sort_columns(view)
    statement = _filtered(shop_ids, view, filters, descending)
    if cursor:
        after = domain.decode_cursor(cursor, ("datetime", "int"))
        if after is not None:
            value, last_id = after
            if descending:
                statement = statement.where(or_(sort_column < value, and_(sort_column == value, id_column < last_id)))
            else:
                statement = statement.where(or_(sort_column > value, and_(sort_column == value, id_column > last_id)))
    order = (sort_column.desc(), id_column.desc()) if descending else (sort_column.asc(), id_column.asc())
    if not filters.query.strip():
        threads = _page_of(statement, order, limit)
    elif search.matching_thread_ids(filters.query) is None:
        return InboxPage([], None)  # nothing searchable was typed
    else:
        threads = _searched_page(statement, order, filters.query, limit)
    next_cursor = None
    if len(threads) > limit:
        threads = threads[:limit]
        last = threads[-1]
        next_cursor = domain.encode_cursor([getattr(last, sort_column.key), last.id])
    return InboxPage(threads, next_cursor)


def latest_messages(thread_ids):
    """The newest message of each thread, for the previews in the list, in one query."""
    if not thread_ids:
        return {}
    newest = select(Message.thread_id, db.func.max(Message.id).label("id")).where(
        Message.thread_id.in_(thread_ids), Message.kind != "note").group_by(Message.thread_id).subquery()
    rows = db.session.scalars(select(Message).join(newest, Message.id == newest.c.id))
    return {message.thread_id: message for message in rows}


def thread_messages(thread):
    """Every message of a thread in order, with attachments, authors and delivery state, in a few queries."""
    rows = db.session.execute(
        select(Message, OutboxItem).outerjoin(OutboxItem, OutboxItem.message_id == Message.id)
        .where(Message.thread_id == thread.id).order_by(Message.posted_at, Message.id)
        .options(joinedload(Message.attachments), joinedload(Message.author))
    ).unique().all()
    return [message for message, _item in rows], {item.message_id: item for _message, item in rows if item}


def thread_events(thread):
    return db.session.scalars(select(ThreadEvent).where(ThreadEvent.thread_id == thread.id)
                              .order_by(ThreadEvent.id).options(joinedload(ThreadEvent.actor))).all()
