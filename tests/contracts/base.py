"""The threaded HTTP server every contract runs on: routes by method and path pattern (or a platform that answers
every request itself), JSON in and out, injected faults."""
import json
import re
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Request:
    def __init__(self, handler, match):
        parts = urlsplit(handler.path)
        self.method = handler.command
        self.path = parts.path
        self.query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        self.headers = {name.lower(): value for name, value in handler.headers.items()}
        length = int(handler.headers.get("Content-Length") or 0)
        self.raw = handler.rfile.read(length) if length else b""
        self.params = match.groupdict()

    def json(self):
        try:
            return json.loads(self.raw.decode("utf-8")) if self.raw else {}
        except (UnicodeDecodeError, ValueError):
            return None


class ContractServer:
    """Subclasses list ROUTES as (method, regex, method name); each handler returns (status, body, headers).
    `faults` is a list of (status, body, headers) answered, one each, before any route runs; `planned` maps the
    number of a request (1 for the first) to the fault it gets."""

    ROUTES = ()

    def __init__(self, tls=None):
        """`tls`: (certificate file, key file) to answer over HTTPS with that certificate."""
        self.lock = threading.Lock()
        self.faults = []
        self.planned = {}
        self.log = []
        contract = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def handle_one(self):
                contract.dispatch(self)

            do_GET = do_POST = do_PUT = do_DELETE = handle_one

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.url = f"https://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    def dispatch(self, handler):
        path = urlsplit(handler.path).path
        for method, pattern, name in self.ROUTES:
            match = re.fullmatch(pattern, path)
            if match and method == handler.command:
                request = Request(handler, match)
                with self.lock:
                    self.log.append((request.method, request.path, request.query))
                    if self.faults or len(self.log) in self.planned:
                        status, body, headers = self.planned.pop(len(self.log), None) or self.faults.pop(0)
                    else:
                        status, body, headers = getattr(self, name)(request)
                break
        else:
            status, body, headers = 404, {"error": "not_found"}, {}
        self.answer(handler, status, body, headers)

    @staticmethod
    def answer(handler, status, body, headers):
        if isinstance(body, (bytes, bytearray)):
            data, content_type = bytes(body), headers.pop("Content-Type", "application/octet-stream")
        else:
            data, content_type = json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json"
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def calls(self, path_part):
        return [entry for entry in self.log if path_part in entry[1]]


class Running(ContractServer):
    """A contract server, started at once, whose `platform` answers every request itself:
    platform.handle(method, path, headers, body) gives (status, headers, JSON or bytes). `base` is its URL."""

    def __init__(self, platform, tls=None):
        super().__init__(tls)
        self.platform = platform
        self.base = self.url
        self.start()

    def dispatch(self, handler):
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        status, headers, payload = self.platform.handle(handler.command, handler.path, handler.headers, body)
        self.answer(handler, status, payload, dict(headers))
