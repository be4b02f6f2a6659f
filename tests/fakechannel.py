"""A channel kind for tests: its "platform" is a JSON Lines file of messages, and every fetch and send is logged to
files beside it, so that tests (and scheduler processes) can see what was fetched when, and what was sent."""
import json
import os
import time
from pathlib import Path
from urllib.parse import urlencode

from sellerkit.channels.kinds import Batch, ChannelError, ChannelKind, Check, Fetched, Field, register_kind
from sellerkit.outbox.transports import DeliveryError
from sellerkit.threads.domain import Inbound

NAME = "fake"
OAUTH_NAME = "fake_oauth"


class FakeKind(ChannelKind):
    """settings: source (the messages file), delay (seconds each fetch takes), fail (a ChannelError code to raise),
    retry_after; secrets: password ("right" passes the test), token (refreshed to "fresh" on each fetch when
    "stale")."""

    name = NAME
    label = "Fake platform"
    fields = (
        Field("source", "Messages file"),
        Field("password", "Password", type="password", secret=True),
        Field("delay", "Delay", type="int", required=False, default=0),
        Field("fail", "Failure", required=False),
        Field("security", "Security", type="select", required=False, default="tls",
              choices=(("tls", "TLS"), ("none", "None"))),
    )
    has_base_url = True
    presets = {"quick": ("Quick setup", {"delay": 0, "security": "tls"})}

    def test(self, settings, secrets, now):
        if secrets.get("password") != "right":
            return [Check("dns", True), Check("login", False, "The password was refused.")]
        return [Check("dns", True), Check("login", True)]

    def fetch(self, settings, secrets, cursor, limit, now):
        source = Path(settings["source"])
        started = time.time()
        _log(source, "start", started)
        time.sleep(settings.get("delay") or 0)
        if settings.get("fail"):
            _log(source, "fail", started)
            raise ChannelError(settings["fail"], "the fake platform says no", retry_after=settings.get("retry_after"))
        if secrets.get("token") == "stale":
            secrets["token"] = "fresh"
        rows = [json.loads(line) for line in source.read_text().splitlines() if line.strip()]
        after = (cursor or {}).get("after", 0)
        taken = rows[after:after + limit]
        messages = [Fetched(Inbound(external_id=f"fake-{row['id']}", body=row["body"], received_at=now,
                                    buyer_external_id=row.get("buyer", "buyer-1"), buyer_name="Fake Buyer",
                                    thread_external_id=row.get("thread", "conversation-1")),
                            files=tuple((name, "text/plain", text.encode()) for name, text in row.get("files", ())))
                    for row in taken]
        _log(source, "end", started)
        return Batch(messages, {"after": after + len(taken)}, more=after + len(taken) < len(rows),
                     backlog=len(rows) - after - len(taken))

    def send(self, settings, secrets, delivery, now):
        if settings.get("fail"):
            raise DeliveryError("the fake platform refused", permanent=True)
        with open(Path(settings["source"]).with_suffix(".sent"), "a") as handle:
            handle.write(json.dumps({"body": delivery.body, "to": delivery.payload["thread"]["external_id"],
                                     "files": [name for name, _type, _content in delivery.attachments],
                                     "password": secrets.get("password")}) + "\n")


class FakeOAuthKind(FakeKind):
    """The same platform, signed in with OAuth2: the code "good" grants a token."""

    name = OAUTH_NAME
    label = "Fake platform with sign-in"
    oauth = True
    fields = tuple(field for field in FakeKind.fields if field.name != "password")

    def authorize_url(self, settings, state, redirect_uri):
        return f"https://platform.invalid/authorize?{urlencode({'state': state, 'redirect_uri': redirect_uri})}"

    def exchange_code(self, settings, secrets, code, redirect_uri, now):
        if code != "good":
            raise ChannelError("auth", "the code was refused")
        secrets["token"] = "granted"


def _log(source, event, started):
    """One line per fetch event, appended whole: processes share the file."""
    line = f"{event} {started:.6f} {time.time():.6f} {os.getpid()}\n".encode()
    fd = os.open(source.with_suffix(".log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def write_messages(path, count, start=0, thread="conversation-1", **extra):
    with open(path, "a") as handle:
        for n in range(start, start + count):
            handle.write(json.dumps({"id": n, "body": f"Buyer message {n}", "thread": thread, **extra}) + "\n")
    return path


def register(app):
    register_kind(app, FakeKind())
    register_kind(app, FakeOAuthKind())
