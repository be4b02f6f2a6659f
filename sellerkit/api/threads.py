"""API endpoints for conversations: ingest a buyer message, list and read threads, reply, note, change, download."""
import base64
import binascii
import io

from flask import g, jsonify, request, send_file

from sellerkit import inbox, jsoninput
from sellerkit.api.core import ApiError, bp, json_body, refuse_nul
from sellerkit.api.serializers import message_json, refused_file_json, thread_json, thread_summary_json
from sellerkit.attachments import services as attachments
from sellerkit.clock import utcnow
from sellerkit.database import database_id
from sellerkit.extensions import db
from sellerkit.i18n import gettext as _
from sellerkit.shops import services as shops
from sellerkit.threads import domain, parsing, queries
from sellerkit.threads import services as threads
from sellerkit.threads.parsing import inbound_from_json, text_field


def base64_files(data, limit):
    """The files of a message given as base64 in its JSON (`attachments`): (filename, stream) pairs."""
    files = data.get("attachments") or []
    if not isinstance(files, list):
        raise ApiError(_("Some fields have the wrong type."), fields={"attachments": _("This value is not valid.")})
    decoded = []
    for entry in files:
        if not isinstance(entry, dict) or not isinstance(entry.get("content_base64"), str):
            raise ApiError(_("Some fields have the wrong type."), fields={"attachments": _("This value is not valid.")})
        # Four characters make three bytes: a file over the limit is decoded only as far as one byte past it, which
        # is enough for it to be refused as too large, without the rest of it.
        encoded = entry["content_base64"][:(limit // 3 + 1) * 4]
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(_("Some fields have the wrong type."),
                           fields={"attachments": _("This value is not valid.")}) from None
        decoded.append((str(entry.get("filename") or ""), io.BytesIO(content)))
    return decoded


@bp.post("/shops/<int:shop_id>/messages")
def receive_message(shop_id):
    shop = shops.membership_for(g.api_user, shop_id).shop
    if request.mimetype == "multipart/form-data":
        try:
            data = jsoninput.loads(request.form.get("message") or "")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise ApiError(_("The request body must be a JSON object."), code="malformed")
        refuse_nul(data)
        files = [(upload.filename or "", upload.stream) for upload in request.files.getlist("attachments")]
    else:
        data = json_body(allowed=parsing.MESSAGE_FIELDS)
        files = base64_files(data, shop.max_attachment_bytes)
    received = inbox.receive_buyer_message(shop, inbound_from_json(data), utcnow(), files=files)
    # The answer is written before the commit, which expires every object: after it, reading an id would cost a
    # new transaction (on SQLite a second write lock) and two queries.
    body = {"message_id": received.message.id, "thread_id": received.thread.id, "buyer_id": received.thread.buyer_id,
            "order_id": received.thread.order_id, "language": received.message.language,
            "is_automatic": received.message.is_automatic,
            "duplicate": not received.is_new, "conflict": received.conflict,
            "refused_files": [refused_file_json(refused) for refused in received.refused_files]}
    if received.conflict:
        body["warning"] = _("A message with this external id was stored before with a different text; the stored "
                            "text was kept.")
    db.session.commit()
    return jsonify(body), 201 if received.is_new else 200


def _int_arg(name):
    """A query argument that names an id or a count: None when absent, 0 as given, else a database id."""
    value = request.args.get(name)
    if value in (None, ""):
        return None
    if value == "0":  # ?limit=0 asks for the default page size
        return 0
    number = database_id(value)
    if number is None:
        raise ApiError(_("Some fields have the wrong type."), fields={name: _("This value is not valid.")})
    return number


@bp.get("/shops/<int:shop_id>/threads")
def list_threads(shop_id):
    shops.membership_for(g.api_user, shop_id)
    view = request.args.get("view", "needs_reply")
    if view not in domain.VIEWS:
        raise ApiError(_("Some fields have the wrong type."), fields={"view": _("Choose one of the listed options.")})
    limit = min(_int_arg("limit") or domain.PAGE_SIZE, 200)
    filters = queries.InboxFilters(platform=request.args.get("platform") or None,
                                   language=request.args.get("language") or None,
                                   label=request.args.get("label") or None, assignee_id=_int_arg("assignee"),
                                   query=request.args.get("q", "")[:200])
    page = queries.list_threads([shop_id], view, filters, request.args.get("cursor"), max(limit, 1))
    return jsonify({"threads": [thread_summary_json(row) for row in page.threads],
                    "next_cursor": page.next_cursor})


@bp.get("/threads/<int:thread_id>")
def get_thread(thread_id):
    thread, _membership = threads.thread_for(g.api_user, thread_id)
    messages, outbox = queries.thread_messages(thread)
    return jsonify(thread_json(thread, messages, outbox))


def _id_list(data, name):
    ids = data.get(name) or []
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise ApiError(_("Some fields have the wrong type."), fields={name: _("This value is not valid.")})
    return ids


def _thread_message(thread_id, kind):
    thread, membership = threads.thread_for(g.api_user, thread_id)
    data = json_body(allowed=("body", "saved_reply_ids", "suggested_reply_ids") if kind == "reply" else ("body",),
                     required=("body",))
    body = text_field(data, "body", required=True)
    used, shown = _id_list(data, "saved_reply_ids"), _id_list(data, "suggested_reply_ids")
    if kind == "reply":
        message = inbox.send_reply(membership.shop, thread, g.api_user, body, utcnow(), saved_reply_ids=used,
                                   suggested_reply_ids=shown)
    else:
        message = threads.add_note(thread, g.api_user, body, utcnow())
    db.session.commit()
    return jsonify(message_json(message, outbox_item=None)), 201


@bp.post("/threads/<int:thread_id>/replies")
def post_reply(thread_id):
    return _thread_message(thread_id, "reply")


@bp.post("/threads/<int:thread_id>/notes")
def post_note(thread_id):
    return _thread_message(thread_id, "note")


@bp.patch("/threads/<int:thread_id>")
def patch_thread(thread_id):
    thread, _membership = threads.thread_for(g.api_user, thread_id)
    data = json_body(allowed=("status", "is_dispute", "labels", "assignee_id", "language"))
    if "is_dispute" in data and not isinstance(data["is_dispute"], bool):
        raise ApiError(_("Some fields have the wrong type."), fields={"is_dispute": _("This value is not valid.")})
    if "labels" in data and not isinstance(data["labels"], list):
        raise ApiError(_("Some fields have the wrong type."), fields={"labels": _("This value is not valid.")})
    assignee = data.get("assignee_id")
    if assignee is not None and (not isinstance(assignee, int) or isinstance(assignee, bool)):
        raise ApiError(_("Some fields have the wrong type."), fields={"assignee_id": _("This value is not valid.")})
    threads.update_thread(thread, g.api_user, utcnow(), status=text_field(data, "status"),
                          is_dispute=data.get("is_dispute"), labels=data.get("labels"), assignee_id=assignee,
                          set_assignee="assignee_id" in data,
                          language=text_field(data, "language"))
    db.session.commit()
    messages, outbox = queries.thread_messages(thread)
    return jsonify(thread_json(thread, messages, outbox))


@bp.get("/attachments/<int:attachment_id>")
def get_attachment(attachment_id):
    attachment = attachments.attachment_for(g.api_user, attachment_id)
    response = send_file(attachments.open_attachment(attachment), mimetype=attachment.content_type,
                         as_attachment=True, download_name=attachment.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
