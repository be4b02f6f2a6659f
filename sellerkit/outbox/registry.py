"""The kinds of outbound items: each feature registers its builder (and what follows a delivery); the outbox knows
none by name."""
from dataclasses import dataclass

from flask import current_app

EXTENSION = "sellerkit.outbox_kinds"


@dataclass(frozen=True)
class Kind:
    #: `build(item, config, now)` returns the item's Delivery, or None when there is nothing to send any more.
    build: object
    #: `delivered(item, now)`, when given, runs in the transaction that marks the item sent.
    delivered: object = None
    #: `failed(item, now)`, when given, runs in the transaction that records a failed attempt.
    failed: object = None


def register_builder(app, kind, builder, delivered=None, failed=None):
    app.extensions.setdefault(EXTENSION, {})[kind] = Kind(builder, delivered, failed)


def kind_of(name):
    return current_app.extensions[EXTENSION][name]


def builder_for(name):
    return kind_of(name).build


TRANSPORTS = "sellerkit.outbox_transports"


@dataclass(frozen=True)
class Transport:
    #: `send(delivery, config, now)` delivers one item or raises transports.DeliveryError; no transaction is open.
    send: object
    #: `choose(shop, message, kind)`, when given, returns True when this transport should carry the item.
    choose: object = None


def register_transport(app, name, send, choose=None):
    """A transport of a feature's own (a channel): the outbox sends through it without knowing it by name."""
    app.extensions.setdefault(TRANSPORTS, {})[name] = Transport(send, choose)


def transport_named(name):
    return current_app.extensions.get(TRANSPORTS, {}).get(name)


def chosen_transport(shop, message, kind):
    """The transport a registered one chooses for this item (a reply in a conversation that came through a channel
    leaves through it, or by hand where its platform takes no reply that way), or None for the shop's own choice."""
    for transport in current_app.extensions.get(TRANSPORTS, {}).values():
        chosen = transport.choose(shop, message, kind) if transport.choose is not None else None
        if chosen:
            return chosen
    return None
