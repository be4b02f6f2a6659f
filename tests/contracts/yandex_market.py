"""The Yandex Market Partner API's buyer chats as the documentation describes them, limits and errors included."""
import base64
import json
from datetime import datetime, timedelta, timezone

from tests.contracts.base import ContractServer

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=3)))
BUSINESS = 4242


def _token(offset):
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode()


def _offset(token):
    if not token:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["o"])
    except (ValueError, KeyError, TypeError):
        return None


def _error(status, code, message):
    return status, {"status": "ERROR", "errors": [{"code": code, "message": message}]}, {}


class YandexMarketServer(ContractServer):
    ROUTES = (
        ("POST", r"/v2/businesses/(?P<business>\d+)/chats", "list_chats"),
        ("POST", r"/v2/businesses/(?P<business>\d+)/chats/history", "history"),
        ("POST", r"/v2/businesses/(?P<business>\d+)/chats/message", "send_message"),
        ("POST", r"/v2/businesses/(?P<business>\d+)/chats/file/send", "send_file"),
        ("GET", r"/files/(?P<name>[\w.-]+)", "download"),
    )

    def __init__(self, api_key="key-with-communication", send_limit=1000, tls=None):
        super().__init__(tls)
        self.keys = {api_key: {"communication"}, "key-without-scope": {"pricing"}}
        self.chats = {}
        self.messages = {}  # chat id -> list of messages, ids increasing
        self.files = {}
        self.sent = []
        self.send_limit = send_limit
        self.overlap_pages = False
        self.next_message_id = 1000

    # setting up what the platform holds

    def add_chat(self, chat_id, order_id=None, customer=("Мария", "pub-1"), chat_type="CHAT", status="NEW",
                 *, context="ORDER", minute=0):
        self.chats[chat_id] = {
            "chatId": chat_id, "orderId": order_id, "type": chat_type, "status": status,
            "createdAt": (START + timedelta(minutes=minute)).isoformat(),
            "updatedAt": (START + timedelta(minutes=minute)).isoformat(),
            "context": {"type": context, "customer": {"name": customer[0], "publicId": customer[1]},
                        "campaignId": 77, "orderId": order_id, "futureField": {"x": 1}},
            "unknownField": "tolerated",
        }
        self.messages.setdefault(chat_id, [])

    def add_message(self, chat_id, text, sender="CUSTOMER", minute=1, payload=()):
        self.next_message_id += 1
        created = START + timedelta(minutes=minute)
        self.messages[chat_id].append({"messageId": self.next_message_id, "createdAt": created.isoformat(),
                                       "sender": sender, "message": text, "payload": list(payload)})
        chat = self.chats[chat_id]
        chat["updatedAt"] = max(chat["updatedAt"], created.isoformat())
        if sender == "CUSTOMER" and chat["status"] not in ("WAITING_FOR_ARBITER", "WAITING_FOR_MARKET"):
            chat["status"] = "WAITING_FOR_PARTNER"
        return self.next_message_id

    def add_file(self, name, content):
        self.files[name] = content
        return {"name": name, "url": f"{self.url}/files/{name}", "size": len(content)}

    # the API

    def _authorized(self, request):
        if int(request.params["business"]) != BUSINESS:
            return _error(403, "FORBIDDEN", "access to this business is denied")
        scopes = self.keys.get(request.headers.get("api-key"))
        if scopes is None:
            return _error(401, "UNAUTHORIZED", "the API key is invalid")
        if "communication" not in scopes:
            return _error(403, "FORBIDDEN", "the key lacks the communication access")
        return None

    def list_chats(self, request):
        refused = self._authorized(request)
        if refused:
            return refused
        limit, offset = int(request.query.get("limit", 10)), _offset(request.query.get("page_token"))
        if not 1 <= limit <= 20 or offset is None:
            return _error(400, "BAD_REQUEST", "limit must be 1 to 20")
        body = request.json() or {}
        statuses = body.get("statuses")
        chats = sorted((chat for chat in self.chats.values() if not statuses or chat["status"] in statuses),
                       key=lambda chat: (chat["updatedAt"], chat["chatId"]), reverse=True)
        page = chats[offset:offset + limit]
        paging = {"nextPageToken": _token(offset + limit)} if offset + limit < len(chats) else {}
        return 200, {"status": "OK", "result": {"chats": page, "paging": paging}}, {}

    def history(self, request):
        refused = self._authorized(request)
        if refused:
            return refused
        chat_id = int(request.query.get("chatId", 0))
        limit, offset = int(request.query.get("limit", 50)), _offset(request.query.get("page_token"))
        if chat_id not in self.chats:
            return _error(404, "NOT_FOUND", "chat not found")
        if not 1 <= limit <= 100 or offset is None:
            return _error(400, "BAD_REQUEST", "limit must be 1 to 100")
        start = (request.json() or {}).get("messageIdFrom") or 0
        messages = [m for m in self.messages[chat_id] if m["messageId"] >= start]
        first = max(0, offset - 1) if self.overlap_pages and offset else offset  # a message seen on two pages
        page = messages[first:offset + limit]
        paging = {"nextPageToken": _token(offset + limit)} if offset + limit < len(messages) else {}
        chat = self.chats[chat_id]
        return 200, {"status": "OK", "result": {"orderId": chat["orderId"], "context": chat["context"],
                                                "messages": page, "paging": paging}}, {}

    def _count_send(self):
        if len(self.sent) >= self.send_limit:
            return _error(429, "TOO_MANY_REQUESTS", "1000 requests per hour")
        return None

    def send_message(self, request):
        refused = self._authorized(request) or self._count_send()
        if refused:
            return refused
        chat_id = int(request.query.get("chatId", 0))
        text = (request.json() or {}).get("message")
        if chat_id not in self.chats:
            return _error(404, "NOT_FOUND", "chat not found")
        if not isinstance(text, str) or not 1 <= len(text) <= 4096:
            return _error(400, "BAD_REQUEST", "message must be 1 to 4096 characters")
        self.sent.append((chat_id, text))
        self.add_message(chat_id, text, sender="PARTNER", minute=500)
        self.chats[chat_id]["status"] = "WAITING_FOR_CUSTOMER"
        return 200, {"status": "OK"}, {}

    def send_file(self, request):
        refused = self._authorized(request) or self._count_send()
        if refused:
            return refused
        chat_id = int(request.query.get("chatId", 0))
        if not request.headers.get("content-type", "").startswith("multipart/form-data") or b'name="file"' \
                not in request.raw:
            return _error(400, "BAD_REQUEST", "a file is required")
        self.sent.append((chat_id, request.raw))
        return 200, {"status": "OK"}, {}

    def download(self, request):
        content = self.files.get(request.params["name"])
        if content is None:
            return 404, {"status": "ERROR"}, {}
        return 200, content, {"Content-Type": "image/png"}
