"""Replies in a conversation that came through a channel leave through it (kind.send), files included; the outbox
knows the channel only as a registered transport."""
import io
import json
from datetime import timedelta

from sqlalchemy import select

from sellerkit.channels import polling
from sellerkit.channels.models import Channel
from sellerkit.clock import utcnow
from sellerkit.extensions import db as sqla
from sellerkit.outbox.delivery import deliver_due
from sellerkit.outbox.models import OutboxItem
from sellerkit.threads.models import Thread
from tests.samples import PDF


def _conversation(app, make_user, make_shop, make_channel, **settings):
    shop_id = make_shop(make_user())
    channel_id, source = make_channel(shop_id, count=1, secrets={"password": "right"}, **settings)
    with app.app_context():
        polling.poll_due(utcnow())
        thread_id = sqla.session.scalar(select(Thread.id).where(Thread.channel_id == channel_id))
    return shop_id, channel_id, source, thread_id


def _deliver(app):
    with app.app_context():
        return deliver_due(utcnow() + timedelta(seconds=1), app.config)


def test_a_reply_in_the_browser_goes_out_through_the_channel_with_its_files(app, client, auth, make_user, make_shop,
                                                                              make_channel):
    _shop_id, _channel_id, source, thread_id = _conversation(app, make_user, make_shop, make_channel)
    auth.login()
    response = client.post(f"/threads/{thread_id}/reply", data={
        "body": "Your parcel left today.", "attachments": [(io.BytesIO(PDF), "invoice.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        assert sqla.session.scalars(select(OutboxItem.transport)).all() == ["channel"]
    assert _deliver(app) == (1, 0)
    (sent,) = [json.loads(line) for line in source.with_suffix(".sent").read_text().splitlines()]
    assert sent == {"body": "Your parcel left today.", "to": "conversation-1", "files": ["invoice.pdf"],
                    "password": "right"}
    with app.app_context():
        assert sqla.session.scalars(select(OutboxItem.status)).all() == ["sent"]


def test_a_refusal_of_the_platform_marks_the_reply_failed(app, client, auth, make_user, make_shop, make_channel):
    _shop_id, channel_id, _source, thread_id = _conversation(app, make_user, make_shop, make_channel)
    with app.app_context():
        channel = sqla.session.get(Channel, channel_id)
        channel.settings = {**channel.settings, "fail": "not_allowed"}
        sqla.session.commit()
    auth.login()
    client.post(f"/threads/{thread_id}/reply", data={"body": "Hello"})
    assert _deliver(app) == (0, 1)
    with app.app_context():
        item = sqla.session.scalars(select(OutboxItem)).one()
        assert item.status == "failed"
        assert "refused" in item.last_error


def test_a_paused_channel_leaves_replies_to_the_shops_own_way(app, client, auth, make_user, make_shop, make_channel):
    _shop_id, channel_id, _source, thread_id = _conversation(app, make_user, make_shop, make_channel)
    auth.login()
    client.post(f"/channels/{channel_id}/pause")
    client.post(f"/threads/{thread_id}/reply", data={"body": "Hello"})
    with app.app_context():
        assert sqla.session.scalars(select(OutboxItem.transport)).all() == ["manual"]
