"""A double-click on Sign up or Add member: two identical posts race, and the second gets the form's error, never 500.

Both requests pass the "does it exist yet?" check before either inserts (a barrier at the INSERT holds the first
until the second arrives), which is what two web workers serving a double-click do on PostgreSQL. SQLite lets one
writer in at a time, so there the second request simply finds the first one's row.
"""
import threading

import pytest
from sqlalchemy import event

from sellerkit.accounts.models import User
from sellerkit.extensions import db as sqla
from sellerkit.shops.models import Membership
from tests.concurrency import run_together
from tests.conftest import PASSWORD


@pytest.fixture
def hold_inserts(app):
    """Make the two requests meet right before they INSERT into `table` (PostgreSQL only, see the docstring)."""
    def hold(table):
        with app.app_context():
            if sqla.engine.dialect.name != "postgresql":
                return
            meeting = threading.Barrier(2, timeout=20)

            @event.listens_for(sqla.engine, "before_cursor_execute")
            def meet(connection, cursor, statement, parameters, context, executemany):
                if statement.startswith(f"INSERT INTO {table} "):
                    meeting.wait()
    return hold


def post_twice(app, path, data, login=None):
    answers = []

    def post():
        client = app.test_client()
        if login:
            client.post("/login", data=login)
        answers.append(client.post(path, data=data))

    assert run_together([post, post]) == []
    return sorted(answers, key=lambda answer: answer.status_code)


def test_double_click_on_sign_up_creates_one_account_and_shows_the_form_error(app, db, hold_inserts):
    hold_inserts("users")
    first, second = post_twice(app, "/signup", {"email": "anna@example.com", "password": PASSWORD,
                                                "display_name": "Anna"})
    assert first.status_code == 302
    assert second.status_code == 422
    assert "An account with this e-mail already exists" in second.get_data(as_text=True)
    assert db.count(User) == 1


def test_double_click_on_add_member_adds_one_membership_and_shows_the_form_error(app, db, make_user, make_shop,
                                                                                  hold_inserts):
    shop_id = make_shop(make_user())
    make_user("agent@example.com")
    hold_inserts("memberships")
    first, second = post_twice(app, f"/shops/{shop_id}/members", {"email": "agent@example.com", "role": "agent"},
                               login={"email": "owner@example.com", "password": PASSWORD})
    assert first.status_code == 302
    assert second.status_code == 422
    assert "This person is already a member of the shop." in second.get_data(as_text=True)
    assert db.count(Membership) == 2
