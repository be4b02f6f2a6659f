"""Set-wise inserts for bulk work (imports, the benchmark's data): ids handed out up front, then one executemany
on SQLite or one COPY on PostgreSQL, instead of an INSERT ... RETURNING per row."""
import json
from contextlib import contextmanager

from sqlalchemy import any_, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY

from sellerkit import dialects
from sellerkit.extensions import db


def is_sqlite():
    return dialects.is_sqlite(db.session)


def among(column, values):
    """`column IN values` for the thousands of values of a batch. PostgreSQL takes them as one array
    (= ANY(:values)): as an IN list SQLAlchemy would render, bind and send a parameter per value. Run these
    inside planned_each_time()."""
    values = list(values)
    if is_sqlite():
        return column.in_(values)
    return column == any_(bindparam(None, values, type_=ARRAY(column.type)))


@contextmanager
def planned_each_time():
    """PostgreSQL: the statements run inside are planned for their own values, never prepared.

    psycopg prepares a statement run five times, and PostgreSQL may then keep one generic plan for any
    values. For `column = ANY(:values)` that plan may read all of a shop's rows and test each against every
    value of the array in turn, which it cannot hash as it does a known array, so a look-up slows down with
    every buyer a shop has. Planning a batch's few statements each time costs far less."""
    if is_sqlite():
        yield
        return
    driver = db.session.connection().connection.driver_connection
    threshold, driver.prepare_threshold = driver.prepare_threshold, None
    try:
        yield
    finally:
        driver.prepare_threshold = threshold


def next_ids(table, count):
    """Ids for `count` new rows of `table`, in order. SQLite: past the largest one, which is safe because bulk
    work holds the write lock (BEGIN IMMEDIATE); PostgreSQL: drawn from the table's own sequence."""
    if is_sqlite():
        start = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
        return list(range(start + 1, start + 1 + count))
    # The sequence is looked up once, not per row, and the ids come back as one array: thousands of integers,
    # which result rows would only slow down.
    return db.session.connection().exec_driver_sql(
        "SELECT array(SELECT nextval(sequence) AS id FROM CAST(pg_get_serial_sequence(%s, 'id') AS regclass) "
        "AS sequence, generate_series(1, %s) ORDER BY id)", (table.name, count)).scalar()


def copy_rows(table_name, columns, rows):
    """PostgreSQL's bulk-load path: tuples of database-ready values in one COPY, with no statement per row."""
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table_name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def insert_tuples(table, columns, rows):
    """Insert the high-volume rows given as tuples of database-ready values (on SQLite, in the form our column
    types store); returns their new ids in order. For 100,000 rows SQLAlchemy's per-value processing would cost
    more than the database work, so the values go straight to the driver."""
    if not rows:
        return []
    ids = next_ids(table, len(rows))
    numbered = [(new_id, *row) for new_id, row in zip(ids, rows, strict=True)]
    if is_sqlite():
        db.session.connection().exec_driver_sql(
            f"INSERT INTO {table.name} (id, {', '.join(columns)}) VALUES ({', '.join('?' * (len(columns) + 1))})",
            numbered)
    else:
        copy_rows(table.name, ("id", *columns), numbered)
    return ids


def insert_rows(table, rows):
    """Insert dicts that all name the same columns; returns their new ids in order (none for a table without an
    id column). Core, not ORM: the ORM's per-row bookkeeping would cost more than the database work."""
    if not rows:
        return []
    ids = next_ids(table, len(rows)) if "id" in table.c else []
    if is_sqlite():
        db.session.execute(insert(table), [dict(row, id=new_id) for row, new_id in zip(rows, ids, strict=True)]
                           if ids else rows)
        return ids
    columns = list(rows[0])
    values = [tuple(json.dumps(value) if isinstance(value, dict | list) else value
                    for value in (row[column] for column in columns)) for row in rows]
    if ids:
        copy_rows(table.name, ("id", *columns), [(new_id, *row) for new_id, row in zip(ids, values, strict=True)])
    else:
        copy_rows(table.name, columns, values)
    return ids
