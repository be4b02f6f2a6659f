"""While the database is unreachable every page and API call answers 503, for visitors, members and tokens alike."""
import re

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from sellerkit.extensions import db as sqla
from tests.conftest import build_config
from tests.test_api import make_token

#: Routes that never touch the database, so an outage does not concern them (/healthz says the process is up).
NO_DATABASE = {"static", "api.openapi", "system.healthz"}


def unreachable(database_url, tmp_path):
    """The same kind of database, now out of reach: a closed port, or a file in a folder that is not there."""
    if database_url.startswith("postgresql"):
        return re.sub(r"@[^/]+/", "@127.0.0.1:9/", database_url)
    return "sqlite:///" + str(tmp_path / "gone" / "sellerkit.db")


def every_request(app):
    """(method, path) for every rule of the app, its ids filled with 1."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NO_DATABASE:
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", "1").replace(f"<{name}>", "x").replace(f"<path:{name}>", "x")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, path


@pytest.fixture
def signed_in(app, client, auth, make_user, make_shop, make_conversation):
    """A member's browser cookie and an API token, made while the database was still there."""
    owner = make_user()
    make_conversation(make_shop(owner), owner)
    headers = make_token(client, auth)
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value, headers


def answers_during_outage(make_app, migrated_database, tmp_path, cookie=None, headers=None):
    app = make_app(DATABASE_URL=unreachable(migrated_database, tmp_path), SECRET_KEY=build_config("", tmp_path)
                   ["SECRET_KEY"])
    client = app.test_client()
    if cookie:
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    answers = {}
    for method, path in every_request(app):
        try:
            response = client.open(path, method=method, headers=headers or {}, data={"body": "x"})
            answers[method, path] = response.status_code
            response.close()
        except Exception as error:  # a fault without a handler: what a visitor would see as a 500
            answers[method, path] = repr(error)[:200]
    return answers


def test_no_answer_is_a_crash_for_a_visitor(make_app, migrated_database, tmp_path):
    """Without a session or a token most pages answer without the database (a redirect to log in, 401, a form
    error); whatever needs it answers 503."""
    answers = answers_during_outage(make_app, migrated_database, tmp_path)
    assert {key: status for key, status in answers.items() if not isinstance(status, int) or status >= 500
            and status != 503} == {}


def test_every_answer_is_503_for_a_member_and_a_token(make_app, migrated_database, tmp_path, signed_in):
    cookie, headers = signed_in
    answers = answers_during_outage(make_app, migrated_database, tmp_path, cookie=cookie, headers=headers)
    assert {key: status for key, status in answers.items() if status != 503} == {}


@pytest.mark.parametrize("queries_before", [1, 2, 3])
def test_an_outage_in_the_middle_of_a_request_is_503(app, signed_in, queries_before):
    """The database goes away after the request read the user (and perhaps a little more): every statement after
    that fails as a lost connection does, and the answer, made after a rollback that forgets what was read, is
    still 503."""
    cookie, headers = signed_in
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    answers = {}
    for method, path in every_request(app):
        if method != "GET":
            continue
        sent = []

        def lose_connection(connection, cursor, statement, parameters, context, executemany, *, sent=sent):
            sent.append(statement)
            if len(sent) > queries_before:
                raise OperationalError(statement, parameters, ConnectionResetError("server closed the connection"))

        with app.app_context():
            event.listen(sqla.engine, "before_cursor_execute", lose_connection)
        try:
            response = client.get(path, headers=headers if path.startswith("/api/") else {})
            answers[path] = response.status_code
            response.close()
        except Exception as error:  # a fault without a handler: what a visitor would see as a 500
            answers[path] = repr(error)[:200]
        finally:
            with app.app_context():
                event.remove(sqla.engine, "before_cursor_execute", lose_connection)
    assert {path: status for path, status in answers.items() if not isinstance(status, int) or status >= 500
            and status != 503} == {}
