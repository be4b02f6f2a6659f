"""Reading conversations: the inbox views with filters, search and keyset pages; one thread with its parts."""
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, literal_column, select, tuple_
from sqlalchemy.orm import joinedload

from sellerkit.collation import alphabetical
from sellerkit.dialects.planning import unindexed_on_sqlite
from sellerkit.extensions import db
from sellerkit.outbox.models import OutboxItem
from sellerkit.shops.models import Shop
from sellerkit.sla.models import ResponseClock
from sellerkit.threads import domain, search
from sellerkit.threads.models import Buyer, Message, Thread, ThreadEvent, ThreadLabel

#: How many of a view's next conversations a search checks one by one before it collects every match.
SEARCH_PROBE = 500
#: The most conversations a second, wider look checks one by one, for a word of middling frequency.
SEARCH_REACH = 5000
#: The start of the latest message a list shows (the API's preview is the longest).
PREVIEW_CHARS = 200
#: Joins a row's labels into one text; labels are single-line (domain.normalize_labels).
LABEL_SEPARATOR = "\n"
#: The thread's own columns a list row carries.
ROW_COLUMNS = ("id", "shop_id", "buyer_id", "order_id", "external_id", "subject", "status", "is_dispute", "language",
               "assignee_id", "waiting_since", "last_message_at", "unsent_reply_at", "is_automatic")


@dataclass(frozen=True, slots=True)
class ThreadRow:
    """A conversation as a list shows it: plain values read in one query, not an ORM object with its loaders."""

    id: int
    shop_id: int
    buyer_id: int
    order_id: int | None
    external_id: str | None
    subject: str
    status: str
    is_dispute: bool
    language: str | None
    assignee_id: int | None
    waiting_since: object
    last_message_at: object
    #: When the oldest reply still to be copied by hand was written; None when none waits.
    unsent_reply_at: object
    #: Only machines wrote in the conversation.
    is_automatic: bool
    buyer_name: str
    buyer_platform_id: str | None
    buyer_email: str | None
    #: The open response clock's deadline and warning time; None when no clock runs.
    due_at: object
    warn_at: object
    #: The start of the buyer's latest words (machine mail only where no person wrote).
    preview: str | None
    #: The start of the buyer's first message, which titles a conversation without a subject; None with one.
    title: str | None = None
    labels: tuple = ()


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
        # Written out as the partial index ix_threads_needs_reply says it, so that SQLite can use that index.
        "needs_reply": and_(Thread.waiting_since.is_not(None), Thread.status != literal_column("'resolved'")),
        # As the partial indexes ix_threads_to_send and ix_threads_automatic say them.
        "to_send": Thread.unsent_reply_at.is_not(None),
        "automatic": literal_column("threads.is_automatic"),
        "awaiting_buyer": Thread.status == "awaiting_buyer",
        "disputes": and_(Thread.is_dispute.is_(True), Thread.status != "resolved"),
        "resolved": Thread.status == "resolved",
        "all": None,
    }[view]


@dataclass(frozen=True)
class _Sort:
    """A view's order: one column of the threads, then the id, both ascending or both descending."""

    column: str
    descending: bool

    def of(self, columns):
        """The ORDER BY terms over `columns`: the threads table's or the page subquery's."""
        return tuple(key.desc() if self.descending else key.asc() for key in (columns[self.column], columns["id"]))


def _sort_of(view):
    """Needs reply: oldest waiting first; To send: oldest unsent reply first; every other view: latest message
    first."""
    if view == "needs_reply":
        return _Sort("waiting_since", False)
    if view == "to_send":
        return _Sort("unsent_reply_at", False)
    return _Sort("last_message_at", True)


def row_of(thread):
    """A loaded thread as a list row (no preview): what the API says of one conversation, the same as of a list's."""
    buyer = thread.buyer
    return ThreadRow(*(getattr(thread, name) for name in ROW_COLUMNS), buyer.display_name, buyer.platform_buyer_id,
                     buyer.email, None, None, None, None, tuple(alphabetical(label.label for label in thread.labels)))


