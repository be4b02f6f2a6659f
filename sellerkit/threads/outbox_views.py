"""Outbox actions from the thread page: mark a manual reply as sent, retry a failed delivery (blueprint "outbox")."""
from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from sellerkit import inbox
from sellerkit.clock import utcnow
from sellerkit.errors import NotFound
from sellerkit.extensions import db
from sellerkit.i18n import gettext as _
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.outbox import services
from sellerkit.outbox.models import OutboxItem
from sellerkit.shops.models import Membership
from sellerkit.threads.models import Message

bp = Blueprint("outbox", __name__, url_prefix="/outbox")


@bp.before_request
@login_required
def require_login():
    return None


def _item_for(item_id):
    row = db.session.execute(
        select(OutboxItem, Message.thread_id).join(Message, Message.id == OutboxItem.message_id)
        .join(Membership, Membership.shop_id == OutboxItem.shop_id)
        .where(OutboxItem.id == item_id, Membership.user_id == current_user.id)
    ).first()
    if row is None:
        raise NotFound(_l("This reply does not exist or belongs to a shop you are not a member of."))
    return row


@bp.route("/<int:item_id>/sent", methods=["POST"])
def mark_sent(item_id):
    item, thread_id = _item_for(item_id)
    inbox.mark_reply_sent(item, utcnow())
    db.session.commit()
    flash(_("Marked as sent."), "success")
    return redirect(url_for("threads.thread_page", thread_id=thread_id))


@bp.route("/<int:item_id>/retry", methods=["POST"])
def retry(item_id):
    item, thread_id = _item_for(item_id)
    services.retry_now(item, utcnow())
    db.session.commit()
    flash(_("The reply will be sent again in a moment."), "success")
    return redirect(url_for("threads.thread_page", thread_id=thread_id))
