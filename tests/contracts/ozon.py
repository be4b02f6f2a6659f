"""Ozon's Seller API chat methods as documented: Client-Id + Api-Key, chat list and history with cursors, sending
only on Premium Plus and Premium Pro, the per-second request limit and the RpcStatus error bodies."""
import base64
import binascii
import itertools
import json
import threading
import time
from datetime import UTC, datetime, timedelta

BUYER, SELLER, SUPPORT = "Customer", "Seller", "Support"
START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def rpc_error(status, code, message):
    return status, {}, {"code": code, "message": message, "details": []}


class OzonPlatform:
    """The state of one seller account. `plan` is its subscription type; `per_second` the request limit;
    `fail` a list of statuses to answer the next requests with (500, 429) before serving them again."""

    def __init__(self, client_id="123456", api_key="ozon-key", plan="PREMIUM_PLUS", per_second=50):
        self.client_id, self.api_key, self.plan, self.per_second = client_id, api_key, plan, per_second
        self.chats, self.sent, self.requests, self.fail = {}, [], [], []
        self.hidden = set()  # chats listed whose history Ozon does not show (404)
        self.ids = itertools.count(3000000000118021931, 7)
        self.lock = threading.Lock()
        self.recent = []

    # -- setting up ------------------------------------------------------------------------------------------------
    def add_chat(self, chat_id, chat_type="BUYER_SELLER"):
        self.chats[chat_id] = {"type": chat_type, "created_at": START, "messages": []}

    def add_message(self, chat_id, text, user_type=BUYER, user_id="115568", order_number=None, *, sku=None,
                    at=None):
        chat = self.chats[chat_id]
        message_id = next(self.ids)
        at = at or START + timedelta(minutes=len(chat["messages"]) + 1)
        chat["messages"].append({
            "message_id": str(message_id), "user": {"id": user_id, "type": user_type},
            "created_at": at.isoformat().replace("+00:00", "Z"), "data": [text], "is_image": False,
            "is_read": False, "moderate_image_status": "SUCCESS",
            "context": {"order_number": order_number or "", "sku": sku or ""}, "unknown_later_field": {"x": 1}})
        return message_id

    # -- serving ---------------------------------------------------------------------------------------------------
    def handle(self, method, path, headers, body):
        with self.lock:
            self.requests.append(path)
            now = time.monotonic()
            self.recent = [moment for moment in self.recent if moment > now - 1] + [now]
            if self.fail:
                status = self.fail.pop(0)
                if status == 429:
                    return rpc_error(429, 8, "You have reached request rate limit per second")
                return rpc_error(status, 13, "internal error")
            if len(self.recent) > self.per_second:
                return rpc_error(429, 8, "You have reached request rate limit per second")
            if method != "POST":
                return rpc_error(404, 5, "Not Found")
            if not headers.get("Client-Id") or not headers.get("Api-Key"):
                return rpc_error(400, 3, "Client-Id and Api-Key headers are required")
            if headers["Client-Id"] != self.client_id or headers["Api-Key"] != self.api_key:
                return rpc_error(403, 7, "Invalid Api-Key, please contact support")
            try:
                request = json.loads(body or b"{}")
            except ValueError:
                return rpc_error(400, 3, "invalid JSON")
            route = {"/v3/chat/list": self.chat_list, "/v3/chat/history": self.chat_history,
                     "/v1/chat/send/message": self.send_message, "/v1/chat/send/file": self.send_file,
                     "/v1/seller/info": self.seller_info}.get(path)
            return route(request) if route else rpc_error(404, 5, "Not Found")

    def chat_list(self, request):
        limit = request.get("limit")
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            return rpc_error(400, 3, "limit must be from 1 to 100")
        try:
            start = int(base64.b64decode(request.get("cursor") or "MA==").decode()) if request.get("cursor") else 0
        except (ValueError, binascii.Error):
            return rpc_error(400, 3, "invalid cursor")
        names = list(self.chats)
        page = names[start:start + limit]
        chats = []
        for chat_id in page:
            chat = self.chats[chat_id]
            last = chat["messages"][-1]["message_id"] if chat["messages"] else "0"
            chats.append({"chat": {"chat_id": chat_id, "chat_status": "OPENED", "chat_type": chat["type"],
                                   "created_at": chat["created_at"].isoformat().replace("+00:00", "Z")},
                          "first_unread_message_id": "0", "last_message_id": last, "unread_count": 0})
        has_next = start + limit < len(names)
        cursor = base64.b64encode(str(start + limit).encode()).decode() if has_next else ""
        return 200, {}, {"chats": chats, "total_unread_count": 0, "cursor": cursor, "has_next": has_next}

    def chat_history(self, request):
        chat = self.chats.get(request.get("chat_id"))
        if chat is None or request.get("chat_id") in self.hidden:
            return rpc_error(404, 5, "chat not found")
        limit = request.get("limit", 50)
        if not isinstance(limit, int) or not 1 <= limit <= 1000:
            return rpc_error(400, 3, "limit must be from 1 to 1000")
        direction = request.get("direction", "Backward")
        messages = chat["messages"]
        if direction == "Forward":
            if "from_message_id" not in request:
                return rpc_error(400, 3, "from_message_id is required for direction Forward")
            # The page starts at the message asked for itself.
            chosen = [m for m in messages if int(m["message_id"]) >= int(request["from_message_id"])]
        else:
            before = int(request.get("from_message_id") or 2 ** 64)
            chosen = [m for m in reversed(messages) if int(m["message_id"]) <= before]
        return 200, {}, {"has_next": len(chosen) > limit, "messages": chosen[:limit]}

    def _may_send(self, request):
        if self.plan not in ("PREMIUM_PLUS", "PREMIUM_PRO"):
            return rpc_error(403, 7, "The method is available only with the Premium Plus or Premium Pro "
                                     "subscription")
        chat = self.chats.get(request.get("chat_id"))
        if chat is None or chat["type"] not in ("BUYER_SELLER", "BUYER_SELLER_SELECT"):
            return rpc_error(404, 5, "chat not found")
        return None

    def send_message(self, request):
        refused = self._may_send(request)
        if refused:
            return refused
        text = request.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= 1000:
            return rpc_error(400, 3, "text must be from 1 to 1000 characters")
        self.sent.append(("text", request["chat_id"], text))
        self.add_message(request["chat_id"], text, user_type=SELLER, user_id="seller")
        return 200, {}, {"result": "success"}

    def send_file(self, request):
        refused = self._may_send(request)
        if refused:
            return refused
        try:
            content = base64.b64decode(request.get("base64_content") or "", validate=True)
        except (ValueError, binascii.Error):
            return rpc_error(400, 3, "base64_content is not base64")
        if not request.get("name") or not content:
            return rpc_error(400, 3, "name and base64_content are required")
        self.sent.append(("file", request["chat_id"], request["name"], content))
        return 200, {}, {"result": "success"}

    def seller_info(self, request):
        return 200, {}, {"company": {"name": "Amber Studio", "currency": "RUB"}, "ratings": [],
                         "subscription": {"is_premium": self.plan != "UNSPECIFIED", "type": self.plan}}
