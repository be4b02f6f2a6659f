"""Migrations that change a key of a table with rows: nothing that refers to those rows is lost on either database."""
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError

from sellerkit.attachments.models import Attachment
from sellerkit.extensions import db as sqla
from sellerkit.outbox.models import OutboxItem
from sellerkit.sla.models import ResponseClock
from sellerkit.threads import search
from sellerkit.threads.models import Message, Thread, ThreadEvent
from tests.conftest import NOW

#: The revision before messages and events were keyed to (thread, shop).
BEFORE_THREAD_KEY = "d94b2e6c1f37"
REFERRING = (Message, ThreadEvent, ResponseClock, OutboxItem, Attachment)


def _counts():
    counts = {model.__tablename__: sqla.session.scalar(select(func.count()).select_from(model)) for model in REFERRING}
    # The messages' search rows; the threads' own rows (message id 0 in the SQLite row id, NULL on PostgreSQL)
    # came later and are counted apart.
    of_a_message = (f"rowid & ((1 << {search.THREAD_SHIFT}) - 1) != 0" if sqla.engine.dialect.name == "sqlite"
                    else "message_id IS NOT NULL")
    counts["search"] = sqla.session.scalar(text(f"SELECT count(*) FROM {search.SEARCH_TABLE} WHERE {of_a_message}"))
    return counts


def _thread_rows():
    return sqla.session.scalar(text(f"SELECT count(*) FROM {search.SEARCH_TABLE}")) - _counts()["search"]


def _migrate(app, step, revision="head"):
    with app.app_context():
        sqla.session.remove()  # no transaction of ours may hold the tables the migration alters
        step(revision=revision)
        sqla.engine.dispose()  # connections that knew the old tables


def _message_in_other_shop(thread_id, shop_id):
    sqla.session.add(Message(shop_id=shop_id, thread_id=thread_id, direction="in", kind="buyer", body="Elsewhere?",
                             external_id=None, body_sha256="0" * 64, language="en", posted_at=NOW, author_id=None,
                             is_automatic=False, is_complaint=False, headers={}, created_at=NOW))
    sqla.session.commit()


@pytest.fixture
def before_thread_key(app):
    """Takes the database back to BEFORE_THREAD_KEY when called. Rows are made before, at head: the models are
    today's, and later migrations added columns that the old schema lacks."""
    yield lambda: _migrate(app, downgrade, BEFORE_THREAD_KEY)
    with app.app_context():  # whatever a test left, the next one gets the schema at head
        sqla.session.execute(delete(Message).where(Message.body == "Elsewhere?"))
        sqla.session.commit()
    _migrate(app, upgrade)


def test_keying_messages_to_their_thread_and_shop_keeps_every_row(app, before_thread_key, make_user, make_shop,
                                                                  make_conversation):
    owner = make_user()
    conversations = [make_conversation(make_shop(owner, name=name), owner) for name in ("Amber", "Birch")]
    before_thread_key()
    with app.app_context():
        before = _counts()
    assert before["messages"] == 4 and before["attachments"] == 2 and before["outbox_items"] == 2

    _migrate(app, upgrade)

    with app.app_context():
        # SQLite rebuilt messages and thread_events: with foreign keys on, dropping the old tables would have
        # deleted the clocks, outbox items and files of every message.
        assert _counts() == before and _thread_rows() == 2
        sqla.session.execute(delete(Thread).where(Thread.id == conversations[0]["thread_id"]))
        sqla.session.commit()
        after = _counts()
        assert _thread_rows() == 1
        if sqla.engine.dialect.name == "sqlite":
            assert sqla.session.scalar(text("PRAGMA foreign_keys")) == 1
    # The thread's messages, events and search rows went with it (on SQLite the search row by the trigger the
    # rebuild made again); the other shop's stayed.
    assert after["messages"] == 2 and after["search"] == before["search"] - 2
    assert after["thread_events"] < before["thread_events"] and after["attachments"] == 1


def test_a_message_filed_under_another_shop_is_refused_before_and_after_the_upgrade(app, before_thread_key,
                                                                                    make_user, make_shop,
                                                                                    make_conversation):
    owner = make_user()
    conversation = make_conversation(make_shop(owner), owner)
    other_shop = make_shop(owner, name="Birch")
    before_thread_key()
    with app.app_context():
        _message_in_other_shop(conversation["thread_id"], other_shop)  # the old keys could not tell

    # PostgreSQL refuses the new key; on SQLite our own check does, which Flask-Migrate reports and exits.
    with pytest.raises((SystemExit, IntegrityError)):
        _migrate(app, upgrade)
    with app.app_context():
        # Nothing was changed: still the old revision, the message still there, and keys still checked.
        assert sqla.session.scalar(text("SELECT version_num FROM alembic_version")) == BEFORE_THREAD_KEY
        assert sqla.session.scalar(select(func.count()).where(Message.shop_id == other_shop)) == 1
        if sqla.engine.dialect.name == "sqlite":
            assert sqla.session.scalar(text("PRAGMA foreign_keys")) == 1
        sqla.session.execute(delete(Message).where(Message.shop_id == other_shop))
        sqla.session.commit()

    _migrate(app, upgrade)
    with app.app_context(), pytest.raises(IntegrityError):
        _message_in_other_shop(conversation["thread_id"], other_shop)
