"""The one list of periodic jobs. Each finds what is due, acts, marks it done and commits once."""
from dataclasses import dataclass
from typing import Callable

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from sellerkit.accounts import services as accounts
from sellerkit.clock import utcnow
from sellerkit.extensions import db
from sellerkit.mail import send_system_mail
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
    """Record response warnings and breaches that fell due, each once; then mail each new warning once."""
    now = utcnow()
    sla.sweep(now)
    db.session.commit()
    if not current_app.config.get("MAIL_SERVER"):
        return  # the warnings stay in the notifications list
    claimed = sla.claim_warning_mails(now)
    db.session.commit()
    for _id, thread_id, subject, shop_name, owners in claimed:
        link = url_for("threads.thread_page", thread_id=thread_id, _external=True)
        for email, locale in owners:
            with force_locale(locale or "en"):
                send_system_mail(email, _("A buyer is waiting for your reply (%(shop)s)", shop=shop_name),
                                 _("The reply deadline for “%(subject)s” is close. Answer here:\n\n%(link)s",
                                   subject=subject or shop_name, link=link))


JOBS = (
    Job("sweep-response-clocks", every_seconds=60, run=sweep_response_clocks),
    Job("deliver-outbox", every_seconds=15, run=deliver_outbox),
    Job("purge-expired-auth-records", every_seconds=3600, run=purge_expired_auth_records),
)
