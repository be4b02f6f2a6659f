"""Local contract servers of the marketplaces' chat APIs, as their published documentation describes them."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ContractHandler(BaseHTTPRequestHandler):
    """Reads the request, hands it to the server's `platform.handle`, writes its answer as JSON or bytes."""

    protocol_version = "HTTP/1.1"

    def _serve(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, headers, payload = self.server.platform.handle(self.command, self.path, self.headers, body)
        if not isinstance(payload, bytes):
            payload = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            headers = {"Content-Type": "application/json", **headers}
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, str(value))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _serve

    def log_message(self, *args):  # keep the test output quiet
        pass


class Running:
    """A contract server on a free loopback port: `base` is its URL, `platform` its state."""

    def __init__(self, platform):
        self.platform = platform
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), ContractHandler)
        self.server.platform = platform
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
