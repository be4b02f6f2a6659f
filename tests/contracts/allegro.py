"""Allegro's Message Center, post-purchase issues, orders and OAuth2 as the documentation describes them."""
import base64
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from tests.contracts.base import ContractServer

PUBLIC = "application/vnd.allegro.public.v1+json"
BETA = "application/vnd.allegro.beta.v1+json"
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
FILE_TYPES = {"image/png", "image/gif", "image/bmp", "image/tiff", "image/jpeg", "application/pdf"}


def _at(minute):
    return (START + timedelta(minutes=minute)).isoformat().replace("+00:00", "Z")


def _error(status, code, message=""):
    return status, {"errors": [{"code": code, "message": message, "userMessage": message}]}, {}


class AllegroServer(ContractServer):
    ROUTES = (
        ("POST", r"/auth/oauth/token", "token"),
        ("GET", r"/messaging/threads", "list_threads"),
        ("GET", r"/messaging/threads/(?P<thread>[\w-]+)/messages", "thread_messages"),
        ("POST", r"/messaging/threads/(?P<thread>[\w-]+)/messages", "post_message"),
        ("POST", r"/messaging/message-attachments", "declare"),
        ("PUT", r"/messaging/message-attachments/(?P<attachment>[\w-]+)", "upload"),
        ("GET", r"/files/(?P<name>[\w.-]+)", "download"),
        ("GET", r"/sale/issues", "list_issues"),
        ("GET", r"/order/checkout-forms/(?P<order>[\w-]+)", "checkout_form"),
        ("GET", r"/sale/issues/(?P<issue>[\w-]+)/chat", "issue_chat"),
        ("POST", r"/sale/issues/(?P<issue>[\w-]+)/message", "issue_message"),
    )

    def __init__(self, client_id="app-1", client_secret="s3cret"):
        super().__init__()
        self.client = (client_id, client_secret)
        self.codes = {}  # code -> redirect_uri
        self.refresh_tokens = set()
        self.access_tokens = set()
        self.threads = {}
        self.messages = {}
        self.issues = {}
        self.issue_chats = {}
        self.attachments = {}
        self.files = {}
        self.sent = []
        self.counter = 0
        self.orders = {}

    # setting up

    def issue_code(self, redirect_uri):
        code = secrets.token_hex(8)
        self.codes[code] = redirect_uri
        return code

    def issue_refresh_token(self):
        token = secrets.token_hex(12)
        self.refresh_tokens.add(token)
        return token

    def _next(self):
        self.counter += 1
        return f"{self.counter:08d}-0000-4000-8000-000000000000"

    def add_thread(self, thread_id, login):
        self.threads[thread_id] = {"id": thread_id, "read": False, "lastMessageDateTime": None,
                                   "interlocutor": {"login": login, "avatarUrl": None}, "newField": 1}
        self.messages[thread_id] = []

    def add_message(self, thread_id, text, minute, from_buyer=True, order=None, attachments=()):
        thread = self.threads[thread_id]
        message = {"id": self._next(), "status": "DELIVERED", "type": "MAIL", "createdAt": _at(minute),
                   "thread": {"id": thread_id},
                   "author": {"login": thread["interlocutor"]["login"] if from_buyer else "seller-shop",
                              "isInterlocutor": from_buyer},
                   "text": text, "subject": None, "relatesTo": {"offer": None, "order": {"id": order} if order
                                                                 else None},
                   "hasAdditionalAttachments": bool(attachments), "attachments": list(attachments)}
        self.messages[thread_id].append(message)
        thread["lastMessageDateTime"] = max(thread["lastMessageDateTime"] or "", message["createdAt"])
        return message["id"]

    def add_file(self, name, content, mime="image/jpeg"):
        self.files[name] = content
        return {"fileName": name, "mimeType": mime, "url": f"{self.url}/files/{name}", "status": "SAFE"}

    def add_issue(self, issue_id, login, order, kind="DISPUTE", minute=0):
        self.issues[issue_id] = {"id": issue_id, "type": kind, "subject": "NOT_AS_DESCRIBED",
                                 "status": f"{kind}_ONGOING", "buyer": {"id": "b-" + login, "login": login},
                                 "checkoutForm": {"id": order, "createdAt": _at(0)}, "openedDate": _at(minute),
                                 "chat": {"lastMessage": None}}
        self.issue_chats[issue_id] = []

    def add_issue_message(self, issue_id, text, minute, role="BUYER"):
        issue = self.issues[issue_id]
        entry = {"id": self._next(), "text": text, "type": "REGULAR", "createdAt": _at(minute),
                 "author": {"login": issue["buyer"]["login"] if role == "BUYER" else "allegro", "role": role},
                 "attachments": []}
        self.issue_chats[issue_id].append(entry)
        issue["chat"]["lastMessage"] = {"createdAt": entry["createdAt"], "status": "NEW"}

    def add_order(self, order_id, items, total):
        """A checkout form: items as (name, quantity, minute bought)."""
        self.orders[order_id] = {
            "id": order_id, "status": "READY_FOR_PROCESSING", "fulfillment": {"status": "SENT"},
            "lineItems": [{"id": f"li-{n}", "offer": {"id": str(n), "name": name}, "quantity": quantity,
                           "price": {"amount": "10.00", "currency": "PLN"}, "boughtAt": _at(minute)}
                          for n, (name, quantity, minute) in enumerate(items)],
            "summary": {"totalToPay": {"amount": total, "currency": "PLN"}}, "updatedAt": _at(0)}

    def expire_tokens(self):
        self.access_tokens.clear()

    # OAuth

    def token(self, request):
        expected = base64.b64encode(f"{self.client[0]}:{self.client[1]}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return 401, {"error": "invalid_client", "error_description": "Bad client credentials"}, {}
        form = {k: v[-1] for k, v in parse_qs(request.raw.decode()).items()}
        if form.get("grant_type") == "authorization_code":
            if self.codes.pop(form.get("code"), None) != form.get("redirect_uri"):
                return 400, {"error": "invalid_grant", "error_description": "Invalid authorization code"}, {}
        elif form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                return 400, {"error": "invalid_grant", "error_description": "Invalid refresh token"}, {}
            self.refresh_tokens.discard(form["refresh_token"])
        else:
            return 400, {"error": "unsupported_grant_type"}, {}
        access = secrets.token_hex(16)
        self.access_tokens.add(access)
        return 200, {"access_token": access, "token_type": "bearer", "refresh_token": self.issue_refresh_token(),
                     "expires_in": 43199, "scope": "allegro:api:messaging", "allegro_api": True, "jti": "x"}, {}

    def _refused(self, request, accept=PUBLIC):
        authorization = request.headers.get("authorization", "")
        if not authorization.startswith("Bearer ") or authorization[7:] not in self.access_tokens:
            return 401, {"error": "invalid_token", "error_description": "Access token expired"}, {}
        if request.headers.get("accept") != accept:
            return _error(406, "NotAcceptableException", "Unsupported resource version")
        return None

    # Message Center

    def list_threads(self, request):
        refused = self._refused(request)
        if refused:
            return refused
        limit, offset = int(request.query.get("limit", 20)), int(request.query.get("offset", 0))
        if not 1 <= limit <= 20:
            return _error(422, "VALIDATION_ERROR", "limit must be 1 to 20")
        listed = sorted((t for t in self.threads.values() if t["lastMessageDateTime"]),
                        key=lambda t: t["lastMessageDateTime"], reverse=True)
        return 200, {"threads": listed[offset:offset + limit], "offset": offset, "limit": limit}, {}

    def thread_messages(self, request):
        refused = self._refused(request)
        if refused:
            return refused
        thread = request.params["thread"]
        if thread not in self.threads:
            return _error(404, "NOT_FOUND", "thread not found")
        limit, offset = int(request.query.get("limit", 20)), int(request.query.get("offset", 0))
        if not 1 <= limit <= 20:
            return _error(422, "VALIDATION_ERROR", "limit must be 1 to 20")
        after = request.query.get("after")
        after = datetime.fromisoformat(after.replace("Z", "+00:00")) if after else None
        listed = sorted((m for m in self.messages[thread] if after is None or
                         datetime.fromisoformat(m["createdAt"].replace("Z", "+00:00")) > after),
                        key=lambda m: m["createdAt"], reverse=True)
        return 200, {"messages": listed[offset:offset + limit], "offset": offset, "limit": limit}, {}

    def post_message(self, request):
        refused = self._refused(request)
        if refused:
            return refused
        body = request.json() or {}
        text = body.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= 2000:
            return _error(422, "VALIDATION_ERROR", "text must be 1 to 2000 characters")
        for attachment in body.get("attachments") or []:
            if self.attachments.get(attachment.get("id"), {}).get("content") is None:
                return _error(422, "VALIDATION_ERROR", "attachment not uploaded")
        self.sent.append((request.params["thread"], text, [a["id"] for a in body.get("attachments") or []]))
        return 201, {"id": self._next(), "text": text}, {}

    def declare(self, request):
        refused = self._refused(request)
        if refused:
            return refused
        body = request.json() or {}
        if not body.get("filename") or not 0 < int(body.get("size") or 0) <= 5242880:
            return _error(422, "VALIDATION_ERROR", "size must be at most 5242880")
        attachment_id = self._next()
        self.attachments[attachment_id] = {"filename": body["filename"], "size": body["size"], "content": None}
        return 201, {"id": attachment_id}, {}

    def upload(self, request):
        authorization = request.headers.get("authorization", "")
        if authorization[7:] not in self.access_tokens:
            return 401, {"error": "invalid_token"}, {}
        declared = self.attachments.get(request.params["attachment"])
        if declared is None:
            return _error(404, "NOT_FOUND", "attachment not declared")
        if request.headers.get("content-type") not in FILE_TYPES:
            return _error(415, "UNSUPPORTED_MEDIA_TYPE", "file type not allowed")
        if len(request.raw) != declared["size"]:
            return _error(422, "VALIDATION_ERROR", "size differs from the declaration")
        declared["content"] = request.raw
        return 200, {"id": request.params["attachment"]}, {}

    def download(self, request):
        if request.headers.get("authorization", "")[7:] not in self.access_tokens:
            return 401, {"error": "invalid_token"}, {}
        content = self.files.get(request.params["name"])
        return (200, content, {"Content-Type": "image/jpeg"}) if content is not None else (404, {}, {})

    def checkout_form(self, request):
        refused = self._refused(request)
        if refused:
            return refused
        order = self.orders.get(request.params["order"])
        return (200, order, {}) if order else _error(404, "NOT_FOUND", "checkout form not found")

    # post-purchase issues

    def list_issues(self, request):
        refused = self._refused(request, BETA)
        if refused:
            return refused
        limit, offset = int(request.query.get("limit", 100)), int(request.query.get("offset", 0))
        listed = sorted(self.issues.values(), key=lambda i: i["openedDate"], reverse=True)
        return 200, {"issues": listed[offset:offset + limit], "count": len(listed[offset:offset + limit]),
                     "totalCount": len(listed)}, {}

    def issue_chat(self, request):
        refused = self._refused(request, BETA)
        if refused:
            return refused
        if request.params["issue"] not in self.issues:
            return _error(404, "NOT_FOUND", "issue not found")
        return 200, {"chat": self.issue_chats[request.params["issue"]]}, {}

    def issue_message(self, request):
        refused = self._refused(request, BETA)
        if refused:
            return refused
        body = request.json() or {}
        if not isinstance(body.get("text"), str) or not 1 <= len(body["text"]) <= 2000:
            return _error(422, "VALIDATION_ERROR", "text must be 1 to 2000 characters")
        self.sent.append((request.params["issue"], body["text"], []))
        return 201, {"id": self._next()}, {}
