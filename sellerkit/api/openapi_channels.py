"""The channels part of the OpenAPI document."""
from sellerkit.api.openapi_threads import DATE_TIME, ID_PARAM, NULLABLE_TEXT, json_content, ref

NULLABLE_MOMENT = {"type": "string", "format": "date-time", "nullable": True}
SETTINGS_INPUT = {
    "type": "object", "additionalProperties": True,
    "description": "The kind's settings by name. Secret ones (passwords, keys) are write-only: they are never "
                   "returned, and one left out or empty keeps the stored value. `base_url` overrides the platform's "
                   "address where the kind has one (a sandbox, a server of your own)."}

SCHEMAS = {
    "Channel": {"type": "object", "required": ["id", "shop_id", "kind", "name", "status", "settings", "stats"],
                "properties": {
        "id": {"type": "integer"}, "shop_id": {"type": "integer"}, "kind": {"type": "string", "example": "email"},
        "name": {"type": "string"}, "status": {"type": "string", "enum": ["active", "paused", "failing"]},
        "settings": {"type": "object", "description": "The settings that are not secret."},
        "has_secrets": {"type": "boolean"},
        "stats": {"type": "object", "properties": {
            "last_success_at": NULLABLE_MOMENT,
            "last_error": {"type": "object", "nullable": True, "properties": {
                "code": {"type": "string", "example": "auth"}, "message": {"type": "string"}, "at": DATE_TIME}},
            "failing_since": NULLABLE_MOMENT, "next_fetch_at": DATE_TIME,
            "fetched_today": {"type": "integer"}, "backlog": {"type": "integer", "nullable": True}}},
        "created_at": DATE_TIME, "updated_at": DATE_TIME}},
    "ChannelInput": {"type": "object", "additionalProperties": False, "required": ["kind"], "properties": {
        "kind": {"type": "string", "example": "email"}, "name": NULLABLE_TEXT, "settings": SETTINGS_INPUT}},
    "ChannelPatch": {"type": "object", "additionalProperties": False, "properties": {
        "name": NULLABLE_TEXT, "settings": SETTINGS_INPUT, "paused": {"type": "boolean"}}},
    "ChannelChecks": {"type": "object", "properties": {
        "ok": {"type": "boolean"},
        "checks": {"type": "array", "items": {"type": "object", "properties": {
            "step": {"type": "string", "example": "login"}, "ok": {"type": "boolean"},
            "message": {"type": "string"}}}}}},
}


def paths(errors):
    channel_id, shop_id = {"name": "channel_id", **ID_PARAM}, {"name": "shop_id", **ID_PARAM}
    found = {"401": errors["401"], "404": errors["404"]}
    owner = {"400": errors["400"], "403": errors["403"], **found}
    one = {"description": "The channel.", "content": json_content(ref("Channel"))}
    return {
        "/shops/{shop_id}/channels": {
            "get": {"summary": "The shop's channels with their status", "operationId": "listChannels",
                    "parameters": [shop_id],
                    "responses": {"200": {"description": "The channels.", "content": json_content({
                        "type": "object", "properties": {"channels": {"type": "array", "items": ref("Channel")}}})},
                        **found}},
            "post": {"summary": "Connect a channel (owners)", "operationId": "createChannel", "parameters": [shop_id],
                     "requestBody": {"required": True, "content": json_content(ref("ChannelInput"))},
                     "responses": {"201": one, **owner}}},
        "/channels/{channel_id}": {
            "get": {"summary": "One channel", "operationId": "getChannel", "parameters": [channel_id],
                    "responses": {"200": one, **found}},
            "patch": {"summary": "Change a channel's name or settings, or pause and resume it (owners)",
                      "operationId": "patchChannel", "parameters": [channel_id],
                      "requestBody": {"required": True, "content": json_content(ref("ChannelPatch"))},
                      "responses": {"200": one, **owner}},
            "delete": {"summary": "Remove a channel; its conversations stay (owners)", "operationId": "deleteChannel",
                       "parameters": [channel_id],
                       "responses": {"204": {"description": "Removed."}, "403": errors["403"], **found}}},
        "/channels/{channel_id}/test": {"post": {
            "summary": "Test the connection with the stored settings, or these over them (owners)",
            "operationId": "testChannel", "parameters": [channel_id],
            "requestBody": {"required": False, "content": json_content({
                "type": "object", "additionalProperties": False, "properties": {"settings": SETTINGS_INPUT}})},
            "responses": {"200": {"description": "One check per step.", "content": json_content(ref("ChannelChecks"))},
                          **owner}}},
        "/channels/{channel_id}/fetch": {"post": {
            "summary": "Fetch now: due at once for the next poll (owners)", "operationId": "fetchChannel",
            "parameters": [channel_id],
            "responses": {"202": {"description": "The channel, due now.", "content": json_content(ref("Channel"))},
                          "403": errors["403"], **found}}},
    }
