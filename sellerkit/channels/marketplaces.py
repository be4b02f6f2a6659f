"""Registers the marketplace channel kinds (Ozon, Wildberries) with the app's configuration."""
from sellerkit.channels import wildberries_client
from sellerkit.channels.kinds import register_kind
from sellerkit.channels.ozon import OzonKind
from sellerkit.channels.ratelimit import SharedBudget
from sellerkit.channels.wildberries import WildberriesKind

#: How long a fetch or a send waits for a free request turn before it gives up until later.
MAX_TURN_WAIT = 15.0


def init_app(app):
    """Each kind with the app's SSRF setting (WEBHOOK_ALLOW_PRIVATE: a base_url on a private network, for
    self-hosters and tests) and, for Wildberries, the per-seller budget every process shares."""
    allow_private = bool(app.config.get("WEBHOOK_ALLOW_PRIVATE", False))
    register_kind(app, OzonKind(allow_private=allow_private))
    budget = SharedBudget(wildberries_client.LIMIT, wildberries_client.PERIOD, MAX_TURN_WAIT)
    register_kind(app, WildberriesKind(allow_private=allow_private, budget=budget))
