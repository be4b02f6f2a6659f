"""The app under gunicorn for the benchmark: production settings, instrumented (webapp), on a free loopback port."""
import os
import signal
import socket
import subprocess
import sys
import time

from benchmarks.measure import Client, children_of
from sellerkit.config import PROJECT_ROOT

#: The benchmark mails nothing, but production needs its public address to start.
PUBLIC_URL = "http://127.0.0.1"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with `workers` sync workers; its error log (with the app's output) goes to `log_path`."""

    def __init__(self, database_url, instance_path, secret_key, workers, log_path):
        self.database_url, self.instance_path, self.secret_key = database_url, instance_path, secret_key
        self.workers, self.log_path = workers, log_path
        self.port = None
        self.process = None
        #: What gunicorn serves: sellerkit's web app with the benchmark's instrumentation, attached from outside.
        self.app = "benchmarks.webapp:create_instrumented_app()"

    def _environment(self):
        # Only our settings: a developer's own SELLERKIT_* variables must not point the server elsewhere.
        environment = {k: v for k, v in os.environ.items() if not k.startswith("SELLERKIT_")}
        environment.update(SELLERKIT_ENV="production", SELLERKIT_SECRET_KEY=self.secret_key,
                           SELLERKIT_DATABASE_URL=self.database_url, SELLERKIT_INSTANCE_PATH=self.instance_path,
                           SELLERKIT_PUBLIC_URL=PUBLIC_URL)
        return environment

    def start(self, timeout=60):
        self.port = free_port()
        command = [sys.executable, "-m", "gunicorn", "-c", "python:sellerkit.gunicorn_conf",
                   "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}", "--no-control-socket",
                   "--error-logfile", self.log_path,
                   "--capture-output", "--timeout", "300", "--chdir", str(PROJECT_ROOT), self.app]
        self.process = subprocess.Popen(command, env=self._environment(), stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True, cwd=PROJECT_ROOT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with code {self.process.returncode}; see {self.log_path}")
            if len(self.worker_pids()) >= self.workers:
                try:
                    if Client(self.port, timeout=5).get("/login").status == 200:
                        return self
                except OSError:
                    pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {self.log_path}")

    def worker_pids(self):
        return children_of(self.process.pid) if self.process else []

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_count(self, text):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as log:
                return log.read().count(text)
        except OSError:
            return 0
