"""The shipped deploy/ files: systemd units that systemd accepts, and an nginx proxy right for two nodes and streams."""
import http.client
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests import nginx
from tests.servers import free_port

DEPLOY = nginx.DEPLOY
PROJECT = DEPLOY.parent
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed (apt-get install systemd)")
@pytest.mark.parametrize("unit", ["sellerkit-web.service", "sellerkit-scheduler.service"])
def test_systemd_accepts_the_units_without_a_warning(tmp_path, unit):
    # The units name /opt/sellerkit; here the programs are in this checkout's .venv, which verify checks exist.
    text = (DEPLOY / unit).read_text().replace("/opt/sellerkit", str(PROJECT))
    (tmp_path / unit).write_text(text)
    result = subprocess.run([SYSTEMD_ANALYZE, "verify", str(tmp_path / unit)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
    assert "Restart=on-failure" in text and "ProtectSystem=strict" in text and "PrivateTmp=yes" in text
    assert "EnvironmentFile=/etc/sellerkit/sellerkit.env" in text and "User=sellerkit" in text


def test_every_variable_the_web_unit_uses_is_in_the_example_environment():
    example = (DEPLOY / "sellerkit.env.example").read_text()
    for name in ("SELLERKIT_WEB_WORKERS", "SELLERKIT_WEB_THREADS", "SELLERKIT_WEB_BIND"):
        assert "${" + name + "}" in (DEPLOY / "sellerkit-web.service").read_text()
        assert f"\n{name}=" in example


@pytest.mark.nginx
def test_nginx_accepts_the_shipped_site(tmp_path, self_signed_certificate):
    config = nginx.main_config(tmp_path, nginx.site(*self_signed_certificate, free_port(), free_port(),
                                                    ["10.0.0.11:8000", "10.0.0.12:8000"]))
    result = subprocess.run([nginx.NGINX, "-t", "-q", "-c", str(config)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def _start_node(name, request):
    """A stand-in for a web node: /events streams one event, then waits; anything else echoes the proxy headers."""
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            if self.path == "/events":
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(b"data: first\n\n")
                self.wfile.flush()
                release.wait(30)
                self.wfile.write(b"data: second\n\n")
                self.close_connection = True
                return
            body = "\n".join([name, self.headers.get("X-Forwarded-For", ""), self.headers.get("X-Forwarded-Proto", ""),
                              self.headers.get("X-Forwarded-Host", ""), self.headers.get("Connection", ""),
                              self.headers.get("X-Request-Id", "")]).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    def stop():
        release.set()
        server.shutdown()
        server.server_close()
    request.addfinalizer(stop)
    return f"127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def proxy(request, tmp_path, self_signed_certificate):
    """nginx running the shipped site in front of two stand-in nodes: returns (https port, TLS context)."""
    nodes = [_start_node(name, request) for name in ("node-a", "node-b")]
    process, https_port, context = nginx.start(tmp_path / "nginx", self_signed_certificate, nodes)
    request.addfinalizer(lambda: nginx.stop(process))
    return https_port, context


def _get(port, context, path, **headers):
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    connection.request("GET", path, headers={"Host": "shop.example.com", **headers})
    try:
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


@pytest.mark.nginx
def test_the_proxy_spreads_requests_over_both_nodes_with_the_headers_sellerkit_trusts(proxy):
    port, context = proxy
    answers = [_get(port, context, "/inbox", **{"X-Forwarded-For": "203.0.113.9"})[1].split("\n") for _ in range(4)]
    assert {answer[0] for answer in answers} == {"node-a", "node-b"}
    for _node, forwarded_for, proto, host, connection, request_id in answers:
        # ProxyFix(x_for=1) takes the last address: the one nginx saw, not the one a client claims.
        assert forwarded_for.split(", ")[-1] == "127.0.0.1"
        assert (proto, host) == ("https", "shop.example.com")
        assert connection == ""  # keep-alive to the nodes, not "close"
        assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # one the app keeps for its log lines
    assert _get(port, context, "/metrics")[0] == 404


@pytest.mark.nginx
def test_a_stream_event_passes_the_proxy_at_once(proxy):
    port, context = proxy
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=5)
    connection.request("GET", "/events", headers={"Host": "shop.example.com", "Accept": "text/event-stream"})
    response = connection.getresponse()
    assert response.status == 200
    # The node still holds the stream open: the first event arrives only if nginx does not buffer it.
    assert response.readline() == b"data: first\n"
    connection.close()


@pytest.mark.nginx
def test_a_body_over_the_apps_limit_is_refused_by_the_proxy(proxy):
    port, context = proxy
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    connection.putrequest("POST", "/api/v1/shops/1/messages", skip_host=True)
    connection.putheader("Host", "shop.example.com")
    connection.putheader("Content-Length", str(60 * 1024 * 1024 + 1))
    connection.endheaders()
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 413
