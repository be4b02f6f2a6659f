"""Full-text search through the database: an FTS5 table on SQLite, a GIN-indexed tsvector on PostgreSQL.

Both index the same terms (see textsearch), so a search finds the same threads on either database.
The message_search table is created by a migration for each dialect and is not part of the models.

On SQLite a message's row id in the FTS5 table is (thread id << 32) | message id: FTS5 hands out row ids fast
and its stored columns slowly, so the threads of tens of thousands of matches come from the ids themselves, and
one thread's rows are a range of ids (thread_has_match reads the stored terms of those few rows only).
"""
import time

from sqlalchemy import cast, column, exists, func, literal, select, table, text
from sqlalchemy.dialects.postgresql import TSQUERY

from sellerkit.dialects.bulk import among, copy_rows
from sellerkit.extensions import db
from sellerkit.threads.models import Buyer, Order, Thread
from sellerkit.threads.textsearch import query_terms, terms, thread_terms
from sellerkit.tickets.domain import ticket_number
from sellerkit.tickets.models import Ticket

SEARCH_TABLE = "message_search"
#: Message ids (PostgreSQL integers) fit in the low 32 bits of an FTS5 row id; the thread id takes the rest.
THREAD_SHIFT = 32
#: The row ids of one thread's messages: from (thread id << 32) up to the next thread's first.
THREAD_SPAN = 1 << THREAD_SHIFT
#: Pages of index an FTS5 merge step writes: a few tens of milliseconds of write lock at a time.
MERGE_STEP_PAGES = 200


def _dialect():
    return db.session.get_bind().dialect.name


def index_messages(rows):
    """Add messages to the search index: rows of (message_id, shop_id, thread_id, text)."""
    index_terms([(mid, sid, tid, terms(body)) for mid, sid, tid, body in rows])


def index_terms(documents, new=False):
    """Add messages whose terms are already known: rows of (message_id, shop_id, thread_id, terms). `new` says
    none of them is indexed yet (a bulk import), which PostgreSQL then loads with one COPY."""
    documents = [d for d in documents if d[3]]
    if not documents:
        return
    if _dialect() == "postgresql" and new:
        copy_rows(SEARCH_TABLE, ("message_id", "shop_id", "thread_id", "document"),
                  [(m, s, t, _tsvector_text(found)) for m, s, t, found in documents])
        return
    # Straight to the driver, in its own parameter style: this runs for every message stored, and the
    # statement never changes, so SQLAlchemy's compiling and caching would only add work.
    if _dialect() == "postgresql":
        sql = (f"INSERT INTO {SEARCH_TABLE} (message_id, shop_id, thread_id, document) "
               "VALUES (%s, %s, %s, array_to_tsvector(%s::text[])) "
               "ON CONFLICT (message_id) DO UPDATE SET document = EXCLUDED.document")
        rows = [(m, s, t, found) for m, s, t, found in documents]
    else:
        sql = f"INSERT OR REPLACE INTO {SEARCH_TABLE} (rowid, terms, shop_id, thread_id) VALUES (?, ?, ?, ?)"
        rows = [(t << THREAD_SHIFT | m, " ".join(found), s, t) for m, s, t, found in documents]
    connection = db.session.connection()
    if len(rows) == 1:
        connection.exec_driver_sql(sql, rows[0])
    else:
        connection.exec_driver_sql(sql, rows)


def index_threads(thread_ids):
    """(Re)write the own search rows of the threads with these ids, in one read and one write: their subjects and
    identifiers as they are now."""
    thread_ids = list(thread_ids)
    if not thread_ids:
        return
    rows = db.session.execute(
        select(Thread.id, Thread.shop_id, Thread.subject, Order.platform_order_ref, Order.tracking_number,
               Buyer.display_name, Buyer.email, Buyer.platform_buyer_id)
        .join(Buyer, Buyer.id == Thread.buyer_id).outerjoin(Order, Order.id == Thread.order_id)
        .where(among(Thread.id, thread_ids))).all()
    tickets = {}
    for thread_id, ticket_id, platform_ref in db.session.execute(
            select(Ticket.thread_id, Ticket.id, Ticket.platform_ref).where(among(Ticket.thread_id, thread_ids))):
        tickets.setdefault(thread_id, []).extend((ticket_number(ticket_id), platform_ref or ""))
    _write_thread_rows([(row.id, row.shop_id, thread_terms(row.subject, (row.display_name, row.email or ""), (
        row.platform_order_ref or "", row.tracking_number or "", row.platform_buyer_id or "",
        *tickets.get(row.id, ())))) for row in rows])


def index_new_thread(thread, buyer, order):
    """Write the own search row of a thread created in this transaction from the objects at hand: it has no
    ticket yet, and its buyer and order are the ones it was made with."""
    identifiers = (order.platform_order_ref if order else "", (order.tracking_number or "") if order else "",
                   buyer.platform_buyer_id or "")
    terms = thread_terms(thread.subject, (buyer.display_name, buyer.email or ""), identifiers)
    _write_thread_rows([(thread.id, thread.shop_id, terms)])


