"""Full-text search of tickets through the database, with the same terms as the inbox search (textsearch).

ticket_search is an FTS5 table on SQLite and a GIN-indexed tsvector table on PostgreSQL, created by a migration.
"""
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text

from sellerkit.extensions import db
from sellerkit.threads.search import matching_ids
from sellerkit.threads.textsearch import terms

SEARCH_TABLE = "ticket_search"


def index_ticket(ticket_id, shop_id, body):
    """(Re)index a ticket's title and description."""
    found = terms(body)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(
            f"INSERT INTO {SEARCH_TABLE} (ticket_id, shop_id, document) VALUES (:tid, :sid, array_to_tsvector(:terms)) "
            "ON CONFLICT (ticket_id) DO UPDATE SET document = EXCLUDED.document"
        ).bindparams(bindparam("terms", type_=ARRAY(Text))), {"tid": ticket_id, "sid": shop_id, "terms": found})
    else:
        db.session.execute(text(f"INSERT OR REPLACE INTO {SEARCH_TABLE} (rowid, terms, shop_id) "
                                "VALUES (:tid, :terms, :sid)"), {"tid": ticket_id, "sid": shop_id,
                                                                 "terms": " ".join(found)})


def matching_ticket_ids(query):
    """A selectable of the ids of tickets matching `query`, or None when it has no terms."""
    return matching_ids(SEARCH_TABLE, "ticket_id", query, sqlite_column="rowid")
