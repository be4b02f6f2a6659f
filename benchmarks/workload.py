"""The operations PERFORMANCE.md times, as HTTP requests to the running app, and the concurrency run's mixed load."""
import json
import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from benchmarks.measure import Client, next_page_link, summary_ms
from benchmarks.texts import COMMON_WORD, LANGUAGES, MEDIUM_WORD, Writer

#: Page 200 of one shop's inbox, reached by following the keyset "next page" links as a user would.
DEEP_PAGE = 200
#: What the concurrency run's searches type: the common word of each language.
SEARCH_WORDS = (COMMON_WORD, "заказ", "zamówienie", "订单", "অর্ডার", "سفارش")
MIX = (("inbox_first_page", 25), ("thread_view", 20), ("search_common_word", 15), ("api_ingest", 20),
       ("seller_reply", 20))


@dataclass(frozen=True)
class Operation:
    name: str
    #: "page" for HTML pages a user opens (the SQL-per-page target applies), "write" for the two writes.
    kind: str
    expected: tuple


OPERATIONS = (
    Operation("inbox_first_page", "page", (200,)),
    Operation("inbox_deep_page", "page", (200,)),
    Operation("thread_view", "page", (200,)),
    Operation("search_common_word", "page", (200,)),
    Operation("search_medium_word", "page", (200,)),
    Operation("search_order_number", "page", (200,)),
    Operation("response_dashboard_90d", "page", (200,)),
    Operation("ticket_list", "page", (200,)),
    Operation("api_ingest", "write", (201,)),
    Operation("seller_reply", "write", (302,)),
    Operation("suggestions", "read", (200,)),
)


class Workload:
    """Requests for each operation; buyer messages and replies are new text each time, from a seeded generator."""

    def __init__(self, facts, seed, tag):
        self.facts, self.tag = facts, tag
        self.rng = random.Random(seed)
        self.writer = Writer(self.rng)
        self.sent = 0
        self.deep_url = None

    def find_deep_page(self, client, depth=DEEP_PAGE):
        """Follow "next page" from the first page of one shop's inbox (all conversations) `depth` - 1 times."""
        url, reached = f"/inbox?view=all&shop={self.facts.shop_ids[0]}", 1
        while reached < depth:
            link = next_page_link(client.get(url))
            if link is None:
                break
            url, reached = link, reached + 1
        self.deep_url = url
        return reached

    def request(self, client, name, number):
        facts = self.facts
        if name == "inbox_first_page":
            return client.get("/inbox?view=needs_reply")
        if name == "inbox_deep_page":
            return client.get(self.deep_url)
        if name == "thread_view":
            return client.get(f"/threads/{facts.long_thread_id}")
        if name == "search_common_word":
            return client.get(f"/inbox?view=all&q={COMMON_WORD}")
        if name == "search_medium_word":
            return client.get(f"/inbox?view=all&q={MEDIUM_WORD}")
        if name == "search_order_number":
            return client.get(f"/inbox?view=all&q={quote(facts.order_reference)}")
        if name == "response_dashboard_90d":
            return client.get(f"/shops/{facts.shop_ids[0]}/response?days=90")
        if name == "ticket_list":
            return client.get("/tickets")
        if name == "floor":
            return client.get("/_bench/floor")
        if name == "api_ingest":
            return client.post_json(f"/api/v1/shops/{facts.ingest_shop_id}/messages", self._buyer_message(),
                                    facts.token)
        if name == "seller_reply":
            thread_id = facts.reply_thread_ids[number % len(facts.reply_thread_ids)]
            return client.post_form(f"/threads/{thread_id}/reply", {
                "csrf_token": client.csrf_token, "saved_reply_ids": "",
                "body": self.writer.seller_message(self.rng.choice(LANGUAGES), "")})
        if name == "suggestions":  # the threads the replies go to: their shop's feedback changes every round
            thread_id = facts.reply_thread_ids[number % len(facts.reply_thread_ids)]
            return client.request("GET", f"/api/v1/threads/{thread_id}/suggestions",
                                  headers={"Authorization": f"Bearer {facts.token}"})
        raise ValueError(name)

    def _buyer_message(self):
        """A new buyer in a new conversation each time, so the shop's vacation answers every one of them."""
        self.sent += 1
        key, language = f"bench-{self.tag}-{self.sent}", self.rng.choice(LANGUAGES)
        return {"external_id": key, "thread_external_id": f"{key}-thread",
                "buyer": {"id": f"{key}-buyer", "name": self.writer.buyer_name(language), "language": language},
                "subject": self.writer.subject(language), "body": self.writer.buyer_message(language),
                "received_at": datetime.now(UTC).isoformat()}


