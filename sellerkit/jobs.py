"""The one list of periodic jobs. Each finds what is due, acts, marks it done and commits once."""
from dataclasses import dataclass
from typing import Callable

from flask import current_app

from sellerkit.accounts import services as accounts
from sellerkit.clock import utcnow
from sellerkit.extensions import db
from sellerkit.outbox.delivery import deliver_due
from sellerkit.sla import services as sla


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    run: Callable


def purge_expired_auth_records():
    """Drop expired sessions and reset tokens, and login failures older than the throttling window."""
    accounts.purge_expired(utcnow(), current_app.config["LOGIN_WINDOW"])
    db.session.commit()


def deliver_outbox():
    """Send every due reply through its transport; failures wait with backoff, nothing is sent twice."""
    deliver_due(utcnow(), current_app.config)


def sweep_response_clocks():
    """Record response warnings and breaches that fell due; each is recorded once, whoever sweeps."""
    sla.sweep(utcnow())
    db.session.commit()


JOBS = (
    Job("sweep-response-clocks", every_seconds=60, run=sweep_response_clocks),
    Job("deliver-outbox", every_seconds=15, run=deliver_outbox),
    Job("purge-expired-auth-records", every_seconds=3600, run=purge_expired_auth_records),
)
