"""Prometheus metrics: requests and jobs counted per process; outbox, clocks and channels read when scraped."""
import hmac
import ipaddress
import os
import time
from functools import cache
from types import SimpleNamespace

from flask import current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from sellerkit.clock import utcnow
from sellerkit.system import services

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


@cache
def instruments():
    """The process's metrics, made once (the client keeps them in its default registry)."""
    return SimpleNamespace(
        requests=Counter("sellerkit_http_requests_total", "HTTP requests by route, method and status",
                         ["route", "method", "status"]),
        latency=Histogram("sellerkit_http_request_duration_seconds", "Time to answer a request, by route",
                          ["route", "method"]),
        job_seconds=Histogram("sellerkit_scheduler_job_duration_seconds", "Time a scheduler job ran, by job", ["job"],
                              buckets=(0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300)),
        job_failures=Counter("sellerkit_scheduler_job_failures_total", "Scheduler job runs that failed", ["job"]),
    )


def _route():
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


def start_timer():
    g.metrics_started = time.perf_counter()


def count_request(response):
    started = g.pop("metrics_started", None)
    if started is not None:
        metrics = instruments()
        route = _route()
        metrics.requests.labels(route, request.method, str(response.status_code)).inc()
        metrics.latency.labels(route, request.method).observe(time.perf_counter() - started)
    return response


def observe_job(name, seconds, failed):
    metrics = instruments()
    metrics.job_seconds.labels(name).observe(seconds)
    if failed:
        metrics.job_failures.labels(name).inc()


class DatabaseCollector:
    """Figures that live in the database, read at each scrape (so every worker and scheduler agrees on them)."""

    def collect(self):
        now = utcnow()
        figures = services.backlog(now)
        outbox = GaugeMetricFamily("sellerkit_outbox_items", "Outbox items by status", labels=["status"])
        for status in ("pending", "sending", "sent", "failed"):
            outbox.add_metric([status], figures["outbox"].get(status, 0))
        yield outbox
        yield GaugeMetricFamily("sellerkit_outbox_due", "Outbox items due for delivery now",
                                value=figures["outbox_due"])
        yield GaugeMetricFamily("sellerkit_response_clocks_open", "Open response clocks", value=figures["clocks_open"])
        yield GaugeMetricFamily("sellerkit_response_clocks_overdue", "Open response clocks past their deadline",
                                value=figures["clocks_overdue"])
        yield GaugeMetricFamily("sellerkit_response_clock_breaches", "Response clocks that were breached",
                                value=figures["clocks_breached"])
        beat = services.last_heartbeat_at()
        heartbeat = GaugeMetricFamily("sellerkit_scheduler_heartbeat_age_seconds",
                                      "Seconds since the newest scheduler heartbeat")
        if beat is not None:
            heartbeat.add_metric([], (now - beat).total_seconds())
        yield heartbeat
        lag = GaugeMetricFamily("sellerkit_channel_fetch_lag_seconds", "Seconds since each channel last fetched",
                                labels=["channel"])
        errors = GaugeMetricFamily("sellerkit_channel_failed_fetches", "Each channel's failed fetches in a row",
                                   labels=["channel"])
        failing = GaugeMetricFamily("sellerkit_channel_failing_seconds", "How long each channel has been failing",
                                    labels=["channel"])
        for channel in services.channel_states():
            if channel.last_fetched_at is not None:
                lag.add_metric([channel.name], (now - channel.last_fetched_at).total_seconds())
            errors.add_metric([channel.name], channel.failed_fetches)
            failing.add_metric([channel.name], (now - channel.failing_since).total_seconds()
                               if channel.failing_since else 0)
        yield lag
        yield errors
        yield failing


def exposition():
    """The text exposition: this process's (or, in multiprocess mode, every process's) metrics and the database's."""
    if os.environ.get(MULTIPROCESS_ENV):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        own = generate_latest(registry)
    else:
        from prometheus_client import REGISTRY

        own = generate_latest(REGISTRY)
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    return own + generate_latest(database), CONTENT_TYPE_LATEST


def may_scrape():
    """With METRICS_TOKEN set, a scrape must bring it as a bearer token; without, only the machine itself may."""
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def init_app(app):
    app.before_request(start_timer)
    app.after_request(count_request)
