"""What the tests of the platform kinds share: a reply as the outbox hands it over, and fetching until done."""
from sellerkit.outbox.transports import Delivery


def reply_delivery(external_id, body, attachments=()):
    """A reply to the thread `external_id` (the kind's own id of the conversation), as the outbox hands it over."""
    return Delivery(outbox_id=1, shop_id=1, subject="", body=body, is_automatic=False,
                    message_id_header="<r.1@example.com>", in_reply_to=None, to_email=None,
                    from_email="shop@example.com", webhook_url=None, webhook_secret=None,
                    payload={"thread": {"id": 1, "external_id": external_id}}, attachments=attachments)


def fetch_until_done(fetch_one, cursor, limit, rounds=200):
    """`fetch_one(cursor)` again and again until its batch says nothing more waits: (every message, last cursor).
    No batch may hold more than `limit` messages, and the fetches must end."""
    fetched = []
    for _ in range(rounds):
        batch = fetch_one(cursor)
        assert len(batch.messages) <= limit
        fetched.extend(batch.messages)
        cursor = batch.cursor
        if not batch.more:
            return fetched, cursor
    raise AssertionError("the fetch never ended")
