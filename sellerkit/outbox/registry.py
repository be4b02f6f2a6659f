"""The builders of outbound items, by kind: each feature registers its own, and the outbox knows none by name."""
from flask import current_app

EXTENSION = "sellerkit.outbox_builders"


def register_builder(app, kind, builder):
    """`builder(item, config, now)` returns the item's Delivery, or None when there is nothing to send any more."""
    app.extensions.setdefault(EXTENSION, {})[kind] = builder


def builder_for(kind):
    return current_app.extensions[EXTENSION][kind]
