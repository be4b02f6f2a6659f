"""The Ozon Seller API chat calls sellerkit makes, with Ozon's errors turned into ChannelError codes."""
import base64

from sellerkit.channels import apiclient, errors
from sellerkit.channels.kinds import ChannelError

BASE_URL = "https://api-seller.ozon.ru"
LIST_LIMIT = 100
HISTORY_LIMIT = 1000
#: The plans whose sellers may write to buyers through the API (seller/info's subscription.type).
ANSWERING_PLANS = frozenset({"PREMIUM_PLUS", "PREMIUM_PRO"})
#: Seconds to wait after a 429 that does not say how long.
DEFAULT_RETRY = 60


class PlanRestricted(ChannelError):
    """Ozon refused to send because the seller's plan does not let the API write to buyers."""

    def __init__(self, detail=""):
        super().__init__("not_allowed", detail)


def _error(answer, sending=False):
    error = errors.error_for(answer, "Ozon", default_wait=DEFAULT_RETRY)
    message = str(answer.json().get("message") or "").lower()
    # Sending on a plan without the chat methods is refused as access denied, with the plan named.
    if answer.status == 403 and sending and any(word in message for word in ("premium", "subscription", "подписк")):
        return PlanRestricted(error.detail)
    return error


class OzonClient:
    """Calls with one seller's Client-Id and Api-Key, against `base_url` (Ozon's own by default)."""

    def __init__(self, client_id, api_key, base_url=None, allow_private=False, timeout=apiclient.TIMEOUT):
        self.headers = {"Client-Id": str(client_id), "Api-Key": str(api_key)}
        self.base_url = (base_url or BASE_URL).rstrip("/")
        self.allow_private, self.timeout = allow_private, timeout

    def _post(self, path, body, sending=False):
        answer = apiclient.request("POST", self.base_url + path, self.headers, json_body=body,
                                   allow_private=self.allow_private, timeout=self.timeout)
        if answer.status != 200:
            raise _error(answer, sending)
        return answer.json()

    def chats(self, cursor=None):
        """One page of chats: (entries, next cursor, has_next)."""
        body = {"filter": {"chat_status": "ALL"}, "limit": LIST_LIMIT}
        if cursor:
            body["cursor"] = cursor
        data = self._post("/v3/chat/list", body)
        entries = [entry for entry in data.get("chats") or [] if isinstance(entry, dict)]
        return entries, data.get("cursor") or None, bool(data.get("has_next"))

    def history(self, chat_id, from_message_id, limit):
        """Messages of a chat from `from_message_id` on, oldest first: (messages, has_next)."""
        data = self._post("/v3/chat/history", {"chat_id": chat_id, "direction": "Forward",
                                               "from_message_id": int(from_message_id),
                                               "limit": max(1, min(limit, HISTORY_LIMIT))})
        messages = [message for message in data.get("messages") or [] if isinstance(message, dict)]
        return messages, bool(data.get("has_next"))

    def send_message(self, chat_id, text):
        self._post("/v1/chat/send/message", {"chat_id": chat_id, "text": text}, sending=True)

    def send_file(self, chat_id, filename, content):
        self._post("/v1/chat/send/file", {"chat_id": chat_id, "name": filename,
                                          "base64_content": base64.b64encode(content).decode("ascii")}, sending=True)

    def plan(self):
        """The seller's subscription type (PREMIUM_PLUS, ...), or "" when Ozon does not say."""
        subscription = self._post("/v1/seller/info", {}).get("subscription") or {}
        return str(subscription.get("type") or "") if isinstance(subscription, dict) else ""