def time_operations(client, workload, operations, requests, warmup):
    """Every operation in turn, `warmup` rounds and then `requests` timed ones: {name: (seconds, SQL counts,
    the statements of its last request)}.

    Round by round rather than one operation after the other: on a shared machine whose speed drifts, a slow
    minute then weighs on every operation alike, not on whichever happened to be measured during it."""
    timings = {operation.name: ([], []) for operation in operations}
    statements = {}
    for number in range(warmup + requests):
        for operation in operations:
            answer = workload.request(client, operation.name, number)
            if answer.status not in operation.expected:
                raise RuntimeError(f"{operation.name} answered HTTP {answer.status}: {answer.text[:300]}")
            if number >= warmup:
                seconds, counts = timings[operation.name]
                seconds.append(answer.seconds)
                count = answer.headers.get("x-bench-sql-count")
                counts.append(int(count) if count is not None else None)
            if number == warmup + requests - 1:
                statements[operation.name] = json.loads(client.get("/_bench/last-sql").body)
    return {name: (seconds, counts, statements[name]) for name, (seconds, counts) in timings.items()}


def mixed_load(port, facts, seconds, threads, seed):
    """`threads` users, each logged in, doing the MIX of reads and writes for `seconds`: throughput and errors."""
    names, weights = zip(*MIX, strict=True)
    results, lock = [], threading.Lock()
    clients = []
    for _ in range(threads):
        client = Client(port)
        client.log_in(facts.email, facts.password)
        client.read_csrf(client.get(f"/threads/{facts.long_thread_id}"))
        clients.append(client)
    start = threading.Barrier(threads + 1)

    def user(index):
        rng = random.Random(seed + index)
        workload = Workload(facts, seed + index, f"mix{seed}-{index}")
        client, done = clients[index], []
        start.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            name = rng.choices(names, weights)[0]
            try:
                if name == "thread_view":
                    answer = client.get(f"/threads/{rng.choice(facts.read_thread_ids)}")
                elif name == "search_common_word":
                    answer = client.get(f"/inbox?view=all&q={quote(rng.choice(SEARCH_WORDS))}")
                elif name == "seller_reply":
                    answer = workload.request(client, name, rng.randrange(len(facts.reply_thread_ids)))
                else:
                    answer = workload.request(client, name, 0)
                done.append((name, answer.seconds, answer.status < 400, f"HTTP {answer.status}"))
            except Exception as error:  # noqa: BLE001 - a failed request is a counted error, not the end of the run
                done.append((name, 0.0, False, f"{type(error).__name__}: {error}"[:200]))
        with lock:
            results.extend(done)

    workers = [threading.Thread(target=user, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    by_operation = {}
    for name in names:
        timings = [s for n, s, ok, _ in results if n == name and ok]
        by_operation[name] = {"requests": sum(1 for n, *_ in results if n == name),
                              "errors": sum(1 for n, _, ok, _ in results if n == name and not ok),
                              **(summary_ms(timings) if timings else {})}
    failures = {}
    for _, _, ok, reason in results:
        if not ok:
            failures[reason] = failures.get(reason, 0) + 1
    return {"seconds": round(elapsed, 1), "threads": threads, "requests": len(results),
            "throughput_rps": round(len(results) / elapsed, 1) if elapsed else 0.0,
            "errors": sum(1 for _, _, ok, _ in results if not ok), "error_reasons": failures,
            "operations": by_operation}
