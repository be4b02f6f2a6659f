"""Two web nodes (gunicorn) and three schedulers on one PostgreSQL: nothing stored, sent or warned about twice.

The cluster is real processes on loopback ports, set up as deploy/ sets them up (gthread workers, one shared
instance folder, nginx with the shipped site in front when it is installed). Each kind of work is one check over
the same run; a new kind (channel polling, live streams) adds its setup before the schedulers start and its
assertion after they stop.
"""
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from sellerkit.accounts import services as accounts
from sellerkit.accounts.models import User
from sellerkit.clock import utcnow
from sellerkit.extensions import db as sqla
from sellerkit.followups.models import FollowUp
from sellerkit.outbox.models import OutboxItem
from sellerkit.shops.models import Shop
from sellerkit.sla.models import Notification, ResponseClock
from sellerkit.system.models import SchedulerHeartbeat
from sellerkit.threads.models import Message
from tests import nginx
from tests.servers import free_port

BIN = Path(sys.executable).parent
DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
BUYERS = 16  # per wave; the first wave is in before the schedulers start, the second while they run


def unit_command(unit, **values):
    """The ExecStart of a shipped systemd unit, run from this checkout's .venv with `values` for its ${VARIABLES}."""
    text = (DEPLOY / unit).read_text().replace("\\\n", " ")
    command = next(line.removeprefix("ExecStart=") for line in text.splitlines() if line.startswith("ExecStart="))
    command = re.sub(r"\$\{(\w+)\}", lambda match: str(values[match.group(1)]), command)
    return [word.replace("/opt/sellerkit/.venv/bin/", f"{BIN}/") for word in shlex.split(command)]


