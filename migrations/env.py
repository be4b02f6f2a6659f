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
        context.configure(connection=connection, target_metadata=db.metadata, include_name=include_name,
                          **migrate_options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("sellerkit migrations run against a live database; offline SQL generation is not supported.")
run_online()
