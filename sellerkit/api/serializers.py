"""JSON shapes of conversations for the API: one function per object, used by every endpoint that shows it."""


def _when(value):
    return value.isoformat() if value else None


def attachment_json(attachment):
    return {"id": attachment.id, "filename": attachment.filename, "content_type": attachment.content_type,
            "size": attachment.size, "sha256": attachment.sha256, "url": f"/api/v1/attachments/{attachment.id}"}


def message_json(message, outbox_item):
    return {
        "id": message.id, "direction": message.direction, "kind": message.kind, "body": message.body,
        "external_id": message.external_id, "language": message.language, "posted_at": _when(message.posted_at),
        "is_automatic": message.is_automatic, "author_id": message.author_id,
        "attachments": [attachment_json(a) for a in message.attachments],
        "delivery": None if outbox_item is None else {
            "transport": outbox_item.transport, "status": outbox_item.status, "attempts": outbox_item.attempts,
            "last_error": outbox_item.last_error, "sent_at": _when(outbox_item.sent_at)},
    }


def thread_summary_json(thread, preview=None):
    return {
        "id": thread.id, "shop_id": thread.shop_id, "external_id": thread.external_id, "subject": thread.subject,
        "status": thread.status, "is_dispute": thread.is_dispute, "language": thread.language,
        "labels": [label.label for label in thread.labels], "assignee_id": thread.assignee_id,
        "buyer": {"id": thread.buyer.id, "platform_buyer_id": thread.buyer.platform_buyer_id,
                  "name": thread.buyer.display_name},
        "order_id": thread.order_id, "waiting_since": _when(thread.waiting_since),
        "last_message_at": _when(thread.last_message_at),
        "preview": preview.body[:200] if preview else None,
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
    data = thread_summary_json(thread)
    data["order"] = order_json(thread.order)
    data["messages"] = [message_json(m, outbox.get(m.id)) for m in messages]
    return data