@pytest.fixture
def postgresql(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("several web nodes and schedulers share one database only on PostgreSQL (SQLite serves one "
                    "machine); set SELLERKIT_TEST_DATABASE_URL to a PostgreSQL database to run it")
    return database_url


class Cluster:
    """The processes of a deployment on this machine; `stop` ends them all, schedulers first."""

    def __init__(self, database_url, folder, smtp_port):
        self.folder, self.nodes, self.schedulers, self.processes = folder, [], [], []
        self.proxy, self.entry, self.tls = None, None, None
        environment = {k: v for k, v in os.environ.items() if not k.startswith("SELLERKIT_")}
        environment.update(
            SELLERKIT_ENV="production", SELLERKIT_SECRET_KEY="multi-node-secret", SELLERKIT_DATABASE_URL=database_url,
            SELLERKIT_INSTANCE_PATH=str(folder / "shared"), SELLERKIT_PUBLIC_URL="http://127.0.0.1",
            SELLERKIT_WEBHOOK_ALLOW_PRIVATE="true", SELLERKIT_TRUSTED_PROXIES="1", SELLERKIT_MAIL_SERVER="127.0.0.1",
            SELLERKIT_MAIL_PORT=str(smtp_port), SELLERKIT_MAIL_FROM="sellerkit@shop.example", PYTHONWARNINGS="ignore")
        self.environment = environment

    def _start(self, name, command):
        log = open(self.folder / f"{name}.log", "w")  # noqa: SIM115  (closed with the cluster)
        process = subprocess.Popen(command, env=self.environment, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes.append((name, process, log))
        return process

    def start_web_node(self):
        port = free_port()
        self._start(f"web{len(self.nodes)}", unit_command(
            "sellerkit-web.service", SELLERKIT_WEB_WORKERS=1, SELLERKIT_WEB_THREADS=8,
            SELLERKIT_WEB_BIND=f"127.0.0.1:{port}"))
        self.nodes.append(f"http://127.0.0.1:{port}")

    def wait_for_nodes(self, timeout=60):
        deadline = time.monotonic() + timeout
        for node in self.nodes:
            while True:
                try:
                    with urllib.request.urlopen(node + "/healthz", timeout=5) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    pass
                self.check_alive()
                assert time.monotonic() < deadline, f"{node} did not answer; see {self.folder}"
                time.sleep(0.2)

    def start_proxy(self, certificate_and_key):
        """nginx in front of the nodes when it is installed: then `entry` is its address, else the first node's."""
        if nginx.NGINX is None:
            self.entry = self.nodes[0]
            return
        nodes = [node.removeprefix("http://") for node in self.nodes]
        self.proxy, port, self.tls = nginx.start(self.folder / "nginx", certificate_and_key, nodes)
        self.entry = f"https://127.0.0.1:{port}"

    def start_scheduler(self):
        self.schedulers.append(self._start(f"scheduler{len(self.schedulers)}",
                                           unit_command("sellerkit-scheduler.service")))

    def check_alive(self):
        for name, process, _log in self.processes:
            assert process.poll() is None, f"{name} exited: {(self.folder / f'{name}.log').read_text()[-3000:]}"

    def stop(self):
        for _name, process, log in sorted(self.processes, key=lambda entry: not entry[0].startswith("scheduler")):
            if process.poll() is None:
                # SIGINT lets a scheduler finish its sweep; SIGTERM lets gunicorn finish its requests.
                process.send_signal(signal.SIGINT if _name.startswith("scheduler") else signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log.close()
        if self.proxy is not None:
            nginx.stop(self.proxy)
            self.proxy = None


@pytest.fixture
def cluster(postgresql, tmp_path, smtp_server):
    running = Cluster(postgresql, tmp_path, smtp_server.config["port"])
    yield running
    running.stop()


def call(node, token, method, path, body, tls=None):
    """One API call to one node (or to the proxy, with its TLS context): (status, answer)."""
    request = urllib.request.Request(node + "/api/v1" + path, method=method, data=json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30, context=tls) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()


def ingest_wave(cluster, token, shop_id, wave, *, delivered):
    """Each buyer's message posted to both nodes at once, then (for delivered orders) the buyer's consent to
    follow-ups through one node or the other, and for even buyers a reply through the proxy (when there is one):
    returns {buyer number: thread id}."""
    now = utcnow()
    delivered_at, received_at = (now - timedelta(days=20)).isoformat(), (now - timedelta(minutes=1)).isoformat()

    def message(n):
        return {"external_id": f"w{wave}-m{n}", "received_at": received_at,
                "body": f"Thank you, order {wave}-{n} arrived. Can I order two more?",
                "buyer": {"id": f"w{wave}-b{n}", "name": f"Buyer {n}", "language": "en"},
                "order": {"reference": f"ORD-{wave}-{n}", "delivered_at": delivered_at if delivered else None}}

    with ThreadPoolExecutor(8) as pool:
        posted = {n: [pool.submit(call, node, token, "POST", f"/shops/{shop_id}/messages", message(n))
                      for node in cluster.nodes] for n in range(BUYERS)}
        answers = {n: [future.result() for future in futures] for n, futures in posted.items()}
        for pair in answers.values():
            # Both nodes took the same message at the same moment: one stored it, the other found it stored.
            assert sorted(status for status, _answer in pair) == [200, 201], pair
            assert pair[0][1]["thread_id"] == pair[1][1]["thread_id"]
        threads = {n: pair[0][1]["thread_id"] for n, pair in answers.items()}
        buyers = {n: pair[0][1]["buyer_id"] for n, pair in answers.items()}
        consents = [pool.submit(call, cluster.nodes[n % 2], token, "POST",
                                f"/shops/{shop_id}/buyers/{buyers[n]}/consent",
                                {"action": "given", "source": "api", "text": "Send me offers."})
                    for n in range(BUYERS if delivered else 0)]
        replies = [pool.submit(call, cluster.entry, token, "POST", f"/threads/{threads[n]}/replies",
                               {"body": f"Reply {wave}-{n}: it is on its way."}, cluster.tls)
                   for n in range(0, BUYERS, 2)]
        assert all(future.result()[0] == 201 for future in consents + replies)
    return threads


def follow_up_states(app):
    with app.app_context():
        return sqla.session.execute(select(FollowUp.status, FollowUp.reason, func.count())
                                    .group_by(FollowUp.status, FollowUp.reason)).all()


def test_two_web_nodes_and_three_schedulers_do_everything_once(cluster, app, smtp_server, make_user, make_shop,
                                                              make_campaign, *, receiver, self_signed_certificate):
    owner_id = make_user("owner@shop.example")
    shop_id = make_shop(owner_id)
    make_campaign(shop_id, days=14, active=True, activated_at=utcnow())
    with app.app_context():
        sqla.session.execute(update(Shop).values(reply_transport="webhook", webhook_url=receiver.base + "/ok",
                                                 webhook_secret="s3cret"))
        _row, token = accounts.create_api_token(sqla.session.get(User, owner_id), "multi-node test", utcnow())
        sqla.session.commit()
    cluster.start_web_node()
    cluster.start_web_node()
    cluster.wait_for_nodes()
    cluster.start_proxy(self_signed_certificate)
    # Another kind of work joins here: what it needs before anything is ingested (a channel to poll, a stream open
    # on each node), then its count in the wait below and its exactly-once check after cluster.stop().

    first = ingest_wave(cluster, token, shop_id, 1, delivered=True)
    # The unanswered buyers of the first wave are close to their deadline: each needs one warning and one mail.
    warned = [thread_id for n, thread_id in first.items() if n % 2]
    with app.app_context():
        sqla.session.execute(update(ResponseClock).where(ResponseClock.thread_id.in_(warned))
                             .values(warn_at=utcnow() - timedelta(minutes=1)))
        sqla.session.commit()
    for _ in range(3):
        cluster.start_scheduler()
    # While the schedulers run; follow-ups are planned every 5 minutes, so these orders are not delivered yet.
    second = ingest_wave(cluster, token, shop_id, 2, delivered=False)

    replies, follow_ups = BUYERS, BUYERS  # every even buyer is answered; the first wave's orders were delivered
    deadline = time.monotonic() + 75
    while len(receiver.requests) < replies + follow_ups or len(smtp_server.envelopes) < len(warned):
        cluster.check_alive()
        assert time.monotonic() < deadline, (len(receiver.requests), len(smtp_server.envelopes), follow_up_states(app))
        time.sleep(0.2)
    cluster.stop()  # what is counted now is all there will ever be

    deliveries = [request["headers"]["X-Sellerkit-Delivery"] for request in receiver.requests]
    assert len(deliveries) == len(set(deliveries)) == replies + follow_ups
    messages = [json.loads(request["body"])["data"]["message"] for request in receiver.requests]
    assert len({message["id"] for message in messages}) == len(messages)
    assert sorted(message["kind"] for message in messages) == ["follow_up"] * follow_ups + ["reply"] * replies
    assert len(smtp_server.envelopes) == len(warned)
    with app.app_context():
        session = sqla.session
        inbound = session.execute(select(Message.external_id, func.count()).where(Message.direction == "in")
                                  .group_by(Message.external_id)).all()
        assert len(inbound) == 2 * BUYERS and {count for _id, count in inbound} == {1}
        assert session.scalar(select(func.count()).select_from(Message).where(Message.kind == "follow_up")) == \
            follow_ups
        assert session.scalars(select(FollowUp.status)).all() == ["sent"] * follow_ups
        warnings = session.scalars(select(Notification.thread_id).where(Notification.kind == "warning")).all()
        assert sorted(warnings) == sorted(warned)
        assert set(session.scalars(select(OutboxItem.status))) == {"sent"}
        assert session.scalar(select(func.count()).select_from(SchedulerHeartbeat)) == 3  # all three were running
    assert set(first.values()).isdisjoint(second.values())
