"""The Wildberries buyer-chat calls sellerkit makes, each within the seller's shared request budget."""
import base64
import hashlib
import json

from sellerkit.channels import apiclient, errors
from sellerkit.channels.kinds import ChannelError
from sellerkit.channels.ratelimit import RateLimited

BASE_URL = "https://buyer-chat-api.wildberries.ru"
#: The documented limit per seller account: 10 requests in 10 seconds.
LIMIT, PERIOD = 10, 10.0
#: Seconds to wait after a 429 that does not say how long.
DEFAULT_RETRY = 10
#: A buyer's file larger than this is left on the platform rather than held in memory.
MAX_DOWNLOAD = 30 * 1024 * 1024


def account_key(token):
    """The budget's key for a token: its seller id (the "sid" claim of Wildberries' JWT tokens), so that two tokens
    of one seller share one budget; a hash of the token when it has none. The token itself is never stored."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        seller = str(claims.get("sid") or "") if isinstance(claims, dict) else ""
    except (IndexError, ValueError, UnicodeError):
        seller = ""
    if seller and len(seller) <= 100:
        return f"wildberries:seller:{seller}"
    return "wildberries:token:" + hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:32]


class WildberriesClient:
    """Calls with one seller's token against `base_url`; `budget` (ratelimit.SharedBudget or None) is asked for a
    turn before every request and told when the platform says to wait."""

    def __init__(self, token, base_url=None, allow_private=False, budget=None, timeout=apiclient.TIMEOUT):
        self.token, self.base_url = str(token or ""), (base_url or BASE_URL).rstrip("/")
        self.allow_private, self.budget, self.timeout = allow_private, budget, timeout
        self.key = account_key(self.token)

    def _call(self, method, path, query=None, body=None, content_type=None, raw=False):
        options = {"data": body, "content_type": content_type, "raw": raw}
        if self.budget is None:
            answer = self._request(method, path, query, options)
        else:
            try:
                turn = self.budget.acquire(self.key)
            except RateLimited as waiting:
                raise ChannelError("rate_limited", "the seller's request budget is used up",
                                   retry_after=waiting.retry_after) from None
            try:
                answer = self._request(method, path, query, options)
            finally:
                self.budget.finish(self.key, turn)
        if answer.status != 200:
            error = errors.error_for(answer, "Wildberries", default_wait=DEFAULT_RETRY,
                                     wait_headers=("X-Ratelimit-Retry", "Retry-After", "X-Ratelimit-Reset"))
            if error.code == "rate_limited" and self.budget is not None:
                self.budget.hold(self.key, error.retry_after)
            raise error
        return answer

    def _request(self, method, path, query, options):
        return apiclient.request(method, self.base_url + path, {"Authorization": self.token}, query,
                                 allow_private=self.allow_private, timeout=self.timeout, **options)

    def chats(self):
        result = self._call("GET", "/api/v1/seller/chats").json().get("result")
        return [chat for chat in result or [] if isinstance(chat, dict)]

    def events(self, after=None):
        """One page of events after the millisecond cursor `after` (the first page when None): the result object."""
        # next=0 is refused (400): the first page is asked for without it.
        query = {"next": int(after)} if after else None
        result = self._call("GET", "/api/v1/seller/events", query=query).json().get("result")
        return result if isinstance(result, dict) else {}

    def download(self, download_id):
        answer = self._call("GET", apiclient.url_path("api", "v1", "seller", "download", download_id), raw=True)
        if len(answer.raw) > MAX_DOWNLOAD:
            raise ChannelError("refused", "the buyer's file is too large to keep")
        return answer.headers.get("content-type", "application/octet-stream").split(";")[0].strip(), answer.raw

    def send(self, reply_sign, text, files):
        """Send one message (text and files as (filename, content type, bytes)); returns the errors the platform
        listed for the files (empty when all went)."""
        body, content_type = apiclient.multipart(
            [("replySign", reply_sign)] + ([("message", text)] if text else []),
            [("file", filename, kind, content) for filename, kind, content in files])
        data = self._call("POST", "/api/v1/seller/message", body=body, content_type=content_type).json()
        return [str(error) for error in data.get("errors") or []]
