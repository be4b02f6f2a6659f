"""Watching mailboxes that announce new mail (IMAP IDLE): a buyer's mail is fetched within seconds instead of at the
next poll. A watcher only marks its channel due; the poll sweep fetches and stores as always."""
import logging
import threading
import time

from sqlalchemy import false, select, update

from sellerkit.channels import crypto
from sellerkit.channels.kinds import ChannelError, ChannelKind, kind_named
from sellerkit.channels.models import Channel
from sellerkit.clock import utcnow
from sellerkit.extensions import db

log = logging.getLogger(__name__)
EXTENSION = "sellerkit.channel_watchers"
#: RFC 2177 asks clients to renew IDLE at least every 29 minutes; some servers drop a connection sooner.
WAIT_SECONDS = 25 * 60
#: After a failure the watcher waits this long; the poll sweep keeps the channel's own back-off and status.
PAUSE_AFTER_ERROR = 60


def watch_once(app, channel_id, seconds=WAIT_SECONDS):
    """Wait up to `seconds` for the channel's platform to announce news, and mark the channel due when it does.
    Returns True (news), False (none in time) or None (the channel is gone or paused, or its server cannot tell)."""
    with app.app_context():  # the kind reads the app's settings (a private CA) while it waits
        channel = db.session.get(Channel, channel_id)
        kind = kind_named(channel.kind) if channel is not None and not channel.is_paused else None
        if kind is None:
            return None
        settings, secrets = dict(channel.settings or {}), crypto.decrypt_secrets(channel.secrets)
        db.session.rollback()  # no transaction stays open while the server is quiet
        news = kind.wait_for_news(settings, secrets, seconds)
        if news:
            now = utcnow()
            db.session.execute(update(Channel).where(Channel.id == channel_id, Channel.next_fetch_at > now,
                                                     Channel.is_paused == false()).values(next_fetch_at=now))
            db.session.commit()
        return news


class Watchers:
    """One daemon thread per channel whose server announces news, in this scheduler process; `refresh` (a
    scheduler job) starts the missing ones. A channel whose server cannot announce news is left to the poll."""

    def __init__(self, app):
        self.app = app
        self.threads = {}
        self.unsupported = set()
        self.lock = threading.Lock()

    def refresh(self):
        with self.app.app_context():
            rows = db.session.execute(select(Channel.id, Channel.kind).where(Channel.is_paused == false())).all()
            db.session.rollback()
        for channel_id, kind_name in rows:
            kind = kind_named(kind_name)
            if kind is None or type(kind).wait_for_news is ChannelKind.wait_for_news or channel_id in self.unsupported:
                continue
            with self.lock:
                if channel_id in self.threads and self.threads[channel_id].is_alive():
                    continue
                thread = threading.Thread(target=self._watch, args=(channel_id,), daemon=True,
                                          name=f"watch-channel-{channel_id}")
                self.threads[channel_id] = thread
                thread.start()

    def _watch(self, channel_id):
        while True:
            try:
                news = watch_once(self.app, channel_id)
            except ChannelError as error:
                log.info("Watching channel %s failed (%s); the poll goes on", channel_id, error.code)
                time.sleep(PAUSE_AFTER_ERROR)
                continue
            except Exception:  # noqa: BLE001 - a watcher's fault never stops the scheduler; the poll goes on
                log.exception("Watching channel %s broke", channel_id)
                time.sleep(PAUSE_AFTER_ERROR)
                continue
            if news is None:
                if _is_active(self.app, channel_id):
                    self.unsupported.add(channel_id)  # its server has no IDLE: the poll alone serves it
                return  # paused or removed: `refresh` starts a watcher again when it is resumed


def _is_active(app, channel_id):
    with app.app_context():
        return db.session.scalar(select(Channel.id).where(Channel.id == channel_id,
                                                          Channel.is_paused == false())) is not None


def init_app(app):
    """Each app has its watchers; none starts until the scheduler's job asks."""
    app.extensions[EXTENSION] = Watchers(app)


def refresh(extensions):
    """The scheduler's job: watch every channel whose server can announce news and that nobody here watches yet."""
    extensions[EXTENSION].refresh()
