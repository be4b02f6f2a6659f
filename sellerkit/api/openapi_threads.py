"""The conversation part of the OpenAPI document: ingestion, threads, replies, notes, attachments."""
from sellerkit.shops.domain import BUYER_LANGUAGES
from sellerkit.threads.domain import (
    KINDS,
    MAX_BATCH,
    MAX_BODY,
    MAX_SUBJECT,
    STATUSES,
    VIEWS,
)


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema):
    return {"application/json": {"schema": schema}}


DATE_TIME = {"type": "string", "format": "date-time", "description": "ISO 8601 with a timezone."}
NULLABLE_TEXT = {"type": "string", "nullable": True}
ID_PARAM = {"in": "path", "required": True, "schema": {"type": "integer"}}

SCHEMAS = {
    "InboundMessage": {
        "type": "object", "additionalProperties": False, "required": ["body", "received_at"],
        "properties": {
            "external_id": {"type": "string", "maxLength": 200,
                            "description": "The platform's message id: delivering it again stores nothing new."},
            "thread_external_id": {"type": "string", "maxLength": 200},
            "buyer": {"type": "object", "additionalProperties": False, "properties": {
                "id": {"type": "string", "maxLength": 200}, "name": {"type": "string", "maxLength": 200},
                "language": {"type": "string", "enum": list(BUYER_LANGUAGES)},
                "email": {"type": "string", "maxLength": 254}}},
            "order": {"type": "object", "additionalProperties": False, "properties": {
                "reference": {"type": "string", "maxLength": 200}, "placed_at": DATE_TIME, "shipped_at": DATE_TIME,
                "delivered_at": DATE_TIME, "tracking_number": {"type": "string"}, "tracking_url": {"type": "string"},
                "total": {"type": "string", "example": "24.90"}, "currency": {"type": "string", "example": "EUR"},
                "items": {"type": "string"}}},
            "subject": {"type": "string", "maxLength": MAX_SUBJECT},
            "body": {"type": "string", "minLength": 1, "maxLength": MAX_BODY},
            "received_at": DATE_TIME,
            "headers": {"type": "object", "additionalProperties": {"type": "string"},
                        "description": "Mail or platform headers; Auto-Submitted and Precedence matter."},
            "attachments": {"type": "array", "items": {"type": "object", "required": ["content_base64"], "properties": {
                "filename": {"type": "string"}, "content_base64": {"type": "string", "format": "byte"}}}},
        },
    },
    "Received": {
        "type": "object", "required": ["message_id", "thread_id", "duplicate", "conflict", "refused_files"],
        "properties": {"message_id": {"type": "integer"}, "thread_id": {"type": "integer"},
                       "buyer_id": {"type": "integer"}, "order_id": {"type": "integer", "nullable": True},
                       "language": NULLABLE_TEXT, "duplicate": {"type": "boolean"}, "conflict": {"type": "boolean"},
                       "is_automatic": {"type": "boolean", "description": "Machine mail (an out-of-office, a bounce, "
                                        "a mailing list): it opens no response clock."},
                       "warning": {"type": "string"},
                       "refused_files": {"type": "array", "items": ref("RefusedFile"),
                                         "description": "Files that were not kept; the message itself was."}},
    },
    "InboundBatch": {
        "type": "object", "additionalProperties": False, "required": ["messages"],
        "properties": {
            "messages": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH, "items": ref("InboundMessage")},
            "history": {"type": "boolean", "default": False,
                        "description": "Past messages (an import): they open no response clock and get no "
                                       "auto-reply."}}},
    "BatchResults": {
        "type": "object", "required": ["results", "created", "duplicates", "refused"],
        "properties": {
            "results": {"type": "array", "description": "One per message, in the order sent.", "items": {
                "type": "object", "required": ["status"], "properties": {
                    "status": {"type": "string", "enum": ["created", "duplicate", "refused"]},
                    "message_id": {"type": "integer"}, "thread_id": {"type": "integer"},
                    "conflict": {"type": "boolean", "description": "A duplicate whose text differs from the "
                                                                   "stored one, which was kept."},
                    "refused_files": {"type": "array", "items": ref("RefusedFile")},
                    "error": {"type": "object", "description": "Why a refused message was refused, as in Error: "
                                                               "code, message and fields, in the caller's language.",
                              "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                                             "fields": {"type": "object",
                                                        "additionalProperties": {"type": "string"}}}}}}},
            "created": {"type": "integer"}, "duplicates": {"type": "integer"}, "refused": {"type": "integer"}}},
    "RefusedFile": {"type": "object", "required": ["filename", "code", "message"], "properties": {
        "filename": {"type": "string", "description": "The name as it was sent."},
        "code": {"type": "string", "enum": ["file_type", "file_too_large", "message_too_large", "too_many_files"]},
        "message": {"type": "string", "description": "Why, in the caller's language."}}},
    "Attachment": {"type": "object", "properties": {
        "id": {"type": "integer"}, "filename": {"type": "string"}, "content_type": {"type": "string"},
        "size": {"type": "integer"}, "sha256": {"type": "string"}, "url": {"type": "string"}}},
    "Message": {"type": "object", "properties": {
        "id": {"type": "integer"}, "direction": {"type": "string", "enum": ["in", "out", "internal"]},
        "kind": {"type": "string", "enum": list(KINDS)}, "body": {"type": "string"}, "external_id": NULLABLE_TEXT,
        "language": NULLABLE_TEXT, "posted_at": DATE_TIME, "is_automatic": {"type": "boolean"},
        "author_id": {"type": "integer", "nullable": True},
        "attachments": {"type": "array", "items": ref("Attachment")},
        "refused_files": {"type": "array", "items": ref("RefusedFile")},
        "delivery": {"type": "object", "nullable": True}}},
    "ThreadSummary": {"type": "object", "properties": {
        "id": {"type": "integer"}, "shop_id": {"type": "integer"}, "external_id": NULLABLE_TEXT,
        "subject": {"type": "string"}, "status": {"type": "string", "enum": list(STATUSES)},
        "is_dispute": {"type": "boolean"}, "language": NULLABLE_TEXT,
        "labels": {"type": "array", "items": {"type": "string"}}, "assignee_id": {"type": "integer", "nullable": True},
        "buyer": {"type": "object"}, "order_id": {"type": "integer", "nullable": True},
        "waiting_since": {**DATE_TIME, "nullable": True}, "last_message_at": DATE_TIME,
        "is_automatic": {"type": "boolean", "description": "Only machines wrote in this conversation."},
        "unsent_reply_at": {**DATE_TIME, "nullable": True,
                            "description": "When the oldest reply still to be sent by hand was written."},
        "preview": {**NULLABLE_TEXT, "description": "The start of the buyer's latest words."}}},
    "Thread": {"allOf": [ref("ThreadSummary"), {"type": "object", "properties": {
        "order": {"type": "object", "nullable": True}, "messages": {"type": "array", "items": ref("Message")}}}]},
    "ThreadChange": {"type": "object", "additionalProperties": False, "properties": {
        "status": {"type": "string", "enum": list(STATUSES)}, "is_dispute": {"type": "boolean"},
        "labels": {"type": "array", "maxItems": 10, "items": {"type": "string", "maxLength": 40}},
        "assignee_id": {"type": "integer", "nullable": True},
        "language": {"type": "string", "enum": list(BUYER_LANGUAGES)}}},
    "Text": {"type": "object", "additionalProperties": False, "required": ["body"],
             "properties": {"body": {"type": "string", "minLength": 1, "maxLength": MAX_BODY}}},
    "ReplyText": {"type": "object", "additionalProperties": False, "required": ["body"], "properties": {
        "body": {"type": "string", "minLength": 1, "maxLength": MAX_BODY},
        "saved_reply_ids": {"type": "array", "items": {"type": "integer"},
                            "description": "Saved replies this text was written from; each counts one use, and "
                                           "learns the buyer message it answered."},
        "suggested_reply_ids": {"type": "array", "items": {"type": "integer"},
                                "description": "Saved replies suggested to the seller for this answer (GET "
                                               "/threads/{thread_id}/suggestions); those not used sink."}}},
    "SavedReply": {"type": "object", "properties": {
        "id": {"type": "integer"}, "shop_id": {"type": "integer"}, "title": {"type": "string"},
        "shortcut": NULLABLE_TEXT, "folder": {"type": "string"}, "personal": {"type": "boolean"},
        "bodies": {"type": "object", "additionalProperties": {"type": "string"}},
        "usage_count": {"type": "integer"}, "last_used_at": {**DATE_TIME, "nullable": True}}},
    "SavedReplyInput": {"type": "object", "additionalProperties": False, "properties": {
        "title": {"type": "string", "maxLength": 120}, "shortcut": {"type": "string", "nullable": True},
        "folder": {"type": "string"}, "personal": {"type": "boolean"},
        "bodies": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 10_000},
                   "description": "One body per language code; placeholders such as {buyer_name|there}."}}},
    "Rendered": {"type": "object", "properties": {
        "saved_reply_id": {"type": "integer"}, "language": NULLABLE_TEXT, "text": {"type": "string"},
        "missing": {"type": "array", "items": {"type": "string"}}}},
}