def _conditions(shop_ids, view, filters):
    """Every condition of the view and the filters but the shops and the search."""
    conditions = []
    condition = _view_condition(view)
    if condition is not None:
        conditions.append(condition)
    if filters.platform:
        conditions.append(Thread.shop_id.in_(select(Shop.id).where(Shop.platform == filters.platform)))
    if filters.language:
        conditions.append(Thread.language == filters.language)
    if filters.assignee_id:
        conditions.append(Thread.assignee_id == filters.assignee_id)
    if filters.label:
        conditions.append(Thread.id.in_(select(ThreadLabel.thread_id).where(
            ThreadLabel.shop_id.in_(shop_ids), ThreadLabel.label == filters.label.strip().lower())))
    return conditions


def _after(sort, cursor):
    """The keyset condition of a cursor, as a row value: (column, id) > (value, id) reads the index from there
    on, where "a > x OR (a = x AND id > y)" would read it from its start (deep pages grew with their depth)."""
    after = domain.decode_cursor(cursor, ("datetime", "int")) if cursor else None
    if after is None:
        return []
    key, value = tuple_(getattr(Thread, sort.column), Thread.id), tuple_(*after)
    return [key < value if sort.descending else key > value]


def _shop_condition(shop_ids):
    """The threads of the user's shops. Across several shops SQLite (which keeps no statistics) would read every
    thread of the view in every shop through the shop's index and sort them all; `shop_id + 0` hides that index,
    so it reads the view's own index in order (ix_threads_needs_reply, ix_threads_last_message) and stops after
    a page. PostgreSQL weighs both itself."""
    if len(shop_ids) > 1:
        return unindexed_on_sqlite(db.session, Thread.shop_id).in_(shop_ids)
    return Thread.shop_id.in_(shop_ids)


def _first(shop_ids, conditions, sort, limit, offset=0):
    """A subquery of the first `limit` threads (ROW_COLUMNS) of the shops in the view's order, after `offset`."""
    columns = [getattr(Thread, name) for name in ROW_COLUMNS]
    return select(*columns).where(_shop_condition(shop_ids), *conditions) \
        .order_by(*sort.of(Thread.__table__.c)).limit(limit).offset(offset or None).subquery()


def _in_order(threads, sort, limit):
    """The first `limit` of the given threads (a condition on Thread.id that picks a few: the matches of a
    search) in the view's order, as a subquery like _first's. Only the ids narrow the search: given a shop
    condition too, SQLite (which keeps no statistics) would rather read every thread of the shops."""
    columns = [getattr(Thread, name) for name in ROW_COLUMNS]
    return select(*columns).where(threads).order_by(*sort.of(Thread.__table__.c)).limit(limit).subquery()


def _rows(page, sort):
    """The rows of a page subquery (from _first or _in_order) with their buyer, open clock, latest message and
    labels in one query: joined outside the page, they are read for its rows only.

    The labels come joined into one text per row (a label never holds a line break): a second query for them
    would list the page's ids as 50 parameters, a statement psycopg neither caches nor prepares."""
    def buyer_words(*where, first=False):
        order = (Message.posted_at, Message.id) if first else (Message.posted_at.desc(), Message.id.desc())
        return select(func.substr(Message.body, 1, PREVIEW_CHARS)).where(
            Message.thread_id == page.c.id, Message.kind == "buyer", *where).order_by(*order).limit(1).scalar_subquery()

    # The buyer's latest words, never our own replies; machine mail only in a conversation no person wrote in.
    latest = func.coalesce(buyer_words(Message.is_automatic.is_(False)), buyer_words())
    title = case((page.c.subject == "", buyer_words(first=True)), else_=None)
    labels = select(func.aggregate_strings(ThreadLabel.label, LABEL_SEPARATOR)) \
        .where(ThreadLabel.thread_id == page.c.id).scalar_subquery()
    rows = db.session.execute(
        select(page, Buyer.display_name, Buyer.platform_buyer_id, Buyer.email, ResponseClock.due_at,
               ResponseClock.warn_at, latest, title, labels)
        .join(Buyer, Buyer.id == page.c.buyer_id)
        .outerjoin(ResponseClock, and_(ResponseClock.thread_id == page.c.id, ResponseClock.status == "open"))
        .order_by(*sort.of(page.c))).all()
    return [ThreadRow(*row[:-1], labels=tuple(alphabetical(row[-1].split(LABEL_SEPARATOR))) if row[-1] else ())
            for row in rows]


