"""Where SQLite and PostgreSQL differ, one small module per concern; feature code asks these and names no database."""


def name_of(session):
    """The dialect's name of the database `session` talks to: "sqlite" or "postgresql"."""
    return session.get_bind().dialect.name


def is_sqlite(session):
    return name_of(session) == "sqlite"
