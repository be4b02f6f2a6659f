"""The suggested-replies part of the OpenAPI document."""

SCHEMAS = {
    "Suggestion": {"type": "object", "required": ["saved_reply_id", "title", "language", "text", "matched"],
                   "properties": {
                       "saved_reply_id": {"type": "integer"}, "title": {"type": "string"},
                       "shortcut": {"type": "string", "nullable": True},
                       "language": {"type": "string", "description": "The language of the version used: the "
                                                                     "buyer's when the reply has it."},
                       "text": {"type": "string", "description": "Filled in for this buyer."},
                       "missing": {"type": "array", "items": {"type": "string"},
                                   "description": "Placeholders that had no value and were left empty."},
                       "matched": {"type": "array", "items": {"type": "string"},
                                   "description": "The buyer's words that matched, strongest first."}}},
    "Suggestions": {"type": "object", "required": ["thread_id", "message_id", "suggestions"], "properties": {
        "thread_id": {"type": "integer"},
        "message_id": {"type": "integer", "nullable": True,
                       "description": "The buyer message the suggestions answer; null when the buyer wrote none."},
        "suggestions": {"type": "array", "maxItems": 3, "items": {"$ref": "#/components/schemas/Suggestion"}}}},
}


def paths(errors):
    return {"/threads/{thread_id}/suggestions": {"get": {
        "summary": "Saved replies suggested for the latest buyer message", "operationId": "getSuggestions",
        "description": "Up to three saved replies, best first, learned from the buyer messages each one answered "
                       "before in this shop (or matched on its own title and text while it has no history). "
                       "Computed on this server; nothing is sent anywhere.",
        "parameters": [{"name": "thread_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "The suggestions, filled in for the buyer.", "content": {
                              "application/json": {"schema": {"$ref": "#/components/schemas/Suggestions"}}}},
                      "401": errors["401"], "404": errors["404"]}}}}
