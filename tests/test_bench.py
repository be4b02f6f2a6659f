"""The benchmark at a tiny size, end to end (data set, gunicorn, floors, concurrency, sweeps), so that it cannot rot.

It always runs on SQLite in a temporary directory, also in the PostgreSQL CI run: it times nothing that a test
could judge, it only checks that every figure is produced.
"""
import importlib.util
import json
import numbers

from benchmarks import instrument, report, runner
from benchmarks.workload import OPERATIONS


def test_bench_smoke_run_produces_every_figure_and_the_table(tmp_path, capsys):
    result, path = runner.run(size="S", database="sqlite", concurrency_seconds=2, requests=3, warmup=1,
                              results_dir=tmp_path)

    written = json.loads(path.read_text(encoding="utf-8"))
    assert path.parent == tmp_path and path.name.endswith("-sqlite-S.json")
    assert written == json.loads(json.dumps(result))
    assert set(written["operations"]) == {operation.name for operation in OPERATIONS}
    for name, figures in [*written["operations"].items(), ("floor", written["floor"])]:
        for key in ("p50_ms", "p95_ms", "sql_floor_ms"):
            assert isinstance(figures[key], numbers.Real) and figures[key] >= 0, (name, key)
        assert figures["samples"] == 3, name
        assert isinstance(figures["sql_count"], int) and figures["sql_count"] >= 1, name
        assert figures["slowest_statements"], name
    for figures in written["operations"].values():
        assert isinstance(figures["floor_ratio"], numbers.Real)
    assert written["data_set"]["threads"] == 300 and written["data_set"]["tickets"] >= 1
    assert written["import"]["write_rate"] > 0 and written["peak_rss_mb"] > 0
    assert written["scheduler"]["backlog_clocks"] == runner.BACKLOG["S"]
    assert written["scheduler"]["backlog_breaches_recorded_first_chunk"] == runner.BACKLOG["S"]
    assert written["outbox"]["sent"] == written["outbox"]["received"] == runner.OUTBOX_ITEMS["S"]
    assert written["concurrency"]["requests"] > 0 and written["concurrency"]["errors"] == 0
    assert written["concurrency"]["database_locked"] == 0
    ingest = written["batch_ingest"]
    assert ingest["messages"] == ingest["batches"] * ingest["batch"] > 0 and ingest["errors"] == 0
    assert ingest["per_second"] > 0 and ingest["database_locked"] == 0
    assert isinstance(written["misses"], list) and written["wall_seconds"] > 0

    printed = capsys.readouterr().out
    for label in ("inbox first page", "thread view, 20 messages", "medium-frequency word", "by order number",
                  "framework floor", "scheduler: steady sweep", "outbox delivery", "peak RSS", "concurrency",
                  "API batch ingest"):
        assert label in printed
    assert str(path) in printed

    # The growth bound: a run compared with itself grows x1 everywhere; with one twice as fast, x2 on every page.
    assert runner.latest_result(tmp_path, "sqlite", "S") == path
    assert runner.latest_result(tmp_path, "postgresql", "S") is None
    pages = [name for name, figures in written["operations"].items() if figures["kind"] == "page"]
    itself = json.loads(path.read_text(encoding="utf-8"))
    assert report.growth(itself, written) == []
    assert {values["ratio"] for values in itself["growth"]["operations"].values()} == {1.0}
    faster = json.loads(path.read_text(encoding="utf-8"))
    for name in pages:
        faster["operations"][name]["p95_ms"] = written["operations"][name]["p95_ms"] / 2
    slower = json.loads(path.read_text(encoding="utf-8"))
    assert len(report.growth(slower, faster)) == len(pages)
    assert all(not values["passes"] for values in slower["growth"]["operations"].values())
    assert any("x2.0" in line and "FAIL" in line for line in report.growth_table(slower))
    # Twice as slow with a floor twice as slow is the machine, not the data: it passes.
    faster["floor"]["p50_ms"] = written["floor"]["p50_ms"] / 2
    same_speed = json.loads(path.read_text(encoding="utf-8"))
    assert report.growth(same_speed, faster) == []
    assert {values["ratio_over_floor"] for values in same_speed["growth"]["operations"].values()} == {1.0}


def test_the_product_has_no_benchmark_pages_and_the_benchmark_attaches_them_from_outside(make_app):
    assert importlib.util.find_spec("sellerkit.bench") is None  # not in the installed package
    product = make_app()
    assert not [rule.rule for rule in product.url_map.iter_rules() if rule.rule.startswith("/_bench")]

    instrumented = make_app()
    instrument.install(instrumented)
    assert {"/_bench/floor", "/_bench/last-sql"} <= {rule.rule for rule in instrumented.url_map.iter_rules()}
