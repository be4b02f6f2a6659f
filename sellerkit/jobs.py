"""The one list of periodic jobs. Each finds what is due, acts, marks it done and commits once."""
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from sellerkit.accounts import services as accounts
from sellerkit.channels import polling as channels
from sellerkit.channels import watching
from sellerkit.clock import utcnow
from sellerkit.database import checkpoint_wal
from sellerkit.extensions import db
from sellerkit.followups import services as followups
from sellerkit.imports import services as imports
from sellerkit.live import events as live_events
from sellerkit.notices import mail as notices
from sellerkit.outbox.delivery import deliver_due
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
    tables = (search.SEARCH_TABLE, ticket_search.SEARCH_TABLE)
    return sum(search.compact_fts(table, COMPACT_SECONDS) for table in tables)


def deliver_outbox():
    """Send every due item (replies, follow-ups, ticket mails, password resets, notices) through its transport;
    failures wait with backoff, and a delivery the receiver may have seen is repeated under the same key."""
    deliver_due(utcnow(), current_app.config)


def sweep_response_clocks():
    """Record response warnings and breaches that fell due, each once; then queue each new warning's mail once."""
    now = utcnow()
    sla.sweep(now)
    disputes.mark_breached(now)
    db.session.commit()
    if not current_app.config.get("MAIL_SERVER"):
        return  # the warnings stay in the notifications list
    for _id, thread_id, *_rest in sla.claim_warning_mails(now):
        notices.queue_deadline_warning(thread_id, now)
    db.session.commit()


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
    the owners hear of each new draft by mail, queued in the outbox (and see it at the top of the ticket list)."""
    now = utcnow()
    tickets.close_by_platform_rules(now)
    drafts = disputes.escalate_waiting(now)
    if current_app.config.get("MAIL_SERVER"):
        for ticket in drafts:
            notices.queue_ticket_draft(ticket, now)
    db.session.commit()


def run_imports():
    """Import the files sellers uploaded in the browser, a piece per transaction, resuming any whose worker died."""
    imports.run_imports(utcnow)


def poll_channels():
    """Fetch new buyer messages from every channel that is due, each by one poller at a time, its messages and
    cursor committed together; a failing channel waits longer after each failure."""
    channels.poll_due(utcnow())


def watch_mailboxes():
    """Keep a watcher on every mailbox that announces new mail (IMAP IDLE): its mail is fetched within seconds."""
    watching.refresh(current_app.extensions)


def beat_heartbeat():
    """Tell readiness checks that this scheduler process is alive (one row per host and process)."""
    system.beat(f"{socket.gethostname()}:{os.getpid()}", utcnow())
    db.session.commit()


def prune_live_events():
    """Drop the live events no page can still be waiting for; returns how many."""
    pruned = live_events.prune(utcnow())
    db.session.commit()
    return pruned


def take_scheduled_backup():
    """The daily backup into BACKUP_DIR once BACKUP_DAILY_AT (UTC) has passed, keeping BACKUP_KEEP; off while unset."""
    backups.run_scheduled_backup(utcnow(), utcnow)


JOBS = (
    Job("scheduler-heartbeat", every_seconds=30, run=beat_heartbeat),
    Job("sweep-response-clocks", every_seconds=60, run=sweep_response_clocks),
    Job("deliver-outbox", every_seconds=15, run=deliver_outbox),
    Job("run-imports", every_seconds=5, run=run_imports),
    Job("poll-channels", every_seconds=15, run=poll_channels),
    Job("watch-mailboxes", every_seconds=60, run=watch_mailboxes),
    Job("send-follow-ups", every_seconds=300, run=send_follow_ups),
    Job("follow-tickets", every_seconds=300, run=follow_tickets),
    Job("purge-expired-auth-records", every_seconds=3600, run=purge_expired_auth_records),
    Job("checkpoint-database", every_seconds=30, run=checkpoint_database),
    Job("compact-search-indexes", every_seconds=60, run=compact_search_indexes),
    Job("take-scheduled-backup", every_seconds=300, run=take_scheduled_backup),
    Job("prune-live-events", every_seconds=300, run=prune_live_events),
)