def _write_thread_rows(documents):
    """Insert or replace threads' own rows: (thread id, shop id, terms) each."""
    if not documents:
        return
    if _dialect() == "postgresql":
        sql = (f"INSERT INTO {SEARCH_TABLE} (message_id, shop_id, thread_id, document) "
               "VALUES (NULL, %s, %s, array_to_tsvector(%s::text[])) "
               "ON CONFLICT (thread_id) WHERE message_id IS NULL DO UPDATE SET document = EXCLUDED.document")
        values = [(shop_id, thread_id, found) for thread_id, shop_id, found in documents]
    else:
        sql = f"INSERT OR REPLACE INTO {SEARCH_TABLE} (rowid, terms, shop_id, thread_id) VALUES (?, ?, ?, ?)"
        values = [(thread_id << THREAD_SHIFT, " ".join(found), shop_id, thread_id)
                  for thread_id, shop_id, found in documents]
    db.session.connection().exec_driver_sql(sql, values)


def _tsvector_text(found):
    """Terms written as a tsvector's text: each a quoted lexeme. Terms are letters, marks and digits, so all of
    them are quoted at once; a term with a quote or a backslash would be escaped one by one."""
    plain = "".join(found)
    if "'" in plain or "\\" in plain:
        return " ".join(_lexeme(term) for term in found)
    return "'" + "' '".join(found) + "'"


def _lexeme(term):
    """A term written as a quoted tsvector lexeme (quotes doubled, backslashes escaped)."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def matching_thread_ids(query):
    """A selectable of the ids of threads with a message matching `query`, or None when it has no terms."""
    return matching_ids(SEARCH_TABLE, "thread_id", query, sqlite_column=f"rowid >> {THREAD_SHIFT}")


def thread_has_match(query, thread_id):
    """A condition on the column `thread_id`, true for a thread with a message matching `query` (None when the
    query has no terms), for checking a few hundred given threads: its cost must not grow with the index.

    PostgreSQL reads each thread's own rows of the index (ix_message_search_thread). SQLite reads each thread's
    own rows too, by their row ids, and looks for the terms in the text of terms stored with them: asking FTS5
    for a word typed as a prefix would list every message with a word of that prefix (44,000 for a common word
    at 400,000 messages), once for all threads or again for each one. The stored text is the terms joined by
    spaces, which is what FTS5 splits into its tokens, so a message matches here exactly when MATCH finds it."""
    wanted = query_terms(query)
    if not wanted:
        return None
    if _dialect() == "postgresql":
        rows = table(SEARCH_TABLE, column("thread_id"), column("document"))
        return exists().where(rows.c.thread_id == thread_id,
                              rows.c.document.op("@@")(cast(_tsquery(wanted), TSQUERY)))
    rows = table(SEARCH_TABLE, column("rowid"), column("terms"))
    words = literal(" ") + rows.c.terms + literal(" ")
    # A term starts after a space; a whole term (a Chinese pair) ends before one too.
    found = [func.instr(words, " " + term + ("" if prefix else " ")) > 0 for term, prefix in wanted]
    return exists().where(rows.c.rowid >= thread_id * THREAD_SPAN, rows.c.rowid < (thread_id + 1) * THREAD_SPAN,
                          *found)


def _tsquery(wanted):
    # Terms hold only letters, marks and digits, so quoting them as lexemes is safe.
    return " & ".join(f"'{term}'" + (":*" if prefix else "") for term, prefix in wanted)


def matching_ids(table, column, query, sqlite_column=None):
    """A selectable of `column` from the search `table` for the documents matching `query` (None when it has
    no terms); on SQLite the id may come from another column of the FTS5 table or its row id (`sqlite_column`,
    e.g. "rowid" or an expression of it)."""
    wanted = query_terms(query)
    if not wanted:
        return None
    if _dialect() == "postgresql":
        return text(f"SELECT {column} FROM {table} WHERE document @@ CAST(:tsquery AS tsquery)"
                    ).bindparams(tsquery=_tsquery(wanted)).columns(**{column: db.Integer})
    match = " ".join(f'"{term}"' + ("*" if prefix else "") for term, prefix in wanted)
    return text(f"SELECT {sqlite_column or column} AS {column} FROM {table} WHERE {table} MATCH :match"
                ).bindparams(match=match).columns(**{column: db.Integer})


def compact_fts(table_name, seconds):
    """SQLite: merge an FTS5 index's b-trees in small steps, each its own transaction, for up to `seconds`;
    returns the number of steps that merged something (0 once it is compact).

    Every write adds a small b-tree and a query reads every b-tree, so a busy index ends up with a dozen or
    more and each search pays for all of them (ten times over, measured on 400,000 messages). The tables'
    usermerge of 2 (see the migration) lets a step merge any two b-trees of a level, so repeated steps keep
    about one per level. Runs from the scheduler, never in a web request."""
    if db.engine.dialect.name != "sqlite":
        return 0
    merged, deadline = 0, time.monotonic() + seconds
    with db.engine.connect() as connection:
        driver = connection.connection.driver_connection
        while time.monotonic() < deadline:
            before = driver.total_changes
            with connection.begin():
                connection.exec_driver_sql(
                    f"INSERT INTO {table_name} ({table_name}, rank) VALUES ('merge', {MERGE_STEP_PAGES})")
            # FTS5's documented signal: a step that changed fewer than 2 rows found nothing left to merge.
            if driver.total_changes - before < 2:
                break
            merged += 1
    return merged


def is_search_table(name):
    """The search tables (of messages here, of tickets in tickets.search) and FTS5's shadow tables, which the
    models do not describe."""
    return any(name == table or name.startswith(table + "_") for table in (SEARCH_TABLE, "ticket_search"))
