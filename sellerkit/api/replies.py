"""API endpoints for saved replies: list, create, read, change, delete, and fill one in for a thread."""
from flask import g, jsonify

from sellerkit.api.core import ApiError, bp, json_body
from sellerkit.autoreply import services as vacations
from sellerkit.clock import utcnow
from sellerkit.extensions import db
from sellerkit.i18n import gettext as _
from sellerkit.policies import services as policies
from sellerkit.replies import services as replies
from sellerkit.shops import services as shops
from sellerkit.threads import services as threads

REPLY_FIELDS = ("title", "shortcut", "folder", "personal", "bodies")


def reply_json(reply):
    return {"id": reply.id, "shop_id": reply.shop_id, "title": reply.title, "shortcut": reply.shortcut,
            "folder": reply.folder, "personal": reply.owner_id is not None, "bodies": reply.bodies,
            "usage_count": reply.usage_count,
            "last_used_at": reply.last_used_at.isoformat() if reply.last_used_at else None}


def _fields(data, current=None):
    """Title, shortcut, folder, personal and bodies from JSON, missing ones taken from `current`."""
    def text(name, default):
        value = data.get(name, default)
        if value is not None and not isinstance(value, str):
            raise ApiError(_("Some fields have the wrong type."), fields={name: _("This field must be text.")})
        return value
    bodies = data.get("bodies", current.bodies if current else None)
    if not isinstance(bodies, dict) or not all(isinstance(v, str) for v in bodies.values()):
        raise ApiError(_("Some fields have the wrong type."), fields={"bodies": _("This value is not valid.")})
    personal = data.get("personal", current.owner_id is not None if current else False)
    if not isinstance(personal, bool):
        raise ApiError(_("Some fields have the wrong type."), fields={"personal": _("This value is not valid.")})
    return (text("title", current.title if current else "") or "", text("shortcut", current.shortcut if current
                                                                         else None),
            text("folder", current.folder if current else "") or "", bodies, personal)


@bp.get("/shops/<int:shop_id>/saved-replies")
def list_saved_replies(shop_id):
    membership = shops.membership_for(g.api_user, shop_id)
    return jsonify({"saved_replies": [reply_json(r) for r in replies.replies_for(membership)]})


@bp.post("/shops/<int:shop_id>/saved-replies")
def create_saved_reply(shop_id):
    membership = shops.membership_for(g.api_user, shop_id)
    title, shortcut, folder, bodies, personal = _fields(json_body(allowed=REPLY_FIELDS, required=("title", "bodies")))
    reply = replies.save_reply(membership, utcnow(), title, shortcut, folder, bodies, personal=personal)
    db.session.commit()
    return jsonify(reply_json(reply)), 201


@bp.get("/saved-replies/<int:reply_id>")
def get_saved_reply(reply_id):
    return jsonify(reply_json(replies.reply_for(g.api_user, reply_id)[0]))


@bp.patch("/saved-replies/<int:reply_id>")
def patch_saved_reply(reply_id):
    reply, membership = replies.reply_for(g.api_user, reply_id)
    title, shortcut, folder, bodies, _personal = _fields(json_body(allowed=REPLY_FIELDS[:3] + ("bodies",)), reply)
    replies.save_reply(membership, utcnow(), title, shortcut, folder, bodies, personal=reply.owner_id is not None,
                       reply=reply)
    db.session.commit()
    return jsonify(reply_json(reply))


@bp.delete("/saved-replies/<int:reply_id>")
def delete_saved_reply(reply_id):
    reply, membership = replies.reply_for(g.api_user, reply_id)
    replies.delete_reply(membership, reply)
    db.session.commit()
    return "", 204


@bp.post("/threads/<int:thread_id>/render")
def render_saved_reply(thread_id):
    thread, membership = threads.thread_for(g.api_user, thread_id)
    data = json_body(allowed=("saved_reply_id",), required=("saved_reply_id",))
    reply_id = data["saved_reply_id"]
    if not isinstance(reply_id, int) or isinstance(reply_id, bool):
        raise ApiError(_("Some fields have the wrong type."), fields={"saved_reply_id": _("This value is not valid.")})
    reply, reply_membership = replies.reply_for(g.api_user, reply_id)
    if reply.shop_id != thread.shop_id:
        raise ApiError(_("This saved reply belongs to another shop."), fields={"saved_reply_id": _(
            "This value is not valid.")})
    now = utcnow()
    values = replies.placeholder_values(thread, membership.shop, g.api_user, now,
                                        policies.placeholder_values(thread.shop_id),
                                        vacations.return_day(membership.shop, now))
    language, rendered = replies.render_for_thread(reply, thread, membership.shop, g.api_user, now, values)
    return jsonify({"saved_reply_id": reply.id, "language": language, "text": rendered.text,
                    "missing": list(rendered.missing)})
