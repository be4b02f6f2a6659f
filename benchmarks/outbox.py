"""The outbox delivery sweep, timed over a backlog of webhook replies to a local receiver, several shops at once."""
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import delete, func, insert, select, update

from sellerkit.clock import utcnow
from sellerkit.extensions import db
from sellerkit.outbox.delivery import deliver_due
from sellerkit.outbox.models import OutboxItem
from sellerkit.shops.models import Shop
from sellerkit.threads.models import Message, Thread

BODY = "Your parcel left our warehouse today; the tracking number follows."
TARGET_PER_SECOND = 100


class _Receiver(BaseHTTPRequestHandler):
    """Answers every POST with 204 at once, as an integration that queues the event would."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received += 1
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def _queue(count, now):
    """`count` replies due now, spread over every shop's first thread, each with its outbox item."""
    threads = db.session.execute(select(Thread.shop_id, func.min(Thread.id)).group_by(Thread.shop_id)).all()
    messages = [{"shop_id": shop_id, "thread_id": thread_id, "direction": "out", "kind": "reply",
                 "body": f"{BODY} #{number}", "body_sha256": "0" * 64, "posted_at": now, "is_automatic": False,
                 "headers": {}, "created_at": now}
                for number, (shop_id, thread_id) in zip(range(count), _cycle(threads), strict=False)]
    ids = db.session.execute(insert(Message).returning(Message.id, Message.shop_id), messages).all()
    db.session.execute(insert(OutboxItem), [
        {"shop_id": shop_id, "kind": "reply", "message_id": message_id, "transport": "webhook", "status": "pending",
         "attempts": 0, "due_at": now, "created_at": now} for message_id, shop_id in ids])
    db.session.commit()
    return [message_id for message_id, _shop in ids]


def _cycle(rows):
    while True:
        yield from rows


def measure(app, count):
    """Deliver `count` webhook replies in one sweep; items per second against the target, and per second of this
    process's CPU time (the receiver's included), which a busy shared machine changes less."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = 0
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    serving.start()
    try:
        with app.app_context():
            now = utcnow()
            db.session.execute(update(Shop).values(reply_transport="webhook", webhook_secret="bench-secret",
                                                   webhook_url=f"http://127.0.0.1:{server.server_address[1]}/hook"))
            message_ids = _queue(count, now)
            started, cpu_started = time.perf_counter(), time.process_time()
            sent, failed = deliver_due(now, {**app.config, "WEBHOOK_ALLOW_PRIVATE": True})
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
            # The replies stay (the run's database is dropped after it): deleting a message checks every table
            # that refers to it, and response_clocks, auto_replies_sent, away_replies_sent and follow_ups have no
            # index on message_id, so each of 3,000 deletes scanned them (minutes at M).
            db.session.execute(delete(OutboxItem).where(OutboxItem.message_id.in_(message_ids)))
            db.session.commit()
            db.session.remove()
    finally:
        server.shutdown()
        server.server_close()
    return {"items": count, "sent": sent, "failed": failed, "received": server.received,
            "seconds": round(seconds, 3), "per_second": round(sent / seconds, 1),
            "per_cpu_second": round(sent / cpu_seconds, 1)}
