"""`python -m benchmarks` (`make bench`): build the data set, time each operation under gunicorn, write and print."""
import json
import os
import platform
import secrets
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import click

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
#: Databases the benchmark never drops, whatever URL it is given.
PROTECTED_DATABASES = ("test", "postgres", "template0", "template1")
#: Overdue clocks for the scheduler's backlog sweep.
BACKLOG = {"S": 200, "M": 10_000, "L": 10_000}
#: Webhook replies the outbox delivery is timed over.
OUTBOX_ITEMS = {"S": 200, "M": 3000, "L": 3000}
#: Batches each client of the batch ingest posts (of batch_ingest.BATCH messages).
INGEST_BATCHES = {"S": 1, "M": 5, "L": 5}
#: The growth bound compares each size with the one below it, measured before on the same database.
SMALLER = {"L": "M"}
CLIENT_THREADS = 8
TOP_STATEMENTS = 3


def latest_result(folder, database, size):
    """The newest result file of `database` at `size` in `folder` (names start with their UTC time), or None."""
    if size is None:
        return None
    found = sorted(Path(folder).glob(f"*-{database}-{size}.json"))
    return found[-1] if found else None


def _recreate_postgresql(url):
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not parsed.database or parsed.database in PROTECTED_DATABASES:
        raise click.ClickException(f"The benchmark drops and recreates its database; pick another name than "
                                   f"{parsed.database!r}.")
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(parsed.database)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(parsed.database)))
        return connection.execute("SHOW server_version").fetchone()[0]


def _drop_postgresql(url):
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(parsed.database)))


def _app(url, instance, secret):
    from benchmarks.server import PUBLIC_URL
    from sellerkit.app import create_app

    # The runner's own app only generates data and runs sweeps; the servers it starts are instrumented (webapp).
    return create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": secret,
                       "ENV": "production", "PUBLIC_URL": PUBLIC_URL})


def _dispose(app):
    from sellerkit.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _single_worker(url, instance, secret, work, facts, requests, *, warmup, echo):
    """Every operation, sequentially, against one gunicorn worker: timings, SQL counts and statements, peak RSS."""
    from benchmarks.measure import Client, peak_rss_mb
    from benchmarks.server import Server
    from benchmarks.workload import OPERATIONS, Operation, Workload, time_operations

    server = Server(url, str(instance), secret, 1, str(work / "gunicorn-1-worker.log")).start()
    try:
        client = Client(server.port)
        client.log_in(facts.email, facts.password)
        client.read_csrf(client.get(f"/threads/{facts.long_thread_id}"))
        workload = Workload(facts, 1, "single")
        depth = workload.find_deep_page(client)
        echo(f"  deep page: followed the keyset links to page {depth}")
        operations = (Operation("floor", "page", (200,)), *OPERATIONS)
        timed = time_operations(client, workload, operations, requests, warmup)
        measured = {}
        for operation in operations:
            seconds, counts, statements = timed[operation.name]
            measured[operation.name] = (operation, seconds, counts, statements)
            echo(f"  {operation.name}: {sorted(seconds)[len(seconds) // 2] * 1000:.1f} ms median, "
                 f"{max(c for c in counts if c is not None)} statements")
        rss = max(peak_rss_mb(pid) for pid in server.worker_pids())
        locked = server.log_count("database is locked")
    finally:
        server.stop()
    return measured, depth, rss, locked


def _figures(measured, url, repeats):
    """Percentiles, SQL counts, the SQL floor (statements replayed raw) and the slowest statements of each page."""
    from benchmarks.measure import Replayer, summary_ms

    replayer = Replayer(url)
    figures = {}
    try:
        for name, (operation, seconds, counts, statements) in measured.items():
            sql_floor, per_statement, failures = replayer.replay(statements, repeats)
            ranked = sorted(zip(per_statement, statements, strict=True), key=lambda pair: -pair[0])
            # request_ms is measured around cursor.execute in the app: on SQLite rows are stepped lazily, so it can
            # stop at the first row; replay_ms includes fetching every row and is the figure to trust.
            slowest = [{"replay_ms": round(ms * 1000, 3), "request_ms": round(s["ms"] or 0, 3),
                        "statement": s["statement"], "parameters": s["parameters"]}
                       for ms, s in ranked[:TOP_STATEMENTS]]
            reads = [s for _, s in ranked if s["statement"].lstrip().upper().startswith(("SELECT", "WITH"))]
            plan = replayer.plan(reads[0]["statement"], reads[0]["parameters"]) if reads else []
            known = [c for c in counts if c is not None]
            figures[name] = {"kind": operation.kind, **summary_ms(seconds), "sql_count": max(known),
                             "sql_count_min": min(known), "sql_floor_ms": round(sql_floor * 1000, 3),
                             "replay_failures": failures, "slowest_statements": slowest,
                             "slowest_read_plan": plan}
    finally:
        replayer.close()
    floor = figures.pop("floor")
    for values in figures.values():
        values["floor_ratio"] = round(values["p50_ms"] / (floor["p50_ms"] + values["sql_floor_ms"]), 2)
    return figures, floor


def _concurrency(url, instance, secret, work, facts, seconds):
    from benchmarks.server import Server
    from benchmarks.workload import mixed_load

    server = Server(url, str(instance), secret, 2, str(work / "gunicorn-2-workers.log")).start()
    try:
        mixed = mixed_load(server.port, facts, seconds, CLIENT_THREADS, seed=7)
    finally:
        server.stop()
    mixed["database_locked"] = server.log_count("database is locked")
    return mixed


