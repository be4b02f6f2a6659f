"""Allegro's REST API for one seller: OAuth2 code and refresh, production or sandbox, versioned requests."""
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode, urlsplit

from sellerkit.channels import oauth
from sellerkit.channels.kinds import ChannelError
from sellerkit.channels.marketplace import parse_time

ENVIRONMENTS = {
    "production": ("https://allegro.pl", "https://api.allegro.pl"),
    "sandbox": ("https://allegro.pl.allegrosandbox.pl", "https://api.allegro.pl.allegrosandbox.pl"),
}
PUBLIC = "application/vnd.allegro.public.v1+json"
BETA = "application/vnd.allegro.beta.v1+json"  # post-purchase issues are a beta resource
SCOPES = "allegro:api:messaging allegro:api:disputes allegro:api:orders:read"


def hosts(settings):
    """(sign-in host, API host): a base URL override stands for both (a test server, a proxy)."""
    if settings.get("base_url"):
        base = settings["base_url"].rstrip("/")
        return base, base
    return ENVIRONMENTS.get(settings.get("environment") or "production", ENVIRONMENTS["production"])


def authorize_url(settings, state, redirect_uri):
    auth_host, _ = hosts(settings)
    query = urlencode({"response_type": "code", "client_id": settings["client_id"], "redirect_uri": redirect_uri,
                       "state": state, "scope": SCOPES})
    return f"{auth_host}/auth/oauth/authorize?{query}"


def exchange_code(settings, secrets, code, redirect_uri, now, allow_private=False):
    oauth.token_request(f"{hosts(settings)[0]}/auth/oauth/token", settings, secrets, {
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}, now, allow_private)


def refresh(settings, secrets, now, allow_private=False):
    if not secrets.get("refresh_token"):
        raise ChannelError("not_connected")
    oauth.token_request(f"{hosts(settings)[0]}/auth/oauth/token", settings, secrets, {
        "grant_type": "refresh_token", "refresh_token": secrets["refresh_token"]}, now, allow_private)


def is_allegro_host(url, api_base):
    """Whether the seller's token may go to `url`: Allegro's own hosts (attachments live on upload.allegro.pl), or
    the API's host itself."""
    host = (urlsplit(url).hostname or "").lower()
    return host == urlsplit(api_base).hostname or any(host == domain or host.endswith(f".{domain}")
                                                      for domain in ("allegro.pl", "allegrosandbox.pl"))


class Client(oauth.OAuthClient):
    """Requests as the seller to Allegro's versioned REST API."""

    def __init__(self, settings, secrets, now, allow_private=False):
        super().__init__(settings, secrets, now, allow_private)
        self.api = hosts(settings)[1]

    def refresh(self):
        refresh(self.settings, self.secrets, self.now, self.allow_private)

    def call(self, method, path, query=None, body=None, accept=PUBLIC, *, data=None, content_type=None):
        """A JSON object from `path`; `accept` is the resource's version, and a JSON `body` is sent as that too."""
        answer = self.request(method, f"{self.api}{path}", {"Accept": accept}, query, json_body=body, data=data,
                              content_type=accept if body is not None else content_type)
        return oauth.json_object(answer)

    def download(self, url):
        """An attachment's bytes, with the seller's token (the files live on Allegro's upload host)."""
        return self.request("GET", url, raw=True)


def order_card(client, order_id):
    """What the order card shows of an order (a checkout form): when it was bought, its items and its total; {}
    when it cannot be read (a sign-in without the orders scope, another seller's order, a limit): the messages
    matter more."""
    try:
        form = client.call("GET", f"/order/checkout-forms/{order_id}")
    except ChannelError:
        return {}  # the card is filled the next time a message names the order
    items = [item for item in form.get("lineItems") or [] if isinstance(item, dict)]
    card = {"items_summary": "; ".join(f"{item.get('quantity') or 1} × {(item.get('offer') or {}).get('name') or ''}"
                                      for item in items)[:1000]}
    bought = [parse_time(item["boughtAt"]) for item in items if item.get("boughtAt")]
    if bought:
        card["placed_at"] = min(bought)
    total = (form.get("summary") or {}).get("totalToPay") or {}
    try:
        card["total"] = Decimal(str(total["amount"])).quantize(Decimal("0.01"))
        card["currency"] = str(total.get("currency") or "")[:3] or None
    except (KeyError, InvalidOperation):
        pass
    return card
