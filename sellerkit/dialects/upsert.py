"""INSERT ... ON CONFLICT, which both databases spell the same but SQLAlchemy builds per dialect."""
from functools import lru_cache

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached

from sellerkit.dialects import name_of


def dialect_insert(session, table):
    """The database's own INSERT for `table`, which knows ON CONFLICT."""
    return _dialect_insert(name_of(session), table)


def _dialect_insert(dialect_name, table):
    return (postgresql.insert if dialect_name == "postgresql" else sqlite.insert)(table)


@lru_cache(maxsize=64)
def _insert_unless_stored_statement(dialect_name, table, unique_key):
    # Built once per table and taking its values as parameters: a message in takes several of these, and building
    # and hashing a new statement with the values inside cost more than running it.
    return _dialect_insert(dialect_name, table).on_conflict_do_nothing(index_elements=list(unique_key)) \
        .returning(table.c.id)


def insert_unless_stored(session, model, values, unique_key):
    """INSERT ... ON CONFLICT (unique_key) DO NOTHING RETURNING id, for a row whose key another writer may have
    stored a moment ago: the new object, persistent in the session, or None when the key was taken.

    One statement, no savepoint (a clash is not an error that spoils the transaction), and less work than the
    ORM's own INSERT ... RETURNING: the object is built from `values`, which must name every column but the id,
    so nothing of it has to be read back."""
    table = model.__table__
    missing = set(table.columns.keys()) - {"id"} - set(values)
    if missing:
        raise ValueError(f"insert_unless_stored({model.__name__}) needs a value for {sorted(missing)}")
    statement = _insert_unless_stored_statement(name_of(session), table, tuple(unique_key))
    new_id = session.execute(statement, values).scalar()
    if new_id is None:
        return None
    row = model(id=new_id, **values)
    make_transient_to_detached(row)  # as if just loaded: no pending INSERT, no attribute to refresh
    session.add(row)
    return row
