"""Wildberries' buyer chat API as documented: the Authorization token, the chat list, the events feed with its
millisecond `next` (0 refused), multipart replies with replySign and their file limits, downloads, and the limit
of 10 requests per 10 seconds per seller with its 429 headers; 401 and 402 with their documented bodies."""
import itertools
import threading
import time
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs, urlsplit

START_MS = 1_795_000_000_000
FILE_TYPES = {"image/jpeg", "image/png", "application/pdf"}


def wb_error(status, title, detail, headers=None):
    return status, headers or {}, {"title": title, "detail": detail, "code": "contract-" + str(status),
                                   "requestId": "req-1", "origin": "s2s-api-auth-chat", "status": status,
                                   "statusText": title.title(), "timestamp": datetime.now(UTC).isoformat()}


def _ms_time(ms):
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat().replace("+00:00", "Z")


class WildberriesPlatform:
    """One seller account: its token, chats, events (oldest first), files; `limit` requests per `period` seconds
    across every client; `page` events per answer; `repeat_last` sends each page's last event again on the next."""

    def __init__(self, token="wb-token", limit=10, period=10.0, page=100, repeat_last=False):
        self.token, self.limit, self.period, self.page, self.repeat_last = token, limit, period, page, repeat_last
        self.chats, self.events, self.files, self.sent = {}, [], {}, []
        self.moments, self.refused, self.payment_due, self.fail = [], 0, False, []
        self.ids, self.clock = itertools.count(1), itertools.count(START_MS, 1000)
        self.lock = threading.Lock()

    # -- setting up ------------------------------------------------------------------------------------------------
    def add_chat(self, chat_id, client_id="buyer-7", client_name="Alyona"):
        self.chats[chat_id] = {"chatID": chat_id, "replySign": f"sign-{chat_id}", "clientID": client_id,
                               "clientName": client_name, "someNewField": True}

    def add_event(self, chat_id, text, sender="client", good_card=None, files=(), at_ms=None):
        chat = self.chats[chat_id]
        stamp = at_ms or next(self.clock)
        attachments = {}
        if good_card:
            attachments["goodCard"] = good_card
        if files:
            attachments["files"] = []
            for name, content_type, content in files:
                download_id = f"file-{next(self.ids)}"
                self.files[download_id] = (content_type, content)
                attachments["files"].append({"contentType": content_type, "date": _ms_time(stamp), "name": name,
                                             "size": len(content),
                                             "url": f"https://buyer-chat-api.wildberries.ru/api/v1/seller/download/"
                                                    f"{download_id}"})
        event = {"chatID": chat_id, "eventID": f"ev-{next(self.ids)}", "eventType": "message",
                 "isNewChat": not any(e["chatID"] == chat_id for e in self.events),
                 "message": {"text": text, "attachments": attachments}, "source": "rusite",
                 "addTimestamp": stamp, "addTime": _ms_time(stamp), "sender": sender,
                 "clientID": chat["clientID"], "clientName": chat["clientName"]}
        self.events.append(event)
        return event

    # -- serving ---------------------------------------------------------------------------------------------------
    def _over_limit(self):
        now = time.monotonic()
        self.moments = [moment for moment in self.moments if moment > now - self.period]
        if len(self.moments) >= self.limit:
            self.refused += 1
            wait = max(1, round(self.moments[0] + self.period - now))
            return wb_error(429, "too many requests", "Limited by the seller's request limit",
                            {"X-Ratelimit-Retry": wait, "X-Ratelimit-Limit": self.limit, "X-Ratelimit-Reset": wait,
                             "X-Ratelimit-Remaining": 0})
        self.moments.append(now)
        return None

    def handle(self, method, path, headers, body):
        with self.lock:
            if headers.get("Authorization") != self.token:
                return wb_error(401, "unauthorized", "token problem; token is malformed: could not base64 decode")
            limited = self._over_limit()
            if limited:
                return limited
            if self.fail:
                status = self.fail.pop(0)
                return wb_error(status, "internal server error", "something went wrong")
            if self.payment_due:
                return wb_error(402, "payment required", "the seller's subscription to the API has to be paid")
            url = urlsplit(path)
            if method == "GET" and url.path == "/api/v1/seller/chats":
                return 200, {}, {"result": list(self.chats.values()), "errors": None}
            if method == "GET" and url.path == "/api/v1/seller/events":
                return self.events_page(parse_qs(url.query))
            if method == "GET" and url.path.startswith("/api/v1/seller/download/"):
                found = self.files.get(url.path.rsplit("/", 1)[1])
                return (200, {"Content-Type": found[0]}, found[1]) if found else \
                    wb_error(404, "not found", "no such file")
            if method == "POST" and url.path == "/api/v1/seller/message":
                return self.message(headers, body)
            return wb_error(404, "not found", "no such method")

    def events_page(self, query):
        after = None
        if "next" in query:
            try:
                after = int(query["next"][0])
            except ValueError:
                after = 0
            if after <= 0:
                return wb_error(400, "bad request", "next must be a Unix timestamp with milliseconds")
        chosen = [e for e in self.events if after is None or e["addTimestamp"] >= after]
        page = chosen[:self.page]
        if self.repeat_last and after is not None:
            earlier = [e for e in self.events if e["addTimestamp"] < after]
            page = earlier[-1:] + page[:self.page - 1] if earlier else page
        if not page:
            return 200, {}, {"result": {"next": after or START_MS, "totalEvents": 0, "events": []}, "errors": None}
        newest = max(e["addTimestamp"] for e in page)
        return 200, {}, {"result": {"next": newest + 1, "newestEventTime": _ms_time(newest),
                                    "oldestEventTime": _ms_time(page[0]["addTimestamp"]),
                                    "totalEvents": len(page), "events": page}, "errors": None}

    def message(self, headers, body):
        form = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {headers.get('Content-Type')}\r\n\r\n".encode() + body)
        if not form.is_multipart():
            return wb_error(400, "bad request", "multipart/form-data expected")
        fields, files = {}, []
        for part in form.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name == "file":
                files.append((part.get_filename(), part.get_content_type(), part.get_payload(decode=True)))
            else:
                fields[name] = part.get_payload(decode=True).decode("utf-8")
        chat = next((c for c in self.chats.values() if c["replySign"] == fields.get("replySign")), None)
        if chat is None:
            return wb_error(400, "bad request", "replySign is missing or invalid")
        if len(fields.get("message", "")) > 1000:
            return wb_error(400, "bad request", "message is longer than 1000 characters")
        if any(kind not in FILE_TYPES or len(content) > 5 * 1024 * 1024 for _n, kind, content in files) \
                or sum(len(content) for _n, _k, content in files) > 30 * 1024 * 1024:
            return wb_error(400, "bad request", "files must be JPEG, PNG or PDF, 5 MB each, 30 MB in all")
        self.sent.append({"chat": chat["chatID"], "message": fields.get("message", ""), "files": files})
        self.add_event(chat["chatID"], fields.get("message", ""), sender="seller")
        return 200, {}, {"result": {"addTime": int(time.time() * 1000), "chatID": chat["chatID"]}, "errors": []}
