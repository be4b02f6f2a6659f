"""The consent and campaign part of the OpenAPI document."""
from sellerkit.api.openapi_threads import (
    DATE_TIME,
    ID_PARAM,
    NULLABLE_TEXT,
    json_content,
    ref,
)
from sellerkit.consent.domain import MAX_TEXT, RECORDABLE_SOURCES, SOURCES
from sellerkit.followups.domain import COUPON_MODES, TRIGGERS

NULLABLE_MOMENT = {"type": "string", "format": "date-time", "nullable": True}
COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}

SCHEMAS = {
    "Buyer": {"type": "object", "properties": {
        "id": {"type": "integer"}, "platform_buyer_id": NULLABLE_TEXT, "name": {"type": "string"},
        "language": NULLABLE_TEXT, "email": NULLABLE_TEXT,
        "consent": {"type": "object", "properties": {
            "given": {"type": "boolean"}, "given_at": NULLABLE_MOMENT, "source": NULLABLE_TEXT,
            "withdrawn_at": NULLABLE_MOMENT}},
        "consent_history": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "action": {"type": "string", "enum": ["given", "withdrawn"]},
            "source": {"type": "string", "enum": list(SOURCES)}, "text": {"type": "string"},
            "occurred_at": DATE_TIME, "recorded_at": DATE_TIME}}}}},
    "ConsentInput": {"type": "object", "additionalProperties": False, "required": ["action"], "properties": {
        "action": {"type": "string", "enum": ["given", "withdrawn"]},
        "source": {"type": "string", "enum": list(RECORDABLE_SOURCES), "default": "api"},
        "text": {"type": "string", "maxLength": MAX_TEXT, "description": "The wording agreed to; needed to give."},
        "occurred_at": {**DATE_TIME, "description": "When it happened (not in the future); leave out for now."}}},
    "Campaign": {"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "trigger": {"type": "string", "enum": list(TRIGGERS)},
        "days": {"type": "integer"}, "min_days_between": {"type": "integer"},
        "coupon_mode": {"type": "string", "enum": list(COUPON_MODES)},
        "coupon_id": {"type": "integer", "nullable": True}, "coupon_pool": NULLABLE_TEXT,
        "is_active": {"type": "boolean"}, "activated_at": NULLABLE_MOMENT,
        "messages": {"type": "object", "additionalProperties": {"type": "string"},
                     "description": "The message per buyer language."},
        "figures": {"type": "object", "properties": {
            "sent": {"type": "integer"}, "pending": {"type": "integer"}, "skipped": COUNTS,
            "opted_out": {"type": "integer"}, "redeemed": {"type": "integer"},
            "revenue": {"type": "array", "items": {"type": "object", "properties": {
                "currency": NULLABLE_TEXT, "amount": {"type": "string"}}}}}},
        "preview": {"type": "object", "description": "Only while the campaign is off.", "properties": {
            "reach_now": {"type": "integer"}, "later": {"type": "integer"}, "waiting": COUNTS,
            "skipped": COUNTS}}}},
}


def paths(errors):
    shop_id, buyer_id = {"name": "shop_id", **ID_PARAM}, {"name": "buyer_id", **ID_PARAM}
    campaign_id = {"name": "campaign_id", **ID_PARAM}
    found = {"401": errors["401"], "404": errors["404"]}
    return {
        "/shops/{shop_id}/buyers/{buyer_id}": {"get": {
            "summary": "A buyer with their marketing consent and its history", "operationId": "getBuyer",
            "parameters": [shop_id, buyer_id],
            "responses": {"200": {"description": "The buyer.", "content": json_content(ref("Buyer"))}, **found}}},
        "/shops/{shop_id}/buyers/{buyer_id}/consent": {"post": {
            "summary": "Record a consent given or withdrawn (appended to the history)", "operationId": "recordConsent",
            "parameters": [shop_id, buyer_id],
            "requestBody": {"required": True, "content": json_content(ref("ConsentInput"))},
            "responses": {"201": {"description": "Recorded.", "content": json_content(ref("Buyer"))},
                          "200": {"description": "Already withdrawn: nothing new.",
                                  "content": json_content(ref("Buyer"))},
                          "400": errors["400"], **found}}},
        "/shops/{shop_id}/campaigns": {"get": {
            "summary": "The shop's follow-up campaigns with their figures", "operationId": "listCampaigns",
            "parameters": [shop_id],
            "responses": {"200": {"description": "The campaigns.", "content": json_content({
                "type": "object", "properties": {"campaigns": {"type": "array", "items": ref("Campaign")}}})},
                **found}}},
        "/shops/{shop_id}/campaigns/{campaign_id}": {"get": {
            "summary": "One campaign: figures, and the preview while it is off", "operationId": "getCampaign",
            "parameters": [shop_id, campaign_id],
            "responses": {"200": {"description": "The campaign.", "content": json_content(ref("Campaign"))}, **found}}},
    }
