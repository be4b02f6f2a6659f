"""OAuth2 for the platform kinds that sign in with it (Allegro, eBay): the token endpoint, and a client that keeps
its access token fresh."""
import base64
from datetime import timedelta

from sellerkit.channels import apiclient, errors
from sellerkit.channels.kinds import ChannelError
from sellerkit.channels.marketplace import parse_time

#: A token this close to its end is refreshed before use: a long fetch must not cross its expiry.
REFRESH_MARGIN = timedelta(minutes=5)


def token_request(url, settings, secrets, form, now, allow_private=False):
    """POST `form` to the token endpoint `url` with the application's credentials; stores the tokens it gives in
    `secrets`. ChannelError "invalid_grant" when the code or refresh token is used up or withdrawn."""
    credentials = f"{settings['client_id']}:{secrets.get('client_secret') or ''}".encode()
    answer = apiclient.request("POST", url, {"Authorization": "Basic " + base64.b64encode(credentials).decode("ascii")},
                               form=form, allow_private=allow_private)
    body = answer.json()
    if answer.status == 400 and body.get("error") == "invalid_grant":
        raise ChannelError("invalid_grant", str(body.get("error_description") or "")[:300])
    if answer.status >= 300:
        raise errors.error_for(answer, now=now)
    if not body.get("access_token"):
        raise ChannelError("bad_answer", "the token answer has no access_token")
    secrets["access_token"] = body["access_token"]
    # A platform may hand out a new refresh token with each refresh (Allegro does): the old one stops working.
    secrets["refresh_token"] = body.get("refresh_token") or secrets.get("refresh_token")
    secrets["expires_at"] = (now + timedelta(seconds=int(body.get("expires_in") or 0))).isoformat()


class OAuthClient:
    """Requests as the seller; the access token is refreshed when it is about to end, and once when refused.
    Subclasses say how to `refresh`."""

    def __init__(self, settings, secrets, now, allow_private=False):
        self.settings, self.secrets, self.now, self.allow_private = settings, secrets, now, allow_private
        self.requests = 0

    def refresh(self):
        raise NotImplementedError

    def token(self):
        expires = self.secrets.get("expires_at")
        if not self.secrets.get("access_token") or not expires or parse_time(expires) <= self.now + REFRESH_MARGIN:
            self.refresh()
        return self.secrets["access_token"]

    def request(self, method, url, headers=None, query=None, **options):
        """One request with the seller's token; an Answer of a success, else the ChannelError of its status."""
        answer = self._send(method, url, headers, query, options)
        if answer.status == 401:
            self.refresh()  # revoked or expired early: one new token, once
            answer = self._send(method, url, headers, query, options)
        if answer.status >= 300:
            raise errors.error_for(answer, now=self.now, default_wait=60)
        return answer

    def _send(self, method, url, headers, query, options):
        self.requests += 1
        headers = {"Authorization": f"Bearer {self.token()}", **(headers or {})}
        return apiclient.request(method, url, headers, query, allow_private=self.allow_private, **options)


def json_object(answer):
    """The JSON object of a successful answer ({} for an empty one); ChannelError when it is something else."""
    if answer.body is not None and not isinstance(answer.body, dict):
        raise ChannelError("bad_answer", "the answer is not an object")
    return answer.body or {}
