"""Health, readiness, metrics, the System page, `sellerkit status`, request ids, and the scheduler's heartbeat."""
import json
import logging
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import update

from benchmarks.server import Server
from sellerkit.clock import utcnow
from sellerkit.system.logs import JsonLines
from sellerkit.system.models import SchedulerHeartbeat


def _run_scheduler_once(app):
    result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output


def test_healthz_answers_without_login_or_database(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json == {"status": "ok"}


def test_readyz_waits_for_a_live_scheduler_and_shows_no_secrets(app, client):
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json["status"] == "not ready"
    assert answer.json["checks"]["database"]["ok"]
    assert answer.json["checks"]["migrations"]["ok"]
    assert answer.json["checks"]["scheduler"]["detail"] == "no scheduler has ever run"

    _run_scheduler_once(app)
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json["status"] == "ready"
    assert answer.json["checks"]["channels"] == {"ok": True, "detail": "no channels"}
    body = answer.get_data(as_text=True)
    assert app.config["SECRET_KEY"] not in body
    assert "127.0.0.1" not in body and "sqlite:" not in body


def test_readyz_answers_503_while_the_database_is_away_and_healthz_still_answers(make_app):
    down = make_app(DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/none",
                    SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}})
    client = down.test_client()
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json["checks"] == {"database": {"ok": False, "detail": "not reachable (OperationalError)"}}
    assert client.get("/healthz").status_code == 200


def test_readyz_fails_when_the_heartbeat_is_older_than_two_minutes(app, client, db):
    _run_scheduler_once(app)
    db.update(lambda session: session.execute(update(SchedulerHeartbeat).values(
        beat_at=utcnow() - timedelta(minutes=3))))
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert not answer.json["checks"]["scheduler"]["ok"]


def test_status_prints_readiness_backlog_clocks_and_channels(app, make_user, make_shop, make_conversation):
    owner = make_user()
    make_conversation(make_shop(owner), owner)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["status"])
    assert result.exit_code == 1
    assert "scheduler    FAILING  no scheduler has ever run" in result.output
    _run_scheduler_once(app)
    result = runner.invoke(args=["status"])
    assert result.exit_code == 0, result.output
    assert "outbox       pending 1" in result.output
    assert "clocks       open 1, past due 1, breached 1" in result.output
    assert "channels     no channels" in result.output


def test_metrics_count_requests_by_route_and_read_the_outbox(app, client, make_user, make_shop, make_conversation):
    owner = make_user()
    make_conversation(make_shop(owner), owner)
    client.get("/healthz")
    _run_scheduler_once(app)
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.content_type.startswith("text/plain")
    text = answer.get_data(as_text=True)
    assert 'sellerkit_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'sellerkit_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz"}' in text
    assert 'sellerkit_outbox_items{status="pending"} 1.0' in text
    assert "sellerkit_response_clocks_open 1.0" in text
    assert 'sellerkit_scheduler_job_duration_seconds_count{job="deliver-outbox"}' in text
    assert "sellerkit_scheduler_heartbeat_age_seconds" in text


def test_metrics_are_refused_to_other_machines_without_the_token(app, make_app):
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    assert app.test_client().get("/metrics", environ_base=remote).status_code == 403
    guarded = make_app(METRICS_TOKEN="scrape-me-please")
    client = guarded.test_client()
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", environ_base=remote,
                      headers={"Authorization": "Bearer scrape-me-please"}).status_code == 200


def test_the_system_page_shows_backups_to_the_instance_admin_only(app, client, auth, make_user, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["create-user", "admin@example.com", "--password", "correct horse battery",
                               "--admin"]).exit_code == 0
    make_user()
    auth.login()
    assert client.get("/system").status_code == 404
    assert "/system" not in client.get("/settings/").get_data(as_text=True)
    auth.logout()

    auth.login("admin@example.com")
    page = client.get("/system").get_data(as_text=True)
    assert "No backup has been taken yet." in page
    assert 'href="/system"' in client.get("/settings/").get_data(as_text=True)
    result = runner.invoke(args=["backup", str(tmp_path / "nightly.tar.gz")])
    assert result.exit_code == 0, result.output
    page = client.get("/system").get_data(as_text=True)
    assert "Last backup:" in page
    assert str(tmp_path / "nightly.tar.gz") in page


