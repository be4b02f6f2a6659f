"""The support ticket part of the OpenAPI document."""
from sellerkit.api.openapi_threads import (
    DATE_TIME,
    ID_PARAM,
    NULLABLE_TEXT,
    json_content,
    ref,
)
from sellerkit.tickets.domain import LIFECYCLES, MAX_COMMENT, MAX_TEXT, SUPPORT_STATUSES

NULLABLE_MOMENT = {"type": "string", "format": "date-time", "nullable": True}
TEXT = {"type": "string", "maxLength": MAX_TEXT}

SCHEMAS = {
    "Ticket": {"type": "object", "properties": {
        "id": {"type": "integer"}, "number": {"type": "string", "example": "SK-000042"},
        "shop_id": {"type": "integer"}, "thread_id": {"type": "integer", "nullable": True},
        "order_id": {"type": "integer", "nullable": True}, "platform": {"type": "string"},
        "category": {"type": "string"}, "topic": {"type": "string"}, "topic_name": {"type": "string"},
        "title": {"type": "string"}, "description": {"type": "string"},
        "status": {"type": "string", "enum": list(LIFECYCLES)}, "platform_status": NULLABLE_TEXT,
        "channel": NULLABLE_TEXT, "platform_ref": NULLABLE_TEXT, "policy_versions": {"type": "object"},
        "files": {"type": "array", "items": {"type": "object"}}, "rating": {"type": "integer", "nullable": True},
        "rating_comment": NULLABLE_TEXT, "closed_reason": NULLABLE_TEXT, "is_automatic": {"type": "boolean"},
        "created_at": DATE_TIME, "filed_at": NULLABLE_MOMENT, "updated_at": DATE_TIME,
        "has_files": {"type": "boolean"}, "transcript": {"type": "string"},
        "history": {"type": "array", "items": {"type": "object"}}}},
}


def paths(errors):
    ticket_id, shop_id = {"name": "ticket_id", **ID_PARAM}, {"name": "shop_id", **ID_PARAM}
    found = {"401": errors["401"], "404": errors["404"]}
    one = {"200": {"description": "The ticket with its history.", "content": json_content(ref("Ticket"))},
           "400": errors["400"], **found}

    def action(summary, operation, properties, required=()):
        body = {"type": "object", "additionalProperties": False, "properties": properties}
        if required:
            body["required"] = list(required)
        return {"post": {"summary": summary, "operationId": operation, "parameters": [ticket_id],
                         "requestBody": {"required": True, "content": json_content(body)}, "responses": one}}

    return {
        "/shops/{shop_id}/support-topics": {"get": {
            "summary": "The shop's platform support profile: topics (searchable), statuses, limits, rules",
            "operationId": "getSupportTopics",
            "parameters": [shop_id, {"name": "q", "in": "query", "required": False, "schema": {"type": "string"}},
                           {"name": "language", "in": "query", "required": False,
                            "schema": {"type": "string", "enum": ["en", "ru", "pl", "zh", "bn", "fa"]}}],
            "responses": {"200": {"description": "The profile.", "content": json_content({"type": "object"})},
                          **found}}},
        "/shops/{shop_id}/tickets": {"get": {
            "summary": "The shop's tickets, newest first, with counts per status", "operationId": "listTickets",
            "parameters": [shop_id,
                           {"name": "status", "in": "query", "required": False,
                            "schema": {"type": "string", "enum": list(LIFECYCLES)}},
                           {"name": "topic", "in": "query", "required": False, "schema": {"type": "string"}},
                           {"name": "q", "in": "query", "required": False, "schema": {"type": "string"}},
                           {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "A page of tickets.", "content": json_content({
                "type": "object", "properties": {"tickets": {"type": "array", "items": ref("Ticket")},
                                                 "counts": {"type": "object"},
                                                 "next_cursor": NULLABLE_TEXT}})},
                          "400": errors["400"], **found}}},
        "/threads/{thread_id}/escalate": {"post": {
            "summary": "Build a ticket draft from a dispute", "operationId": "escalateThread",
            "parameters": [{"name": "thread_id", **ID_PARAM}],
            "requestBody": {"required": True, "content": json_content({
                "type": "object", "additionalProperties": False,
                "properties": {"topic": {
                    "type": "string",
                    "description": "A topic key of the platform; left out, it is suggested from the buyer's words.",
                }}})},
            "responses": {"201": {"description": "The draft.", "content": json_content(ref("Ticket"))},
                          "409": {"description": "The problem already has an open ticket (in `ticket`).",
                                  "content": json_content({"type": "object"})},
                          "400": errors["400"], **found}}},
        "/tickets/{ticket_id}": {"get": {"summary": "One ticket with its history", "operationId": "getTicket",
                                         "parameters": [ticket_id], "responses": {
                                             "200": one["200"], **found}}},
        "/tickets/{ticket_id}/file": action("File the draft (by e-mail when the shop has a support address)",
                                            "fileTicket", {"platform_ref": {"type": "string", "maxLength": 100}}),
        "/tickets/{ticket_id}/support-replies": action(
            "Record support's answer and the status it set", "recordSupportReply",
            {"body": TEXT, "status": {"type": "string", "enum": list(SUPPORT_STATUSES), "default": "answered"}}),
        "/tickets/{ticket_id}/details": action("Add the details support asked for", "addTicketDetails",
                                               {"body": {**TEXT, "minLength": 1}}, required=("body",)),
        "/tickets/{ticket_id}/rating": action(
            "Rate support's answer 1 to 5 (completes the ticket)", "rateTicket",
            {"rating": {"type": "integer", "minimum": 1, "maximum": 5},
             "comment": {"type": "string", "maxLength": MAX_COMMENT}}, required=("rating",)),
        "/tickets/{ticket_id}/cancel": action("Cancel an open ticket", "cancelTicket", {}),
        "/shops/{shop_id}/support-mail": {"post": {
            "summary": "A mail from the platform's support, threaded onto its ticket", "operationId": "supportMail",
            "parameters": [shop_id],
            "requestBody": {"required": True, "content": json_content({
                "type": "object", "additionalProperties": False, "required": ["body"], "properties": {
                    "subject": {"type": "string"}, "body": TEXT, "in_reply_to": {"type": "string"},
                    "message_id": {"type": "string"},
                    "status": {"type": "string", "enum": list(SUPPORT_STATUSES)}}})},
            "responses": {"201": {"description": "Recorded.", "content": json_content(ref("Ticket"))},
                          "200": {"description": "Already recorded (same Message-ID).",
                                  "content": json_content(ref("Ticket"))},
                          "400": errors["400"], **found}}},
    }
