"""eBay's REST APIs for one seller: OAuth2 through the RuName with refresh, messages, identity, images."""
from urllib.parse import urlencode

from sellerkit.channels import apiclient, oauth
from sellerkit.channels.kinds import ChannelError

#: (sign-in host, API host, identity host, media host) of each environment.
ENVIRONMENTS = {
    "production": ("https://auth.ebay.com", "https://api.ebay.com", "https://apiz.ebay.com", "https://apim.ebay.com"),
    "sandbox": ("https://auth.sandbox.ebay.com", "https://api.sandbox.ebay.com", "https://apiz.sandbox.ebay.com",
                "https://apim.sandbox.ebay.com"),
}
MESSAGE_API = "/commerce/message/v1"
SCOPES = " ".join(f"https://api.ebay.com/oauth/api_scope/{scope}" for scope in (
    "commerce.message", "commerce.identity.readonly", "sell.inventory"))


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


def _token_url(settings):
    return f"{hosts(settings)[1]}/identity/v1/oauth2/token"


def exchange_code(settings, secrets, code, now, allow_private=False):
    oauth.token_request(_token_url(settings), settings, secrets, {
        "grant_type": "authorization_code", "code": code, "redirect_uri": settings["ru_name"]}, now, allow_private)


def refresh(settings, secrets, now, allow_private=False):
    if not secrets.get("refresh_token"):
        raise ChannelError("not_connected")
    oauth.token_request(_token_url(settings), settings, secrets, {
        "grant_type": "refresh_token", "refresh_token": secrets["refresh_token"], "scope": SCOPES}, now,
        allow_private)


class Client(oauth.OAuthClient):
    """Requests as the seller to eBay's message, identity and media APIs."""

    def __init__(self, settings, secrets, now, allow_private=False):
        super().__init__(settings, secrets, now, allow_private)
        _auth, self.api, self.identity, self.media = hosts(settings)

    def refresh(self):
        refresh(self.settings, self.secrets, self.now, self.allow_private)

    def messages_api(self, method, path, query=None, body=None):
        return oauth.json_object(self.request(method, f"{self.api}{MESSAGE_API}{path}", None, query, json_body=body))

    def username(self):
        """The seller's own eBay username: the other party of a conversation is the buyer."""
        body = self.request("GET", f"{self.identity}/commerce/identity/v1/user/").json()
        if not body.get("username"):
            raise ChannelError("bad_answer", "the identity answer has no username")
        return body["username"]

    def upload_image(self, filename, content_type, content):
        """An image on eBay's servers for a message (the Media API), as its URL."""
        data, multipart_type = apiclient.multipart((), [("image", filename, content_type, content)])
        created = self.request("POST", f"{self.media}/commerce/media/v1_beta/image/create_image_from_file",
                               data=data, content_type=multipart_type)
        location = created.headers.get("location")
        if not location:
            raise ChannelError("bad_answer", "the image has no Location")
        image = self.request("GET", location).json()
        if not image.get("imageUrl"):
            raise ChannelError("bad_answer", "the image has no imageUrl")
        return image["imageUrl"]
