"""The API's batch endpoint under load: client processes post batches of new buyer messages to two workers."""
import json
import multiprocessing
import time
from datetime import UTC, datetime, timedelta

from benchmarks.measure import Client
from benchmarks.server import Server

#: PERFORMANCE.md: "API: batch ingest, 2 workers on PostgreSQL >= 1,000 messages/s".
TARGET_PER_SECOND = 1_000
BATCH = 500
#: Client processes, each posting to its own shop (not threads: a Python client on 2 cores limits itself).
CLIENTS = 4
BODIES = ("Where is my parcel? It has been a week since I paid.", "Czy mogę zmienić adres dostawy zamówienia?",
          "Здравствуйте, когда будет отправлен мой заказ?", "您好，我的包裹什么时候发货？",
          "সালাম, আমার অর্ডারটি কবে পাঠানো হবে?", "سلام، سفارش من کی ارسال می‌شود؟")


def _batch(client_number, number, received_at):
    """BATCH new messages, four to a conversation (new buyers and threads), one order per conversation."""
    tag = f"{client_number}-{number}"
    return {"messages": [{
        "external_id": f"batch-{tag}-{index}", "thread_external_id": f"batch-t-{tag}-{index // 4}",
        "buyer": {"id": f"batch-b-{tag}-{index // 4}", "name": f"Buyer {index // 4}"},
        "order": {"reference": f"batch-o-{tag}-{index // 4}"}, "subject": "Order question",
        "body": f"{BODIES[index % len(BODIES)]} ({index})",
        "received_at": (received_at + timedelta(seconds=index)).isoformat()} for index in range(BATCH)]}


def _post(port, token, shop_id, client_number, batches, start_at):
    """One client process: wait for the common start, then post its batches one after another."""
    client = Client(port)
    received_at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    bodies = [_batch(client_number, number, received_at) for number in range(batches)]
    time.sleep(max(0.0, start_at - time.time()))
    stored = errors = 0
    for body in bodies:
        answer = client.post_json(f"/api/v1/shops/{shop_id}/messages/batch", body, token)
        if answer.status != 200:
            errors += 1
            continue
        stored += json.loads(answer.body)["created"]
    return stored, errors, time.time()


def measure(url, instance, secret, log_path, facts, batches):
    """Messages stored per second, from the common start to the last client's end, by CLIENTS processes each
    posting `batches` batches of BATCH messages to 2 gunicorn workers."""
    shop_ids = [shop_id for shop_id in facts.shop_ids if shop_id != facts.ingest_shop_id][:CLIENTS]
    server = Server(url, str(instance), secret, 2, str(log_path)).start()
    try:
        start_at = time.time() + 3  # the clients build their batches first
        with multiprocessing.get_context("spawn").Pool(len(shop_ids)) as pool:
            done = pool.starmap(_post, [(server.port, facts.token, shop_id, number, batches, start_at)
                                        for number, shop_id in enumerate(shop_ids)])
    finally:
        server.stop()
    seconds = max(end for _stored, _errors, end in done) - start_at
    stored = sum(stored for stored, _errors, _end in done)
    return {"clients": len(shop_ids), "batch": BATCH, "batches": batches * len(shop_ids), "messages": stored,
            "errors": sum(errors for _stored, errors, _end in done), "seconds": round(seconds, 2),
            "per_second": round(stored / seconds), "database_locked": server.log_count("database is locked")}


def passes(result):
    """The target holds on PostgreSQL; on SQLite the figure is reported without one."""
    figures = result["batch_ingest"]
    if figures["errors"] or figures["database_locked"]:
        return False
    return figures["per_second"] >= TARGET_PER_SECOND if result["database"] == "postgresql" else None


def table_row(result, verdict):
    figures = result["batch_ingest"]
    target = f">= {TARGET_PER_SECOND:,}/s" if result["database"] == "postgresql" else "- (PostgreSQL)"
    return (f"API batch ingest: {figures['clients']} clients x {figures['batch']}, 2 workers",
            f"{figures['per_second']:,.0f}/s", f"{figures['seconds']:.1f} s", target,
            verdict(passes(result)), "-", f"errors {figures['errors']}", "-")
