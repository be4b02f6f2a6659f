"""Search: every thread gets a search row of its own (subject and identifiers), and all terms are folded again

Messages, tickets and threads are indexed anew with the folded terms of threads.textsearch (accents, ё, Arabic
letters and digits, zero-width non-joiners, Traditional Chinese). A thread's row holds its subject, order and
tracking numbers, the buyer's name, e-mail address and platform id, and its tickets' numbers: on SQLite its FTS5
row id is (thread id << 32) with message id 0, on PostgreSQL its message_id is NULL (one per thread). Going back
removes the threads' rows; the messages keep their folded terms.

Revision ID: 317e9b0a10d6
Revises: f1c9a2e4b7d3
Created: 2026-12-07 19:50:00.000000
"""
from alembic import op

from sellerkit.threads.textsearch import terms, thread_terms
from sellerkit.tickets.domain import ticket_number

revision = '317e9b0a10d6'
down_revision = 'f1c9a2e4b7d3'
branch_labels = None
depends_on = None

THREAD_SHIFT = 32
BATCH = 5000


def _pages(bind, sql):
    """The rows of `sql` (which selects an id first, takes the last id seen and a limit) a batch at a time."""
    last = 0
    while True:
        rows = bind.exec_driver_sql(sql, (last, BATCH)).all() if bind.dialect.name == "sqlite" else \
            bind.exec_driver_sql(sql.replace("?", "%s"), (last, BATCH)).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _write(bind, sql, rows):
    if rows:
        bind.exec_driver_sql(sql if bind.dialect.name == "sqlite" else sql.replace("?", "%s"), rows)


def _reindex_messages(bind):
    sqlite = bind.dialect.name == "sqlite"
    bind.exec_driver_sql("DELETE FROM message_search")
    if sqlite:
        insert = "INSERT INTO message_search (rowid, terms, shop_id, thread_id) VALUES (?, ?, ?, ?)"
    else:
        insert = ("INSERT INTO message_search (message_id, shop_id, thread_id, document) "
                  "VALUES (?, ?, ?, array_to_tsvector(?::text[]))")
    for rows in _pages(bind, "SELECT id, shop_id, thread_id, body FROM messages WHERE id > ? ORDER BY id LIMIT ?"):
        found = [(mid, sid, tid, terms(body)) for mid, sid, tid, body in rows]
        _write(bind, insert, [(tid << THREAD_SHIFT | mid, " ".join(words), sid, tid) if sqlite else
                              (mid, sid, tid, words) for mid, sid, tid, words in found if words])


def _reindex_tickets(bind):
    sqlite = bind.dialect.name == "sqlite"
    bind.exec_driver_sql("DELETE FROM ticket_search")
    if sqlite:
        insert = "INSERT INTO ticket_search (rowid, terms, shop_id) VALUES (?, ?, ?)"
    else:
        insert = "INSERT INTO ticket_search (ticket_id, document, shop_id) VALUES (?, array_to_tsvector(?::text[]), ?)"
    for rows in _pages(bind, "SELECT id, shop_id, title, description FROM tickets WHERE id > ? ORDER BY id LIMIT ?"):
        found = [(tid, sid, terms(f"{title}\n{description}")) for tid, sid, title, description in rows]
        _write(bind, insert, [(tid, " ".join(words) if sqlite else words, sid) for tid, sid, words in found])


def _index_threads(bind):
    sqlite = bind.dialect.name == "sqlite"
    numbers = {}
    for thread_id, ticket_id, platform_ref in bind.exec_driver_sql(
            "SELECT thread_id, id, platform_ref FROM tickets WHERE thread_id IS NOT NULL"):
        numbers.setdefault(thread_id, []).extend((ticket_number(ticket_id), platform_ref or ""))
    if sqlite:
        insert = "INSERT INTO message_search (rowid, terms, shop_id, thread_id) VALUES (?, ?, ?, ?)"
    else:
        insert = ("INSERT INTO message_search (message_id, shop_id, thread_id, document) "
                  "VALUES (NULL, ?, ?, array_to_tsvector(?::text[]))")
    for rows in _pages(bind, "SELECT t.id, t.shop_id, t.subject, o.platform_order_ref, o.tracking_number, "
                             "b.display_name, b.email, b.platform_buyer_id FROM threads t "
                             "JOIN buyers b ON b.id = t.buyer_id LEFT JOIN orders o ON o.id = t.order_id "
                             "WHERE t.id > ? ORDER BY t.id LIMIT ?"):
        values = []
        for tid, sid, subject, ref, tracking, name, email, platform_id in rows:
            words = thread_terms(subject, (name, email or ""), (ref or "", tracking or "", platform_id or "",
                                                                 *numbers.get(tid, ())))
            if words:
                values.append((tid << THREAD_SHIFT, " ".join(words), sid, tid) if sqlite else (sid, tid, words))
        _write(bind, insert, values)


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql("ALTER TABLE message_search DROP CONSTRAINT message_search_pkey")
        bind.exec_driver_sql("ALTER TABLE message_search ALTER COLUMN message_id DROP NOT NULL")
        bind.exec_driver_sql("ALTER TABLE message_search ADD CONSTRAINT uq_message_search_message UNIQUE (message_id)")
        bind.exec_driver_sql("CREATE UNIQUE INDEX uq_message_search_thread_row ON message_search (thread_id) "
                             "WHERE message_id IS NULL")
        # The messages' rows go with their message (its key); a thread's own row goes with the thread.
        bind.exec_driver_sql("CREATE FUNCTION message_search_thread_deleted() RETURNS trigger LANGUAGE plpgsql AS "
                             "$$ BEGIN DELETE FROM message_search WHERE thread_id = OLD.id AND message_id IS NULL; "
                             "RETURN NULL; END $$")
        bind.exec_driver_sql("CREATE TRIGGER message_search_thread_delete AFTER DELETE ON threads "
                             "FOR EACH ROW EXECUTE FUNCTION message_search_thread_deleted()")
    else:
        bind.exec_driver_sql("CREATE TRIGGER message_search_thread_delete AFTER DELETE ON threads "
                             f"BEGIN DELETE FROM message_search WHERE rowid = old.id << {THREAD_SHIFT}; END")
    _reindex_messages(bind)
    _reindex_tickets(bind)
    _index_threads(bind)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql("DROP TRIGGER message_search_thread_delete ON threads")
        bind.exec_driver_sql("DROP FUNCTION message_search_thread_deleted()")
        bind.exec_driver_sql("DELETE FROM message_search WHERE message_id IS NULL")
        bind.exec_driver_sql("DROP INDEX uq_message_search_thread_row")
        bind.exec_driver_sql("ALTER TABLE message_search DROP CONSTRAINT uq_message_search_message")
        bind.exec_driver_sql("ALTER TABLE message_search ADD PRIMARY KEY (message_id)")
    else:
        bind.exec_driver_sql("DROP TRIGGER message_search_thread_delete")
        bind.exec_driver_sql(f"DELETE FROM message_search WHERE rowid & ((1 << {THREAD_SHIFT}) - 1) = 0")
