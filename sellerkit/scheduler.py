"""Runs the jobs of sellerkit.jobs with APScheduler: in its own process, or beside the web server in make run."""
import logging
import time
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from sellerkit.extensions import db
from sellerkit.jobs import JOBS
from sellerkit.system.metrics import observe_job

log = logging.getLogger(__name__)


def _in_app_context(app, job):
    def run():
        started, failed = time.perf_counter(), False
        with app.app_context():
            try:
                job.run()
            except Exception:
                # One failed sweep must not stop the scheduler; the rows it left stay due for the next one.
                failed = True
                db.session.rollback()
                log.exception("Job %s failed", job.name)
        observe_job(job.name, time.perf_counter() - started, failed)
    return run


def build_scheduler(app, blocking):
    """A scheduler with every job; the work itself lives in our tables, so APScheduler keeps only timers."""
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone="UTC")
    for job in JOBS:
        # coalesce + max_instances=1: a slow sweep is never run twice at once and missed runs fold into one.
        scheduler.add_job(_in_app_context(app, job), "interval", seconds=job.every_seconds, id=job.name,
                          coalesce=True, max_instances=1,
                          next_run_time=datetime.now(UTC))
    return scheduler


def run_all_once(app):
    """Run every job once now (the `sellerkit scheduler --once` command and the tests)."""
    for job in JOBS:
        _in_app_context(app, job)()
