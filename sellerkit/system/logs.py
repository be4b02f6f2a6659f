"""Request ids on every request and, with LOG_FORMAT=json, log records as JSON lines that carry them."""
import json
import logging
import re
import uuid

from flask import g, has_request_context, request
from flask.logging import default_handler

#: An id a proxy sent us is kept when it looks like one (no spaces or control characters to forge log lines).
_GIVEN_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the request id (and the error's traceback)."""

    def format(self, record):
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage()}
        if has_request_context():
            entry["request_id"] = g.get("request_id")
            entry["method"] = request.method
            entry["path"] = request.path
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def assign_request_id():
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if _GIVEN_ID.fullmatch(given) else uuid.uuid4().hex


def echo_request_id(response):
    if "request_id" in g:
        response.headers["X-Request-Id"] = g.request_id
    return response


def log_request(response):
    logging.getLogger("sellerkit.requests").info("%s %s %s", request.method, request.path, response.status_code)
    return response


def init_app(app):
    app.before_request(assign_request_id)
    app.after_request(echo_request_id)
    if app.config.get("LOG_FORMAT") != "json":
        return
    app.after_request(log_request)
    root = logging.getLogger()
    if not any(isinstance(handler.formatter, JsonLines) for handler in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonLines())
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    app.logger.removeHandler(default_handler)
