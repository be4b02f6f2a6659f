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
