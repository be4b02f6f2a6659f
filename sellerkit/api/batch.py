"""The batch endpoint: up to MAX_BATCH buyer messages in one request and one transaction, a result for each."""
from flask import g, jsonify

from sellerkit import inbox
from sellerkit.api.core import ApiError, bp, error_json, json_body
from sellerkit.api.serializers import refused_file_json
from sellerkit.api.threads import base64_files
from sellerkit.clock import utcnow
from sellerkit.errors import InputError
from sellerkit.extensions import db
from sellerkit.i18n import gettext as _
from sellerkit.shops import services as shops
from sellerkit.threads.domain import MAX_BATCH
from sellerkit.threads.parsing import inbound_from_json


@bp.post("/shops/<int:shop_id>/messages/batch")
def receive_messages(shop_id):
    """Each message as POST /shops/{id}/messages takes it; a refused one is reported with its reason and rolls
    back nothing else. `history: true` stores past messages: no response clock, no auto-reply."""
    shop = shops.membership_for(g.api_user, shop_id).shop
    data = json_body(allowed=("messages", "history"), required=("messages",))
    items, history = data["messages"], data.get("history", False)
    if not isinstance(items, list) or not isinstance(history, bool):
        raise ApiError(_("Some fields have the wrong type."), fields={
            "messages" if not isinstance(items, list) else "history": _("This value is not valid.")})
    if not items:
        raise ApiError(_("Required fields are missing."), code="missing_fields",
                       fields={"messages": _("This field is required.")})
    if len(items) > MAX_BATCH:
        raise ApiError(_("At most %(count)s messages per request.", count=MAX_BATCH),
                       fields={"messages": _("At most %(count)s messages per request.", count=MAX_BATCH)})
    results, inbounds, files, positions = [None] * len(items), [], [], []
    for position, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise ApiError(_("The request body must be a JSON object."), code="malformed")
            inbound = inbound_from_json(item)
            item_files = base64_files(item, shop.max_attachment_bytes)
        except InputError as error:
            results[position] = _refused(error)
            continue
        inbounds.append(inbound)
        files.append(item_files)
        positions.append(position)
    for position, result in zip(positions, inbox.receive_buyer_messages(
            shop, inbounds, utcnow(), files=files, history=history), strict=True):
        results[position] = _refused(result.error) if result.error else _stored(result)
    # Written before the commit, which expires every object the results name.
    body = {"results": results, **{name: sum(r["status"] == status for r in results)
                                   for name, status in (("created", "created"), ("duplicates", "duplicate"),
                                                        ("refused", "refused"))}}
    db.session.commit()
    return jsonify(body), 200


def _stored(result):
    received = result.received
    return {"status": result.status, "message_id": received.message_id, "thread_id": received.thread_id,
            "conflict": received.conflict,
            "refused_files": [refused_file_json(refused) for refused in received.refused_files]}


def _refused(error):
    return {"status": "refused", "error": error_json(error)}
