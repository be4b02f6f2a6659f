"""Measuring: an HTTP client with a cookie jar, percentiles, SQL replayed raw (the SQL floor), a worker's peak RSS."""
import base64
import http.client
import json
import re
import time
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock_time
from decimal import Decimal
from html import unescape
from urllib.parse import urlencode

CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')
NEXT_LINK = re.compile(r'<a class="button secondary" href="([^"]*cursor=[^"]*)"')
WRITE_PREFIXES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "RELEASE")


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes
    seconds: float

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


class Client:
    """One browser: its own cookies (the session), its CSRF token, one connection per request (gunicorn sync
    workers close it after each response anyway)."""

    def __init__(self, port, host="127.0.0.1", timeout=120):
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies = {}
        self.csrf_token = None

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        # The session cookie is Secure in production; this client is the browser, and it is on loopback.
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in cookie.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, content, seconds)

    def get(self, path):
        return self.request("GET", path)

    def post_form(self, path, fields):
        return self.request("POST", path, urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def post_json(self, path, data, token):
        return self.request("POST", path, json.dumps(data).encode(),
                            {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})

    def read_csrf(self, page):
        found = CSRF_INPUT.search(page.text)
        if not found:
            raise RuntimeError(f"no CSRF token on the page (HTTP {page.status})")
        self.csrf_token = unescape(VALUE.search(found.group(0)).group(1))
        return self.csrf_token

    def log_in(self, email, password):
        """Through the real form: the CSRF token from the page, then the POST; the session cookie is kept."""
        self.read_csrf(self.get("/login"))
        answer = self.post_form("/login", {"csrf_token": self.csrf_token, "email": email, "password": password})
        if answer.status != 302:
            raise RuntimeError(f"logging in answered HTTP {answer.status}")


def next_page_link(page):
    found = NEXT_LINK.search(page.text)
    return unescape(found.group(1)) if found else None


def percentile(samples, share):
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(samples)
    if not ordered:
        return None
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary_ms(seconds):
    return {"p50_ms": round(percentile(seconds, 0.5) * 1000, 2), "p95_ms": round(percentile(seconds, 0.95) * 1000, 2),
            "min_ms": round(min(seconds) * 1000, 2), "max_ms": round(max(seconds) * 1000, 2), "samples": len(seconds)}


def decode(value, for_sqlite):
    """The inverse of instrument.encode, giving the driver what it was given."""
    if isinstance(value, list):
        return [decode(item, for_sqlite) for item in value]
    if not isinstance(value, dict):
        return value
    (tag, inner), = value.items()
    if tag == "$dict":
        return {key: decode(item, for_sqlite) for key, item in inner.items()}
    if tag == "$tuple":
        return tuple(decode(item, for_sqlite) for item in inner)
    if tag in ("$json", "$jsonb"):
        from psycopg.types.json import Json, Jsonb

        return (Json if tag == "$json" else Jsonb)(inner)
    converters = {"$datetime": datetime.fromisoformat, "$date": date.fromisoformat, "$time": clock_time.fromisoformat,
                  "$decimal": Decimal, "$bytes": base64.b64decode}
    if tag not in converters:
        raise ValueError(f"cannot replay a parameter recorded as {value}")
    return converters[tag](inner)


class Replayer:
    """Runs recorded statements raw on the same database, in a transaction that is rolled back, and times them."""

    def __init__(self, database_url):
        self.is_sqlite = database_url.startswith("sqlite")
        if self.is_sqlite:
            import sqlite3

            self.connection = sqlite3.connect(database_url.split("///", 1)[1], isolation_level=None)
            for pragma in ("PRAGMA busy_timeout=10000", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL"):
                self.connection.execute(pragma)
        else:
            import psycopg

            self.connection = psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"))

    def close(self):
        self.connection.close()

    def _run(self, cursor, statement, parameters, executemany):
        if executemany:
            cursor.executemany(statement, parameters)
        elif self.is_sqlite or statement.lstrip().upper().startswith(WRITE_PREFIXES):
            cursor.execute(statement, parameters)
        else:
            # A read is prepared, as the app's statements are once they ran a few times on its connection: the
            # floor is the statement's own work, not PostgreSQL parsing and planning it again. (A replayed write
            # that meets its original's row rolls back to a savepoint, which makes psycopg forget them all.)
            cursor.execute(statement, parameters, prepare=True)
        if cursor.description is not None:
            cursor.fetchall()

    def _once(self, recorded):
        """(seconds per statement, statements that failed) for one pass; a failure is timed like a success."""
        import_error = self._error_class()
        times, failures = [], 0
        cursor = self.connection.cursor()
        if self.is_sqlite:
            cursor.execute("BEGIN")
        for statement, parameters, executemany in recorded:
            started = time.perf_counter()
            is_write = statement.lstrip().upper().startswith(WRITE_PREFIXES)
            try:
                if is_write and not self.is_sqlite:
                    # A replayed write meets the rows its original wrote (unique keys); a savepoint keeps the
                    # PostgreSQL transaction usable after such an error.
                    with self.connection.transaction():
                        self._run(cursor, statement, parameters, executemany)
                else:
                    self._run(cursor, statement, parameters, executemany)
            except import_error:
                failures += 1
            times.append(time.perf_counter() - started)
        if self.is_sqlite:
            cursor.execute("ROLLBACK")
        else:
            # Straight through libpq: psycopg forgets its prepared statements on a ROLLBACK it sends itself.
            self.connection.pgconn.exec_(b"ROLLBACK")
        return times, failures

    def _error_class(self):
        if self.is_sqlite:
            import sqlite3

            return sqlite3.Error
        import psycopg

        return psycopg.Error

    def replay(self, statements, repeats):
        """The median total time of the statements and each statement's median, over `repeats` passes."""
        recorded = [(s["statement"], decode(s["parameters"], self.is_sqlite), s["executemany"]) for s in statements]
        passes, failures = [], 0
        for _ in range(repeats + 1):
            times, failed = self._once(recorded)
            passes.append(times)
            failures = max(failures, failed)
        passes = passes[1:]  # the first pass warms the page cache and the statement caches
        totals = [sum(times) for times in passes]
        per_statement = [percentile([times[index] for times in passes], 0.5) for index in range(len(recorded))]
        return percentile(totals, 0.5), per_statement, failures

    def plan(self, statement, parameters):
        """EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, for a read statement."""
        values = decode(parameters, self.is_sqlite)
        cursor = self.connection.cursor()
        if self.is_sqlite:
            rows = cursor.execute("EXPLAIN QUERY PLAN " + statement, values).fetchall()
            return [f"{row[0]}|{row[1]}|{row[3]}" for row in rows]
        try:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, values)
            return [row[0] for row in cursor.fetchall()]
        finally:
            self.connection.rollback()


def peak_rss_mb(pid):
    """VmHWM of a process: the most resident memory it has had."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def children_of(pid):
    found = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(child) for child in handle.read().split()]
    except OSError:
        pass
    import os

    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except OSError:
                continue
    return found
