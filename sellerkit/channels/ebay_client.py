"""eBay's REST APIs for one seller: OAuth2 through the RuName with refresh, messages, identity, images."""
import base64
from datetime import timedelta
from urllib.parse import urlencode

from sellerkit.channels import apiclient
from sellerkit.channels.kinds import ChannelError
from sellerkit.channels.marketplace import parse_time

#: (sign-in host, API host, identity host, media host) of each environment.
ENVIRONMENTS = {
    "production": ("https://auth.ebay.com", "https://api.ebay.com", "https://apiz.ebay.com", "https://apim.ebay.com"),
    "sandbox": ("https://auth.sandbox.ebay.com", "https://api.sandbox.ebay.com", "https://apiz.sandbox.ebay.com",
                "https://apim.sandbox.ebay.com"),
}
MESSAGE_API = "/commerce/message/v1"
SCOPES = " ".join(f"https://api.ebay.com/oauth/api_scope/{scope}" for scope in (
    "commerce.message", "commerce.identity.readonly", "sell.inventory"))
REFRESH_MARGIN = timedelta(minutes=5)


def hosts(settings):
    """The four hosts: a base URL override stands for all of them (a test server, a proxy)."""
    if settings.get("base_url"):
        return (settings["base_url"].rstrip("/"),) * 4
    return ENVIRONMENTS.get(settings.get("environment") or "production", ENVIRONMENTS["production"])


def authorize_url(settings, state):
    # eBay sends the seller back to the URL registered under the RuName, which stands in for the redirect URI.
    query = urlencode({"client_id": settings["client_id"], "redirect_uri": settings["ru_name"],
                       "response_type": "code", "scope": SCOPES, "state": state})
    return f"{hosts(settings)[0]}/oauth2/authorize?{query}"


def _token_request(settings, secrets, form, now):
    api_host = hosts(settings)[1]
    credentials = f"{settings['client_id']}:{secrets.get('client_secret') or ''}".encode()
    answer = apiclient.request("POST", f"{api_host}/identity/v1/oauth2/token", form=form, headers={
        "Authorization": "Basic " + base64.b64encode(credentials).decode("ascii"), "Accept": "application/json"})
    body = answer.body if isinstance(answer.body, dict) else {}
    if answer.status == 400 and body.get("error") == "invalid_grant":
        raise ChannelError("invalid_grant", str(body.get("error_description") or "")[:300])
    if answer.status >= 300:
        raise apiclient.error_for(answer.status, answer.headers, answer.body, now)
    if not body.get("access_token"):
        raise ChannelError("bad_answer", "the token answer has no access_token")
    secrets["access_token"] = body["access_token"]
    secrets["refresh_token"] = body.get("refresh_token") or secrets.get("refresh_token")
    secrets["expires_at"] = (now + timedelta(seconds=int(body.get("expires_in") or 0))).isoformat()


def exchange_code(settings, secrets, code, now):
    _token_request(settings, secrets, {"grant_type": "authorization_code", "code": code,
                                       "redirect_uri": settings["ru_name"]}, now)


def refresh(settings, secrets, now):
    if not secrets.get("refresh_token"):
        raise ChannelError("not_connected")
    _token_request(settings, secrets, {"grant_type": "refresh_token", "refresh_token": secrets["refresh_token"],
                                       "scope": SCOPES}, now)


class Client:
    """Requests as the seller; the access token is refreshed when it is about to end, and once when refused."""

    def __init__(self, settings, secrets, now):
        self.settings, self.secrets, self.now = settings, secrets, now
        _auth, self.api, self.identity, self.media = hosts(settings)
        self.requests = 0

    def _token(self):
        expires = self.secrets.get("expires_at")
        if not self.secrets.get("access_token") or not expires or parse_time(expires) <= self.now + REFRESH_MARGIN:
            refresh(self.settings, self.secrets, self.now)
        return self.secrets["access_token"]

    def call(self, method, url, query=None, body=None, data=None, *, content_type=None, raw=False):
        answer = self._send(method, url, query, body, data, content_type=content_type, raw=raw)
        if answer.status == 401:
            refresh(self.settings, self.secrets, self.now)  # revoked or expired early: one new token, once
            answer = self._send(method, url, query, body, data, content_type=content_type, raw=raw)
        if answer.status >= 300:
            raise apiclient.error_for(answer.status, answer.headers, answer.body, self.now, default_wait=60)
        return answer

    def _send(self, method, url, query, body, data, *, content_type, raw):
        headers = {"Authorization": f"Bearer {self._token()}", "Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        self.requests += 1
        return apiclient.request(method, url, headers=headers, query=query, json_body=body, data=data, raw=raw)

    def messages_api(self, method, path, query=None, body=None):
        answer = self.call(method, f"{self.api}{MESSAGE_API}{path}", query, body)
        if answer.body is not None and not isinstance(answer.body, dict):
            raise ChannelError("bad_answer", "the answer is not an object")
        return answer.body or {}

    def username(self):
        """The seller's own eBay username: the other party of a conversation is the buyer."""
        body = self.call("GET", f"{self.identity}/commerce/identity/v1/user/").body or {}
        if not body.get("username"):
            raise ChannelError("bad_answer", "the identity answer has no username")
        return body["username"]

    def upload_image(self, filename, content_type, content):
        """An image on eBay's servers for a message (the Media API), as its URL."""
        data, multipart_type = apiclient.multipart({}, [("image", filename, content_type, content)])
        created = self.call("POST", f"{self.media}/commerce/media/v1_beta/image/create_image_from_file",
                            data=data, content_type=multipart_type)
        location = created.headers.get("location")
        if not location:
            raise ChannelError("bad_answer", "the image has no Location")
        image = self.call("GET", location).body or {}
        if not image.get("imageUrl"):
            raise ChannelError("bad_answer", "the image has no imageUrl")
        return image["imageUrl"]
