"""eBay's Message API, OAuth2 token endpoint, identity and Media API as the OpenAPI files describe them."""
import base64
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from tests.contracts.base import ContractServer

START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
SELLER = "amber_studio"


def _at(minute):
    return (START + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _parse(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _error(status, message):
    return status, {"errors": [{"errorId": 355001, "domain": "API_MESSAGE", "category": "REQUEST",
                                "message": message}]}, {}


class EbayServer(ContractServer):
    ROUTES = (
        ("POST", r"/identity/v1/oauth2/token", "token"),
        ("GET", r"/commerce/identity/v1/user/", "user"),
        ("GET", r"/commerce/message/v1/conversation", "list_conversations"),
        ("GET", r"/commerce/message/v1/conversation/(?P<conversation>[\w-]+)", "conversation"),
        ("POST", r"/commerce/message/v1/send_message", "send_message"),
        ("POST", r"/commerce/media/v1_beta/image/create_image_from_file", "create_image"),
        ("GET", r"/commerce/media/v1_beta/image/(?P<image>[\w-]+)", "get_image"),
        ("GET", r"/pics/(?P<name>[\w.-]+)", "picture"),
    )

    def __init__(self, client_id="App-1", client_secret="Cert-1", ru_name="Amber-Studio-App-1-abcd"):
        super().__init__()
        self.client, self.ru_name = (client_id, client_secret), ru_name
        self.codes, self.refresh_tokens, self.access_tokens = set(), set(), set()
        self.conversations, self.messages, self.images, self.sent = {}, {}, {}, []
        self.counter = 0

    def issue_code(self):
        code = secrets.token_hex(8)
        self.codes.add(code)
        return code

    def issue_refresh_token(self):
        token = "v^1.1#" + secrets.token_hex(12)
        self.refresh_tokens.add(token)
        return token

    def add_conversation(self, conversation_id, buyer, item="123456789012"):
        self.conversations[conversation_id] = {
            "conversationId": conversation_id, "conversationStatus": "ACTIVE", "conversationTitle": f"About {item}",
            "conversationType": "FROM_MEMBERS", "createdDate": None, "latestMessage": None, "referenceId": item,
            "referenceType": "LISTING", "unreadCount": 0, "buyer": buyer}
        self.messages[conversation_id] = []

    def add_message(self, conversation_id, text, minute, from_buyer=True, media=()):
        conversation = self.conversations[conversation_id]
        self.counter += 1
        message = {"messageId": str(7000000 + self.counter), "messageBody": text, "createdDate": _at(minute),
                   "senderUsername": conversation["buyer"] if from_buyer else SELLER,
                   "recipientUsername": SELLER if from_buyer else conversation["buyer"], "readStatus": False,
                   "subject": conversation["conversationTitle"], "messageMedia": list(media)}
        self.messages[conversation_id].append(message)
        conversation["createdDate"] = conversation["createdDate"] or message["createdDate"]
        if conversation["latestMessage"] is None or message["createdDate"] >= conversation["latestMessage"][
                "createdDate"]:
            conversation["latestMessage"] = message

    def expire_tokens(self):
        self.access_tokens.clear()

    # OAuth and identity

    def token(self, request):
        expected = base64.b64encode(f"{self.client[0]}:{self.client[1]}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return 401, {"error": "invalid_client", "error_description": "client authentication failed"}, {}
        form = {k: v[-1] for k, v in parse_qs(request.raw.decode()).items()}
        access = "v^1.1#i^1#" + secrets.token_hex(16)
        if form.get("grant_type") == "authorization_code":
            if form.get("code") not in self.codes or form.get("redirect_uri") != self.ru_name:
                return 400, {"error": "invalid_grant", "error_description": "the provided authorization grant "
                                                                            "code is invalid or was issued to "
                                                                            "another client"}, {}
            self.codes.discard(form["code"])
            self.access_tokens.add(access)
            return 200, {"access_token": access, "expires_in": 7200, "refresh_token": self.issue_refresh_token(),
                         "refresh_token_expires_in": 47304000, "token_type": "User Access Token"}, {}
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                return 400, {"error": "invalid_grant", "error_description": "the provided authorization refresh "
                                                                            "token is invalid"}, {}
            self.access_tokens.add(access)
            return 200, {"access_token": access, "expires_in": 7200, "token_type": "User Access Token"}, {}
        return 400, {"error": "unsupported_grant_type"}, {}

    def _refused(self, request):
        authorization = request.headers.get("authorization", "")
        if not authorization.startswith("Bearer ") or authorization[7:] not in self.access_tokens:
            return 401, {"errors": [{"errorId": 1001, "domain": "OAuth", "category": "REQUEST",
                                     "message": "Invalid access token"}]}, {}
        return None

    def user(self, request):
        return self._refused(request) or (200, {"userId": "u-1", "username": SELLER, "accountType": "BUSINESS"}, {})

    # Message API

    def _paging(self, request):
        limit, offset = int(request.query.get("limit", 25)), int(request.query.get("offset", 0))
        if request.query.get("conversation_type") not in ("FROM_EBAY", "FROM_MEMBERS"):
            return None, None, _error(400, "conversation_type is required")
        if not 1 <= limit <= 50:
            return None, None, _error(400, "limit must be 1 to 50")
        return limit, offset, None

    def list_conversations(self, request):
        limit, offset, refused = self._paging(request)
        refused = self._refused(request) or refused
        if refused:
            return refused
        start = _parse(request.query["start_time"]) if request.query.get("start_time") else None
        listed = sorted((c for c in self.conversations.values() if c["latestMessage"] and (
            not start or _parse(c["latestMessage"]["createdDate"]) >= start)),
            key=lambda c: c["latestMessage"]["createdDate"], reverse=True)
        page = [{k: v for k, v in c.items() if k != "buyer"} for c in listed[offset:offset + limit]]
        more = offset + limit < len(listed)
        return 200, {"conversations": page, "limit": limit, "offset": offset, "total": len(listed),
                     "next": f"{self.url}/commerce/message/v1/conversation?offset={offset + limit}" if more
                     else None}, {}

    def conversation(self, request):
        limit, offset, refused = self._paging(request)
        refused = self._refused(request) or refused
        if refused:
            return refused
        conversation_id = request.params["conversation"]
        if conversation_id not in self.conversations:
            return _error(404, "conversation not found")
        listed = sorted(self.messages[conversation_id], key=lambda m: m["createdDate"], reverse=True)
        more = offset + limit < len(listed)
        return 200, {"conversationId": conversation_id, "messages": listed[offset:offset + limit], "limit": limit,
                     "offset": offset, "total": len(listed), "next": "more" if more else None}, {}

    def send_message(self, request):
        refused = self._refused(request)
        if refused:
            return refused
        body = request.json() or {}
        if body.get("conversationId") not in self.conversations:
            return _error(400, "conversationId is invalid")
        if not isinstance(body.get("messageText"), str) or not 1 <= len(body["messageText"]) <= 2000:
            return _error(400, "messageText must be 1 to 2000 characters")
        media = body.get("messageMedia") or []
        if len(media) > 5 or any(not m.get("mediaUrl", "").startswith(f"{self.url}/pics/") for m in media):
            return _error(400, "up to five media hosted by eBay")
        self.sent.append((body["conversationId"], body["messageText"], [m["mediaUrl"] for m in media]))
        return 201, {"messageId": "sent-1", "messageBody": body["messageText"], "senderUserName": SELLER}, {}

    # Media API

    def create_image(self, request):
        refused = self._refused(request)
        if refused:
            return refused
        if not request.headers.get("content-type", "").startswith("multipart/form-data") or \
                b'name="image"' not in request.raw:
            return _error(400, "an image is required")
        self.counter += 1
        image_id = f"img{self.counter}"
        self.images[image_id] = request.raw
        return 201, {}, {"Location": f"{self.url}/commerce/media/v1_beta/image/{image_id}"}

    def get_image(self, request):
        refused = self._refused(request)
        if refused:
            return refused
        if request.params["image"] not in self.images:
            return _error(404, "image not found")
        return 200, {"imageUrl": f"{self.url}/pics/{request.params['image']}.jpg",
                     "expirationDate": _at(60 * 24 * 30)}, {}

    def picture(self, request):
        return 200, b"\xff\xd8picture", {"Content-Type": "image/jpeg"}