def paths(errors):
    thread_id = {"name": "thread_id", **ID_PARAM}
    reply_id = {"name": "reply_id", **ID_PARAM}
    shop_id = {"name": "shop_id", **ID_PARAM}
    return {
        "/shops/{shop_id}/messages": {"post": {
            "summary": "Deliver a buyer message (idempotent by external_id)", "operationId": "receiveMessage",
            "parameters": [shop_id],
            "requestBody": {"required": True, "content": {
                **json_content(ref("InboundMessage")),
                "multipart/form-data": {"schema": {"type": "object", "properties": {
                    "message": {"type": "string", "description": "The InboundMessage as JSON."},
                    "attachments": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}},
            "responses": {"201": {"description": "Stored.", "content": json_content(ref("Received"))},
                          "200": {"description": "Already stored: nothing new was written.",
                                  "content": json_content(ref("Received"))},
                          "400": errors["400"], "401": errors["401"], "404": errors["404"], "413": errors["413"]}}},
        "/shops/{shop_id}/messages/batch": {"post": {
            "summary": f"Deliver up to {MAX_BATCH} buyer messages at once (each idempotent by external_id)",
            "operationId": "receiveMessages", "parameters": [shop_id],
            "description": "One transaction: every message is stored or reported; a refused one changes nothing "
                           "and rolls back none of the others.",
            "requestBody": {"required": True, "content": json_content(ref("InboundBatch"))},
            "responses": {"200": {"description": "A result for each message.",
                                  "content": json_content(ref("BatchResults"))},
                          "400": errors["400"], "401": errors["401"], "404": errors["404"], "413": errors["413"]}}},
        "/shops/{shop_id}/threads": {"get": {
            "summary": "A page of an inbox view", "operationId": "listThreads",
            "parameters": [shop_id] + [{"name": name, "in": "query", "required": False, "schema": schema}
                                       for name, schema in (
                ("view", {"type": "string", "enum": list(VIEWS), "default": "needs_reply"}),
                ("platform", {"type": "string"}), ("language", {"type": "string"}), ("label", {"type": "string"}),
                ("assignee", {"type": "integer"}), ("q", {"type": "string", "description": "Full-text search."}),
                ("cursor", {"type": "string"}), ("limit", {"type": "integer", "minimum": 1, "maximum": 200}))],
            "responses": {"200": {"description": "Threads and the cursor of the next page.", "content": json_content({
                "type": "object", "properties": {"threads": {"type": "array", "items": ref("ThreadSummary")},
                                                 "next_cursor": NULLABLE_TEXT}})},
                          "400": errors["400"], "401": errors["401"], "404": errors["404"]}}},
        "/threads/{thread_id}": {
            "get": {"summary": "A thread with its messages", "operationId": "getThread", "parameters": [thread_id],
                    "responses": {"200": {"description": "The thread.", "content": json_content(ref("Thread"))},
                                  "401": errors["401"], "404": errors["404"]}},
            "patch": {"summary": "Change status, dispute flag, labels, assignee or language",
                      "operationId": "patchThread", "parameters": [thread_id],
                      "requestBody": {"required": True, "content": json_content(ref("ThreadChange"))},
                      "responses": {"200": {"description": "The changed thread.",
                                            "content": json_content(ref("Thread"))},
                                    "400": errors["400"], "401": errors["401"], "404": errors["404"]}}},
        "/threads/{thread_id}/replies": {"post": {
            "summary": "Reply to the buyer (queued in the outbox)", "operationId": "postReply",
            "parameters": [thread_id],
            "requestBody": {"required": True, "content": json_content(ref("ReplyText"))},
            "responses": {"201": {"description": "The reply.", "content": json_content(ref("Message"))},
                          "400": errors["400"], "401": errors["401"], "404": errors["404"]}}},
        "/threads/{thread_id}/notes": {"post": {
            "summary": "Add an internal note", "operationId": "postNote", "parameters": [thread_id],
            "requestBody": {"required": True, "content": json_content(ref("Text"))},
            "responses": {"201": {"description": "The note.", "content": json_content(ref("Message"))},
                          "400": errors["400"], "401": errors["401"], "404": errors["404"]}}},
        "/shops/{shop_id}/saved-replies": {
            "get": {"summary": "Saved replies you can use in a shop", "operationId": "listSavedReplies",
                    "parameters": [shop_id], "responses": {
                        "200": {"description": "The replies.", "content": json_content({
                            "type": "object",
                            "properties": {"saved_replies": {"type": "array", "items": ref("SavedReply")}}})},
                        "401": errors["401"], "404": errors["404"]}},
            "post": {"summary": "Create a saved reply", "operationId": "createSavedReply", "parameters": [shop_id],
                     "requestBody": {"required": True, "content": json_content(ref("SavedReplyInput"))},
                     "responses": {"201": {"description": "The reply.", "content": json_content(ref("SavedReply"))},
                                   "400": errors["400"], "401": errors["401"], "403": errors["403"],
                                   "404": errors["404"]}}},
        "/saved-replies/{reply_id}": {
            "get": {"summary": "A saved reply", "operationId": "getSavedReply", "parameters": [reply_id],
                    "responses": {"200": {"description": "The reply.", "content": json_content(ref("SavedReply"))},
                                  "401": errors["401"], "404": errors["404"]}},
            "patch": {"summary": "Change a saved reply", "operationId": "patchSavedReply", "parameters": [reply_id],
                      "requestBody": {"required": True, "content": json_content(ref("SavedReplyInput"))},
                      "responses": {"200": {"description": "The reply.", "content": json_content(ref("SavedReply"))},
                                    "400": errors["400"], "401": errors["401"], "403": errors["403"],
                                    "404": errors["404"]}},
            "delete": {"summary": "Delete a saved reply", "operationId": "deleteSavedReply", "parameters": [reply_id],
                       "responses": {"204": {"description": "Deleted."}, "401": errors["401"],
                                     "403": errors["403"], "404": errors["404"]}}},
        "/threads/{thread_id}/render": {"post": {
            "summary": "Fill a saved reply in for a thread", "operationId": "renderSavedReply",
            "parameters": [thread_id],
            "requestBody": {"required": True, "content": json_content({
                "type": "object", "required": ["saved_reply_id"], "additionalProperties": False,
                "properties": {"saved_reply_id": {"type": "integer"}}})},
            "responses": {"200": {"description": "The text in the buyer's language, and placeholders left empty.",
                                  "content": json_content(ref("Rendered"))},
                          "400": errors["400"], "401": errors["401"], "404": errors["404"]}}},
        "/attachments/{attachment_id}": {"get": {
            "summary": "Download an attachment", "operationId": "getAttachment",
            "parameters": [{"name": "attachment_id", **ID_PARAM}],
            "responses": {"200": {"description": "The file, as a download.",
                                  "content": {"application/octet-stream": {
                                      "schema": {"type": "string", "format": "binary"}}}},
                          "401": errors["401"], "404": errors["404"]}}},
    }
