"""The one list of periodic jobs. Each finds what is due, acts, marks it done and commits once."""
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale

from sellerkit import inbox
from sellerkit.accounts import services as accounts
from sellerkit.clock import utcnow
from sellerkit.database import checkpoint_wal
from sellerkit.extensions import db
from sellerkit.followups import services as followups
from sellerkit.i18n import gettext as _
from sellerkit.links import public_link
from sellerkit.mail import send_system_mail
from sellerkit.outbox.delivery import deliver_due
from sellerkit.shops import services as shops
from sellerkit.sla import services as sla
from sellerkit.system import backups
from sellerkit.system import services as system
from sellerkit.threads import search
from sellerkit.tickets import disputes
from sellerkit.tickets import search as ticket_search
from sellerkit.tickets import services as tickets

#: The longest a run of compact-search-indexes merges each index; what is left waits for the next run.
COMPACT_SECONDS = 2


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    run: Callable


def purge_expired_auth_records():
    """Drop expired sessions and reset tokens, and login failures and reset requests older than their windows."""
    config = current_app.config
    accounts.purge_expired(utcnow(), config["LOGIN_WINDOW"], config["PASSWORD_RESET_WINDOW"])
    db.session.commit()


def checkpoint_database():
    """SQLite: move the write-ahead log into the database here, so that no web request pays for it; returns
    (busy, frames in the log, frames copied)."""
    return checkpoint_wal(db.engine)


def compact_search_indexes():
    """SQLite: keep the full-text indexes of messages and tickets in few b-trees (see search.compact_fts), a few
    seconds of merging at most per run; returns the merge steps done."""
    return sum(search.compact_fts(table, COMPACT_SECONDS) for table in (search.SEARCH_TABLE, ticket_search.SEARCH_TABLE))


def deliver_outbox():
    """Send every due item (replies, follow-ups, ticket mails, password resets) through its transport; failures
    wait with backoff, nothing is sent twice."""
    deliver_due(utcnow(), current_app.config, on_sent=inbox.reply_delivered)


def sweep_response_clocks():
    """Record response warnings and breaches that fell due, each once; then mail each new warning once."""
    now = utcnow()
    sla.sweep(now)
    disputes.mark_breached(now)
    db.session.commit()
    if not current_app.config.get("MAIL_SERVER"):
        return  # the warnings stay in the notifications list
    claimed = sla.claim_warning_mails(now)
    db.session.commit()
    for _id, thread_id, subject, shop_name, owners in claimed:
        link = public_link("threads.thread_page", thread_id=thread_id)
        for email, locale in owners:
            with force_locale(locale or "en"):
                send_system_mail(email, _("A buyer is waiting for your reply (%(shop)s)", shop=shop_name),
                                 _("The reply deadline for “%(subject)s” is close. Answer here:\n\n%(link)s",
                                   subject=subject or shop_name, link=link))


def send_follow_ups():
    """Plan follow-ups for orders that arrived by any path, then send the due ones in batches."""
    if not followups.can_send():
        current_app.logger.warning("Follow-ups wait: set SELLERKIT_PUBLIC_URL so they can carry an opt-out link.")
        return
    now = utcnow()
    followups.plan_all(now)
    db.session.commit()
    while followups.send_due(now) == followups.BATCH:
        db.session.commit()  # a batch per transaction: a long backlog never holds the write lock for long
    db.session.commit()


def follow_tickets():
    """Close tickets the platforms close by themselves, and draft tickets for disputes the shops' rules escalate;
    the owners hear of each new draft by mail (and see it at the top of the ticket list)."""
    now = utcnow()
    tickets.close_by_platform_rules(now)
    drafts = disputes.escalate_waiting(now)
    db.session.commit()
    if not current_app.config.get("MAIL_SERVER"):
        return
    for ticket in drafts:
        link = public_link("tickets.ticket_page", ticket_id=ticket.id)
        for email, locale in shops.owner_addresses(ticket.shop_id):
            with force_locale(locale or "en"):
                send_system_mail(email, _("A ticket draft is ready to file: %(number)s", number=ticket.number),
                                 _("A dispute was escalated by your rule. Check the draft and file it:\n\n%(link)s",
                                   link=link))


def beat_heartbeat():
    """Tell readiness checks that this scheduler process is alive (one row per host and process)."""
    system.beat(f"{socket.gethostname()}:{os.getpid()}", utcnow())
    db.session.commit()


def take_scheduled_backup():
    """The daily backup into BACKUP_DIR once BACKUP_DAILY_AT (UTC) has passed, keeping BACKUP_KEEP; off while unset."""
    backups.run_scheduled_backup(utcnow(), utcnow)


JOBS = (
    Job("scheduler-heartbeat", every_seconds=30, run=beat_heartbeat),
    Job("sweep-response-clocks", every_seconds=60, run=sweep_response_clocks),
    Job("deliver-outbox", every_seconds=15, run=deliver_outbox),
    Job("send-follow-ups", every_seconds=300, run=send_follow_ups),
    Job("follow-tickets", every_seconds=300, run=follow_tickets),
    Job("purge-expired-auth-records", every_seconds=3600, run=purge_expired_auth_records),
    Job("checkpoint-database", every_seconds=30, run=checkpoint_database),
    Job("compact-search-indexes", every_seconds=60, run=compact_search_indexes),
    Job("take-scheduled-backup", every_seconds=300, run=take_scheduled_backup),
)
