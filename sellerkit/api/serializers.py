"""JSON shapes of conversations for the API: one function per object, used by every endpoint that shows it."""
from sellerkit.attachments.labels import refusal_text
from sellerkit.threads import queries


def _when(value):
    return value.isoformat() if value else None


def attachment_json(attachment):
    return {"id": attachment.id, "filename": attachment.filename, "content_type": attachment.content_type,
            "size": attachment.size, "sha256": attachment.sha256, "url": f"/api/v1/attachments/{attachment.id}"}


def refused_file_json(refused):
    """A buyer's file that was not kept: its name as sent, the reason's code and the reason in the caller's words."""
    return {"filename": refused.filename, "code": refused.reason,
            "message": str(refusal_text(refused.reason, refused.filename, refused.allowance))}


def message_json(message, outbox_item):
    return {
        "id": message.id, "direction": message.direction, "kind": message.kind, "body": message.body,
        "external_id": message.external_id, "language": message.language, "posted_at": _when(message.posted_at),
        "is_automatic": message.is_automatic, "author_id": message.author_id,
        "attachments": [attachment_json(a) for a in message.attachments],
        "refused_files": [refused_file_json(refused) for refused in message.refused_files],
        "delivery": None if outbox_item is None else {
            "transport": outbox_item.transport, "status": outbox_item.status, "attempts": outbox_item.attempts,
            "last_error": outbox_item.last_error, "sent_at": _when(outbox_item.sent_at)},
    }


def thread_summary_json(row):
    """A conversation as lists show it, from a queries.ThreadRow."""
    return {
        "id": row.id, "shop_id": row.shop_id, "external_id": row.external_id, "subject": row.subject,
        "status": row.status, "is_dispute": row.is_dispute, "language": row.language, "labels": list(row.labels),
        "assignee_id": row.assignee_id,
        "buyer": {"id": row.buyer_id, "platform_buyer_id": row.buyer_platform_id, "name": row.buyer_name},
        "order_id": row.order_id, "waiting_since": _when(row.waiting_since),
        "last_message_at": _when(row.last_message_at), "is_automatic": row.is_automatic,
        "unsent_reply_at": _when(row.unsent_reply_at), "preview": row.preview,
    }


def order_json(order):
    if order is None:
        return None
    return {"id": order.id, "reference": order.platform_order_ref, "placed_at": _when(order.placed_at),
            "shipped_at": _when(order.shipped_at), "delivered_at": _when(order.delivered_at),
            "tracking_number": order.tracking_number, "tracking_url": order.tracking_url,
            "total": str(order.total) if order.total is not None else None, "currency": order.currency,
            "items": order.items_summary}


def thread_json(thread, messages, outbox):
    data = thread_summary_json(queries.row_of(thread))
    data["order"] = order_json(thread.order)
    data["messages"] = [message_json(m, outbox.get(m.id)) for m in messages]
    return data
