"""Hints for the query planners: SQLite keeps no statistics, PostgreSQL weighs the indexes itself."""
from sellerkit.dialects import is_sqlite


def unindexed_on_sqlite(session, column):
    """`column` as an expression SQLite cannot answer from the column's index (`column + 0`), where that index
    would lead it to read and sort far more rows than another index would; PostgreSQL gets the column itself."""
    return column + 0 if is_sqlite(session) else column
