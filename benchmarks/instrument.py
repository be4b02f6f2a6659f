"""Instrumentation that webapp attaches to the app from outside: SQL per request, the floor page, the last SQL."""
import base64
import time
from datetime import date, datetime
from datetime import time as clock_time
from decimal import Decimal

from flask import g, has_request_context, jsonify, render_template, request
from flask_login import login_required
from sqlalchemy import event

from sellerkit.extensions import db

SQL_COUNT_HEADER = "X-Bench-SQL-Count"
#: The framework floor: the base layout for a logged-in user and nothing else.
FLOOR_TEMPLATE = '{% extends "base.html" %}{% block title %}floor{% endblock %}{% block content %}{% endblock %}'
#: Transaction control is not a query the page chose to make (COMMIT never reaches the cursor anyway).
_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")
#: Asking for the SQL must not replace the SQL asked for.
_NOT_RECORDED = ("bench_last_sql",)


#: The statements of the last finished request of this worker process (gunicorn sync: one request at a time).
_last_request = []


def encode(value):
    """Driver parameters as JSON, tagged where JSON has no type, so that they can be replayed as they were sent."""
    if isinstance(value, dict):
        return {"$dict": {key: encode(item) for key, item in value.items()}}
    if isinstance(value, tuple):
        return {"$tuple": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, clock_time):
        return {"$time": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if type(value).__name__ in ("Json", "Jsonb"):  # psycopg's JSON wrappers, which SQLAlchemy binds JSON columns with
        return {"$" + type(value).__name__.lower(): value.obj}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return {"$repr": repr(value)}


def _before(conn, cursor, statement, parameters, context, executemany):
    if not has_request_context() or statement.lstrip().upper().startswith(_TRANSACTION_CONTROL):
        return
    conn.info["bench_started"] = time.perf_counter()
    g.setdefault("bench_sql", []).append([statement, parameters, executemany, None])


def _after(conn, cursor, statement, parameters, context, executemany):
    started = conn.info.pop("bench_started", None)
    if started is not None and has_request_context():
        g.bench_sql[-1][3] = (time.perf_counter() - started) * 1000


def _count(response):
    if request.endpoint in _NOT_RECORDED:
        return response
    statements = g.get("bench_sql", [])
    response.headers[SQL_COUNT_HEADER] = str(len(statements))
    _last_request[:] = statements
    return response


def install(app):
    """Count and keep every statement each request sends, and add the floor page and /_bench/last-sql."""
    with app.app_context():
        for engine in db.engines.values():
            event.listen(engine, "before_cursor_execute", _before)
            event.listen(engine, "after_cursor_execute", _after)
    app.after_request(_count)
    floor_template = app.jinja_env.from_string(FLOOR_TEMPLATE)

    @login_required
    def floor():
        return render_template(floor_template)

    @login_required
    def last_sql():
        return jsonify([{"statement": statement, "parameters": encode(parameters), "executemany": executemany,
                         "ms": ms} for statement, parameters, executemany, ms in _last_request])

    app.add_url_rule("/_bench/floor", "bench_floor", floor)
    app.add_url_rule("/_bench/last-sql", "bench_last_sql", last_sql)