def run(size="M", database="sqlite", keep=False, concurrency_seconds=60, pg_url=DEFAULT_PG_URL, requests=50,
        *, warmup=5, results_dir=None, echo=click.echo):
    """The whole benchmark; returns (result, path of the JSON written)."""
    import sqlite3

    from flask_migrate import upgrade

    from benchmarks import batch_ingest, dataset, mailbox, outbox, report, suggestions, sweeps
    from sellerkit.clock import utcnow
    from sellerkit.config import PROJECT_ROOT
    from sellerkit.extensions import db

    began, started_at = time.perf_counter(), datetime.now(UTC)
    work = Path(tempfile.mkdtemp(prefix="sellerkit-bench-"))
    instance = work / "instance"
    instance.mkdir()
    secret = secrets.token_hex(32)
    if database == "postgresql":
        url, server_version = pg_url, _recreate_postgresql(pg_url)
    else:
        url, server_version = "sqlite:///" + str(instance / "bench.db"), sqlite3.sqlite_version
    result = {"size": size, "database": database, "database_version": server_version,
              "started_at": started_at.isoformat(timespec="seconds"), "python": platform.python_version(),
              "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
              "requests_per_operation": requests, "warmup_requests": warmup}
    app = _app(url, instance, secret)
    try:
        with app.app_context():
            upgrade()
        _dispose(app)
        echo(f"Generating data set {size} on {database} ...")
        facts = dataset.generate(app, size, utcnow().replace(microsecond=0), log=echo)
        _dispose(app)
        timings = facts.timings
        result["data_set"] = {**facts.counts, "generate_seconds": round(timings["generate_seconds"], 1)}
        result["import"] = {"messages": timings["messages"], "rate": round(timings["import_rate"]),
                            "write_rate": round(timings["import_write_rate"]),
                            "prepare_seconds": round(timings["prepare_seconds"], 2),
                            "write_seconds": round(timings["write_seconds"], 2)}
        echo(f"  {timings['messages']:,} buyer messages imported at {timings['import_rate']:,.0f}/s "
             f"({timings['import_write_rate']:,.0f}/s database side)")
        echo("Timing every operation in turn, round by round (gunicorn, 1 worker) ...")
        measured, depth, rss, locked = _single_worker(url, instance, secret, work, facts, requests,
                                                      warmup=warmup, echo=echo)
        echo("Replaying each page's SQL (SQL floor) ...")
        result["operations"], result["floor"] = _figures(measured, url, requests)
        result["deep_page_reached"] = depth
        result["peak_rss_mb"] = rss
        result["database_locked_single_worker"] = locked
        echo(f"Concurrency: 2 workers, {CLIENT_THREADS} client threads, {concurrency_seconds} s ...")
        result["concurrency"] = _concurrency(url, instance, secret, work, facts, concurrency_seconds)
        echo(f"API batch ingest: {batch_ingest.CLIENTS} client processes, 2 workers ...")
        result["batch_ingest"] = batch_ingest.measure(url, instance, secret, work / "gunicorn-batch-ingest.log", facts,
                                                      INGEST_BATCHES[size])
        echo("Scheduler sweeps ...")
        result["scheduler"] = sweeps.measure(app, BACKLOG[size])
        echo("Suggested replies on the labelled corpus (tests/corpora) ...")
        result["suggestion_accuracy"] = suggestions.figures_json(suggestions.evaluate())
        echo("Outbox delivery to a local webhook receiver ...")
        result["outbox"] = outbox.measure(app, OUTBOX_ITEMS[size])
        echo("A mailbox's backlog through the channel poll sweep (Dovecot) ...")
        result["mailbox_backlog"] = mailbox.measure(app, facts.ingest_shop_id, mailbox.MAILS[size], utcnow())
    finally:
        with app.app_context():
            db.engine.dispose()
        if keep:
            echo(f"Kept: {url} (instance {instance}); log in as {dataset.EMAIL} / {dataset.PASSWORD}")
        else:
            shutil.rmtree(work, ignore_errors=True)
            if database == "postgresql":
                _drop_postgresql(url)
    report.judge(result)
    folder = Path(results_dir) if results_dir else PROJECT_ROOT / "bench" / "results"
    folder.mkdir(parents=True, exist_ok=True)
    reference = latest_result(folder, database, SMALLER.get(size))
    if reference is not None:
        report.growth(result, json.loads(reference.read_text(encoding="utf-8")))
    result["wall_seconds"] = round(time.perf_counter() - began, 1)
    path = folder / f"{started_at.strftime('%Y%m%dT%H%M%SZ')}-{database}-{size}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    echo("")
    for line in [*report.table(result), *report.growth_table(result)]:
        echo(line)
    echo(f"\n{len(result['misses'])} targets missed; wall clock {result['wall_seconds']:.0f} s; results in {path}")
    return result, path


@click.command("bench")
@click.option("--size", type=click.Choice(["S", "M", "L"]), default="M", show_default=True,
              help="S: a smoke test; M: 100,000 threads; L: 250,000 threads.")
@click.option("--db", "database", type=click.Choice(["sqlite", "postgresql"]), default="sqlite", show_default=True)
@click.option("--keep", is_flag=True, help="Keep the generated database and say where it is.")
@click.option("--concurrency-seconds", type=int, default=60, show_default=True)
@click.option("--pg-url", default=DEFAULT_PG_URL, show_default=True,
              help="PostgreSQL database to drop, recreate and fill.")
@click.option("--requests", type=click.IntRange(min=1), default=50, show_default=True,
              help="Timed requests per operation, after the warm-up.")
@click.option("--results-dir", type=click.Path(file_okay=False), help="Default: bench/results.")
def bench_command(size, database, keep, concurrency_seconds, pg_url, requests, *, results_dir):
    """Time the operations of PERFORMANCE.md on a generated data set and write bench/results/*.json."""
    run(size, database, keep, concurrency_seconds, pg_url, requests, results_dir=results_dir)
