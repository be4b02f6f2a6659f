"""API endpoint for suggested replies: the saved replies for a conversation's latest buyer message, filled in."""
from flask import g, jsonify

from sellerkit.api.core import bp
from sellerkit.clock import utcnow
from sellerkit.suggestions import composer
from sellerkit.threads import services as threads


@bp.get("/threads/<int:thread_id>/suggestions")
def get_suggestions(thread_id):
    thread, membership = threads.thread_for(g.api_user, thread_id)
    message, suggested = composer.suggested(membership, thread, g.api_user, utcnow())
    return jsonify({"thread_id": thread.id, "message_id": message.id if message else None, "suggestions": [
        {"saved_reply_id": item.id, "title": item.title, "shortcut": item.shortcut or None,
         "language": item.language, "text": item.text, "missing": list(item.missing), "matched": list(item.matched)}
        for item in suggested]})
