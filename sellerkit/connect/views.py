"""The "Connect a channel" page: every way a shop's buyer messages can come in, without writing code."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from sellerkit.channels.kinds import all_kinds
from sellerkit.collation import alphabetical
from sellerkit.shops import services as shops

bp = Blueprint("connect", __name__)
#: The channel kind that suits every shop comes first; marketplaces follow by name.
FIRST_KIND = "email"


@bp.before_request
@login_required
def require_login():
    return None


def ordered_kinds():
    by_name = alphabetical(all_kinds().values(), name=lambda kind: str(kind.label))
    return sorted(by_name, key=lambda kind: kind.name != FIRST_KIND)


@bp.route("/shops/<int:shop_id>/connect")
def page(shop_id):
    membership = shops.membership_for(current_user, shop_id)
    return render_template("connect/page.html", shop=membership.shop, membership=membership, kinds=ordered_kinds())
