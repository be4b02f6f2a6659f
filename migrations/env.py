"""Alembic environment: migrate the database of the current sellerkit app, online only."""
from alembic import context
from flask import current_app

from sellerkit.threads.search import is_search_table

db = current_app.extensions["migrate"].db
migrate_options = current_app.extensions["migrate"].configure_args


def include_name(name, type_, parent_names):
    # The full-text search table is created per dialect by hand; autogenerate must leave it alone.
    return not (type_ == "table" and is_search_table(name))


def run_online():
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a table's keys by building a new table and dropping the old one, and with foreign
            # keys on that drop deletes (or empties the column of) every row of other tables that refers to it:
            # a message's clocks, outbox items and files. SQLite's own way: keys off during the change, set
            # outside a transaction (inside one the pragma does nothing), then every key checked before commit.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        applied = []  # the check below runs only when a migration did: it reads every row of every table
        try:
            # One transaction on every database (Alembic's SQLite default is a commit per step), so that a failed
            # key check undoes the whole upgrade.
            context.configure(connection=connection, target_metadata=db.metadata, include_name=include_name,
                              on_version_apply=lambda **step: applied.append(step), transactional_ddl=True,
                              **migrate_options)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite and applied:
                    _check_keys(connection)
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def _check_keys(connection):
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"the migration would leave rows that refer to missing rows (table, rowid, parent): "
                           f"{[tuple(row[:3]) for row in broken[:10]]}; nothing was changed")


if context.is_offline_mode():
    raise SystemExit("sellerkit migrations run against a live database; offline SQL generation is not supported.")
run_online()
