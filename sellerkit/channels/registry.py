"""Every channel kind, registered with the app: the one list of what a seller can connect."""
from sellerkit.channels import watching, wildberries_client
from sellerkit.channels.allegro import Allegro
from sellerkit.channels.ebay import Ebay
from sellerkit.channels.email.kind import EmailKind
from sellerkit.channels.kinds import register_kind
from sellerkit.channels.ozon import OzonKind
from sellerkit.channels.ratelimit import SharedBudget
from sellerkit.channels.wildberries import WildberriesKind
from sellerkit.channels.yandex_market import YandexMarket

#: How long a fetch or a send waits for a free request turn before it gives up until later.
MAX_TURN_WAIT = 15.0


def init_app(app):
    watching.init_app(app)
    _register_kinds(app)


def _register_kinds(app):
    """Each kind; the platform kinds with the app's SSRF setting (WEBHOOK_ALLOW_PRIVATE: a base_url on a private
    network, for self-hosters and tests) and, for Wildberries, the per-seller budget every process shares."""
    allow_private = bool(app.config.get("WEBHOOK_ALLOW_PRIVATE", False))
    budget = SharedBudget(wildberries_client.LIMIT, wildberries_client.PERIOD, MAX_TURN_WAIT)
    for kind in (EmailKind(), OzonKind(allow_private=allow_private),
                 WildberriesKind(allow_private=allow_private, budget=budget), YandexMarket(allow_private=allow_private),
                 Allegro(allow_private=allow_private), Ebay(allow_private=allow_private)):
        register_kind(app, kind)