def _searched(shop_ids, conditions, sort, query, limit):
    """The page of a search. It first looks among the view's next SEARCH_PROBE conversations, checked one by one:
    a common word fills the page there, and those are exactly the page the full search would give. A word found
    there too seldom to fill it but often enough to fill it within SEARCH_REACH conversations (at the same rate,
    twice over) gets a second look that far: cheaper than collecting its thousands of matches. Otherwise (few
    matches) every match is collected and ordered, which is cheap because there are few."""
    found = _matches_among(_first(shop_ids, conditions, sort, SEARCH_PROBE), sort, query, limit)
    reach = SEARCH_PROBE * limit * 2 // len(found) if found else None
    if len(found) < limit and reach and reach <= SEARCH_REACH:
        found += _matches_among(_first(shop_ids, conditions, sort, reach - SEARCH_PROBE, offset=SEARCH_PROBE),
                                sort, query, limit - len(found))
    if len(found) == limit:
        return _in_order(Thread.id.in_(found), sort, limit)
    # Few matches: each one is checked against the shops and the view.
    matches = select(Thread.id).where(Thread.id.in_(search.matching_thread_ids(query)), _shop_condition(shop_ids),
                                      *conditions)
    return _in_order(Thread.id.in_(matches), sort, limit)


def _matches_among(nearest, sort, query, limit):
    """The ids of the first `limit` threads of the subquery `nearest` with a message matching `query`, in order."""
    return list(db.session.scalars(select(nearest.c.id).where(search.thread_has_match(query, nearest.c.id))
                                   .order_by(*sort.of(nearest.c)).limit(limit)))


def list_threads(shop_ids, view, filters, cursor=None, limit=domain.PAGE_SIZE):
    """One page of a view over the given shops (already the user's) as ThreadRows, in a fixed number of queries."""
    sort = _sort_of(view)
    shops = [filters.shop_id] if filters.shop_id in shop_ids else list(shop_ids)
    conditions = [*_conditions(shop_ids, view, filters), *_after(sort, cursor)]
    if not filters.query.strip():
        page = _first(shops, conditions, sort, limit + 1)
    elif search.matching_thread_ids(filters.query) is None:
        return InboxPage([], None)  # nothing searchable was typed
    else:
        page = _searched(shops, conditions, sort, filters.query, limit + 1)
    threads = _rows(page, sort)
    next_cursor = None
    if len(threads) > limit:
        threads = threads[:limit]
        last = threads[-1]
        next_cursor = domain.encode_cursor([getattr(last, sort.column), last.id])
    return InboxPage(threads, next_cursor)


def thread_messages(thread):
    """Every message of a thread in order, with attachments, authors and delivery state, in a few queries."""
    rows = db.session.execute(
        select(Message, OutboxItem).outerjoin(OutboxItem, OutboxItem.message_id == Message.id)
        .where(Message.thread_id == thread.id).order_by(Message.posted_at, Message.id)
        .options(joinedload(Message.attachments), joinedload(Message.author), joinedload(Message.refused_files))
    ).unique().all()
    return [message for message, _item in rows], {item.message_id: item for _message, item in rows if item}


def thread_events(thread):
    return db.session.scalars(select(ThreadEvent).where(ThreadEvent.thread_id == thread.id)
                              .order_by(ThreadEvent.id).options(joinedload(ThreadEvent.actor))).all()
