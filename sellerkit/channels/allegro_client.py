"""Allegro's REST API for one seller: OAuth2 code and refresh, production or sandbox, versioned requests."""
import base64
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode, urlsplit

from sellerkit.channels import apiclient
from sellerkit.channels.kinds import ChannelError
from sellerkit.channels.marketplace import parse_time

ENVIRONMENTS = {
    "production": ("https://allegro.pl", "https://api.allegro.pl"),
    "sandbox": ("https://allegro.pl.allegrosandbox.pl", "https://api.allegro.pl.allegrosandbox.pl"),
}
PUBLIC = "application/vnd.allegro.public.v1+json"
BETA = "application/vnd.allegro.beta.v1+json"  # post-purchase issues are a beta resource
SCOPES = "allegro:api:messaging allegro:api:disputes allegro:api:orders:read"
#: A token this close to its end is refreshed before use: a long fetch must not cross its expiry.
REFRESH_MARGIN = timedelta(minutes=5)


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


def _token_request(settings, secrets, form, now):
    """POST to the token endpoint with the app's credentials; stores the tokens it gives in `secrets`."""
    auth_host, _ = hosts(settings)
    credentials = f"{settings['client_id']}:{secrets.get('client_secret') or ''}".encode()
    answer = apiclient.request("POST", f"{auth_host}/auth/oauth/token", form=form, headers={
        "Authorization": "Basic " + base64.b64encode(credentials).decode("ascii"), "Accept": "application/json"})
    body = answer.body if isinstance(answer.body, dict) else {}
    if answer.status == 400 and body.get("error") == "invalid_grant":
        raise ChannelError("invalid_grant", str(body.get("error_description") or "")[:300])
    if answer.status >= 300:
        raise apiclient.error_for(answer.status, answer.headers, answer.body, now)
    if not body.get("access_token"):
        raise ChannelError("bad_answer", "the token answer has no access_token")
    secrets["access_token"] = body["access_token"]
    # Allegro hands out a new refresh token with each refresh: the old one stops working.
    secrets["refresh_token"] = body.get("refresh_token") or secrets.get("refresh_token")
    secrets["expires_at"] = (now + timedelta(seconds=int(body.get("expires_in") or 0))).isoformat()


def exchange_code(settings, secrets, code, redirect_uri, now):
    _token_request(settings, secrets, {"grant_type": "authorization_code", "code": code,
                                       "redirect_uri": redirect_uri}, now)


def refresh(settings, secrets, now):
    if not secrets.get("refresh_token"):
        raise ChannelError("not_connected")
    _token_request(settings, secrets, {"grant_type": "refresh_token", "refresh_token": secrets["refresh_token"]}, now)


def is_allegro_host(url, api_base):
    """Whether the seller's token may go to `url`: Allegro's own hosts (attachments live on upload.allegro.pl), or
    the API's host itself."""
    host = (urlsplit(url).hostname or "").lower()
    return host == urlsplit(api_base).hostname or any(host == domain or host.endswith(f".{domain}")
                                                      for domain in ("allegro.pl", "allegrosandbox.pl"))


class Client:
    """Requests as the seller; the access token is refreshed when it is about to end, and once when refused."""

    def __init__(self, settings, secrets, now):
        self.settings, self.secrets, self.now = settings, secrets, now
        self.api = hosts(settings)[1]
        self.requests = 0

    def _fresh_token(self):
        expires = self.secrets.get("expires_at")
        if not self.secrets.get("access_token") or not expires or \
                parse_time(expires) <= self.now + REFRESH_MARGIN:
            refresh(self.settings, self.secrets, self.now)
        return self.secrets["access_token"]

    def call(self, method, path, query=None, body=None, accept=PUBLIC, *, data=None, content_type=None):
        answer = self._send(method, path, query, body, accept, data=data, content_type=content_type)
        if answer.status == 401:
            refresh(self.settings, self.secrets, self.now)  # revoked or expired early: one new token, once
            answer = self._send(method, path, query, body, accept, data=data, content_type=content_type)
        if answer.status >= 300:
            raise apiclient.error_for(answer.status, answer.headers, answer.body, self.now, default_wait=60)
        if answer.body is not None and not isinstance(answer.body, dict):
            raise ChannelError("bad_answer", "the answer is not an object")
        return answer.body or {}

    def _send(self, method, path, query, body, accept, *, data, content_type):
        headers = {"Authorization": f"Bearer {self._fresh_token()}", "Accept": accept}
        if body is not None:
            headers["Content-Type"] = accept
        elif content_type:
            headers["Content-Type"] = content_type
        self.requests += 1
        return apiclient.request(method, f"{self.api}{path}", headers=headers, query=query, json_body=body,
                                 data=data)

    def download(self, url):
        """An attachment's bytes, with the seller's token (the files live on Allegro's upload host)."""
        self.requests += 1
        answer = apiclient.request("GET", url, headers={"Authorization": f"Bearer {self._fresh_token()}"},
                                   raw=True)
        if answer.status >= 300:
            raise apiclient.error_for(answer.status, answer.headers, answer.body, self.now)
        return answer



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
