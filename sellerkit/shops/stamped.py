"""Shop settings that every buyer message reads (vacations, dispute rules), kept per process until the shop's
stamp changes: every change of them renews the stamp, which each request reads with the shop anyway."""
from flask import current_app
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from sellerkit.extensions import db
from sellerkit.shops.models import Shop

_STORE = "sellerkit.stamped_settings"


def renew_stamp(shop):
    """Call in every change of a setting read through `cached`: the next request of any process reads it anew.

    The database adds one, so two processes changing settings at once never end on the same stamp."""
    stamp = db.session.execute(
        update(Shop).where(Shop.id == shop.id).values(settings_stamp=Shop.settings_stamp + 1)
        .returning(Shop.settings_stamp).execution_options(synchronize_session=False)).scalar_one()
    set_committed_value(shop, "settings_stamp", stamp)


def cached(shop, name, load):
    """`load(shop)` for this shop's stamp: read once, then kept until the stamp changes. What `load` returns is
    shared by the requests that follow, so it holds plain values, never database objects."""
    store = current_app.extensions.setdefault(_STORE, {})
    key = (shop.id, shop.created_at, name)  # with its creation time: an id a database restore gave another shop
    found = store.get(key)
    if found is not None and found[0] == shop.settings_stamp:
        return found[1]
    # Read before the settings: a change made meanwhile leaves a stale stamp, not stale data.
    stamp = shop.settings_stamp
    value = load(shop)
    store[key] = (stamp, value)
    return value