def test_grant_admin_makes_an_existing_user_an_admin(app, client, auth, make_user):
    make_user()
    result = app.test_cli_runner().invoke(args=["grant-admin", "Owner@Example.com"])
    assert result.exit_code == 0, result.output
    auth.login()
    assert client.get("/system").status_code == 200


def test_a_request_id_is_kept_when_sane_and_made_otherwise(client):
    assert client.get("/healthz", headers={"X-Request-Id": "lb-7f3a"}).headers["X-Request-Id"] == "lb-7f3a"
    forged = client.get("/healthz", headers={"X-Request-Id": "x\" level=ERROR \"" + "9" * 80}).headers["X-Request-Id"]
    assert len(forged) == 32 and forged.isalnum()


@pytest.fixture
def json_logging(make_app):
    app = make_app(LOG_FORMAT="json")
    yield app
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h.formatter, JsonLines)]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)


def test_json_logs_carry_the_request_id(json_logging):
    handlers = [h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonLines)]
    assert len(handlers) == 1
    with json_logging.test_request_context("/readyz", headers={"X-Request-Id": "abc-123"}):
        json_logging.preprocess_request()
        record = logging.LogRecord("sellerkit", logging.ERROR, __file__, 1, "Delivery to %s failed", ("shop 4",), None)
        entry = json.loads(handlers[0].formatter.format(record))
    assert entry["request_id"] == "abc-123"
    assert entry["message"] == "Delivery to shop 4 failed"
    assert entry["path"] == "/readyz"
    assert entry["level"] == "ERROR"


class MetricsServer(Server):
    """gunicorn with two workers in Prometheus multiprocess mode."""

    def __init__(self, database_url, instance_path, metrics_dir, log_path):
        super().__init__(database_url, instance_path, "metrics-test-secret", 2, log_path)
        self.metrics_dir = metrics_dir
        self.app = "sellerkit:create_web_app()"  # as deployed: without the benchmark's instrumentation

    def _environment(self):
        environment = super()._environment()
        environment["PROMETHEUS_MULTIPROC_DIR"] = self.metrics_dir
        return environment


def test_metrics_add_up_every_gunicorn_worker(migrated_database, tmp_path):
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    server = MetricsServer(migrated_database, str(tmp_path / "instance"), str(metrics_dir),
                           str(tmp_path / "gunicorn.log")).start()
    try:
        for _ in range(20):  # a connection each, so both workers take some
            with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=10) as answer:
                assert answer.status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=10) as answer:
            text = answer.read().decode()
    finally:
        server.stop()
    assert 'sellerkit_http_requests_total{method="GET",route="/healthz",status="200"} 20.0' in text
    assert list(metrics_dir.glob("counter_*.db"))


def test_a_channel_failing_for_over_an_hour_shows_in_readiness_status_and_metrics(app, client, monkeypatch):
    """Channels plug in at services.channel_states (none exist yet); what they report reaches every probe."""
    from sellerkit.system import services
    from sellerkit.system.domain import ChannelState

    now = utcnow()
    monkeypatch.setattr(services, "channel_states", lambda: [
        ChannelState("ozon", failing_since=now - timedelta(hours=2), last_fetched_at=now - timedelta(hours=2),
                     failed_fetches=9)])
    _run_scheduler_once(app)
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json["checks"]["channels"] == {"ok": False, "detail": "failing for over an hour: ozon"}
    status = app.test_cli_runner().invoke(args=["status"])
    assert status.exit_code == 1
    assert "channel      ozon: fetched 72" in status.output  # 7200 s, and a second more on a slow machine
    assert "(9 failed fetches)" in status.output
    text = client.get("/metrics").get_data(as_text=True)
    assert 'sellerkit_channel_failed_fetches{channel="ozon"} 9.0' in text
    assert 'sellerkit_channel_fetch_lag_seconds{channel="ozon"} 72' in text
