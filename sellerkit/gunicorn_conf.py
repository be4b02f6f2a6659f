"""Gunicorn settings for sellerkit's web workers (`gunicorn -c python:sellerkit.gunicorn_conf ...`)."""
import gc
import os

# Threads, not sync workers: a page's live stream (server-sent events) stays open for minutes, and holds one
# thread of its worker, not the whole worker, while the other threads serve pages.
worker_class = "gthread"
threads = int(os.environ.get("SELLERKIT_WEB_THREADS", "128"))


def post_worker_init(worker):
    """Once the app is loaded, move its long-lived objects (models, templates, catalogs, the route map) out of
    the garbage collector's sight: otherwise every full collection walks them all again, which shows as a
    slow request now and then rather than as a slower average."""
    gc.collect()
    gc.freeze()


def child_exit(server, worker):
    """Prometheus multiprocess mode (PROMETHEUS_MULTIPROC_DIR set): forget a dead worker's live gauges, as the
    client's documentation asks; its counters and histograms stay counted."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
