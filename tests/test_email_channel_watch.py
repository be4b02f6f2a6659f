"""A mailbox that announces new mail (IMAP IDLE) is fetched at once: its watcher marks the channel due as soon as
Dovecot tells of a buyer's mail, and the next poll sweep brings the mail in."""
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from sellerkit.channels import polling, watching
from sellerkit.channels.models import Channel
from sellerkit.clock import utcnow
from sellerkit.extensions import db as sqla
from tests.mailchannel import mail
from tests.test_email_channel_outage import _bodies, _channel, _connect, shop_id, trusting_app  # noqa: F401

pytestmark = pytest.mark.dovecot


def test_a_watched_mailbox_is_due_as_soon_as_a_mail_arrives(trusting_app, shop_id, dovecot):  # noqa: F811
    channel_id = _connect(trusting_app, shop_id, dovecot)
    later = utcnow() + timedelta(minutes=30)
    with trusting_app.app_context():
        sqla.session.execute(update(Channel).where(Channel.id == channel_id).values(next_fetch_at=later))
        sqla.session.commit()
    timer = threading.Timer(1.0, dovecot.deliver, [mail(body="Is the blue one back in stock?")])
    started = time.monotonic()
    timer.start()
    try:
        assert watching.watch_once(trusting_app, channel_id, seconds=30) is True
    finally:
        timer.join()
    assert time.monotonic() - started < 20
    assert _channel(trusting_app, channel_id).next_fetch_at <= utcnow()
    with trusting_app.app_context():
        polling.poll_due(utcnow())
    assert _bodies(trusting_app) == ["Is the blue one back in stock?"]


def test_a_paused_mailbox_is_not_watched(trusting_app, shop_id, dovecot):  # noqa: F811
    channel_id = _connect(trusting_app, shop_id, dovecot)
    with trusting_app.app_context():
        sqla.session.execute(update(Channel).where(Channel.id == channel_id).values(is_paused=True))
        sqla.session.commit()
    assert watching.watch_once(trusting_app, channel_id, seconds=5) is None
