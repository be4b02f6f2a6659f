"""Real local servers for tests: an SMTP server (aiosmtpd, also with TLS) and an HTTP receiver, on 127.0.0.1."""
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SMTP_REFUSALS = {"reject@example.com": "550 5.1.1 no such mailbox", "later@example.com": "451 4.3.0 try later"}


class CollectingHandler:
    """Keeps every envelope; refuses reject@ with a 5xx and later@ with a 4xx, like a real server would."""

    def __init__(self):
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in SMTP_REFUSALS:
            return SMTP_REFUSALS[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def smtp_server(request):
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    request.addfinalizer(controller.stop)
    handler.config = {"server": "127.0.0.1", "port": controller.port, "username": None, "password": None,
                      "use_starttls": False}
    return handler


@pytest.fixture(scope="session")
def self_signed_certificate(tmp_path_factory):
    """(certificate, key) files for 127.0.0.1, signed by nobody a client trusts: made with openssl at test time."""
    folder = tmp_path_factory.mktemp("tls")
    certificate, key = folder / "server.pem", folder / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
                   check=True, capture_output=True, timeout=60)
    return certificate, key


@pytest.fixture
def tls_smtp_server(request, self_signed_certificate):
    """Start an SMTP server with the self-signed certificate: mode "starttls" (required) or "smtps" (implicit)."""
    def start(mode):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*self_signed_certificate)
        handler = CollectingHandler()
        options = {"tls_context": context, "require_starttls": True} if mode == "starttls" else \
            {"ssl_context": context}
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
        controller.start()
        request.addfinalizer(controller.stop)
        handler.port, handler.certificate = controller.port, str(self_signed_certificate[0])
        return handler
    return start


@pytest.fixture
def receiver(request):
    """A real HTTP server on 127.0.0.1 that records each request and answers as its path asks."""
    requests, release = [], threading.Event()
    routes = {"/ok": (200, None), "/steady": (200, None), "/slow": (200, None),
              "/to-metadata": (302, "http://169.254.169.254/latest/meta-data"),
              "/to-ftp": (302, "ftp://example.com/drop"), "/loop": (307, "/loop")}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            requests.append({"path": self.path, "headers": self.headers, "body": body})
            kind, _, code = self.path.rpartition("/")
            if self.path == "/slow":
                release.wait(30)  # as long as the test wants: it sets `release`, and so does the teardown
            if self.path == "/steady":
                time.sleep(0.01)  # a receiver that takes a moment, so a sweep can be caught in the middle
            status, location = routes.get(self.path) or \
                ((int(code), "/ok" if kind == "/redirect" else None) if code.isdigit() else (404, None))
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    def stop():
        release.set()  # a /slow handler still waiting must not hold its thread
        server.shutdown()
        server.server_close()
        thread.join(5)
    request.addfinalizer(stop)
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    server.requests, server.release = requests, release
    return server
