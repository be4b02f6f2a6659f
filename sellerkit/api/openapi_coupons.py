"""The coupon part of the OpenAPI document: codes, generated pools and redemptions."""
from sellerkit.api.openapi_threads import ID_PARAM, NULLABLE_TEXT, json_content, ref
from sellerkit.coupons.domain import (
    KINDS,
    MAX_GENERATE,
    MAX_ORDER_REF,
    MAX_USAGE_LIMIT,
    SOURCES,
)

MOMENT = {"type": "string", "description": "ISO 8601: 2026-12-31, or 2026-12-31T18:00:00+01:00. A date or a time "
                                           "without an offset is read in the shop's timezone."}
UNTIL = {**MOMENT, "description": MOMENT["description"] + " A date alone means through the end of that day."}
AMOUNT = {"oneOf": [{"type": "string", "example": "12.50"}, {"type": "number"}],
          "description": "At most 2 decimals, below 10,000,000,000."}
DATE_TIME = {"type": "string", "format": "date-time"}
NULLABLE_MOMENT = {**DATE_TIME, "nullable": True}
CODE = {"type": "string", "maxLength": 64, "example": "SPRING-15",
        "description": "3 to 64 letters A-Z, digits, - and _; stored in capital letters."}
TERMS = {"kind": {"type": "string", "enum": list(KINDS)}, "value": AMOUNT,
         "currency": {"type": "string", "example": "EUR", "description": "Needed for a fixed amount or a minimum."},
         "valid_from": MOMENT, "valid_until": UNTIL, "min_order": AMOUNT}

SCHEMAS = {
    "Coupon": {"type": "object", "properties": {
        "id": {"type": "integer"}, "shop_id": {"type": "integer"}, "code": {"type": "string"},
        "kind": {"type": "string", "enum": list(KINDS)}, "value": {"type": "string", "example": "15.00"},
        "currency": NULLABLE_TEXT, "valid_from": NULLABLE_MOMENT, "valid_until": NULLABLE_MOMENT,
        "usage_limit": {"type": "integer", "nullable": True}, "min_order": NULLABLE_TEXT, "pool": NULLABLE_TEXT,
        "redeemed_count": {"type": "integer"}, "assigned_at": NULLABLE_MOMENT,
        "created_at": DATE_TIME}},
    "CouponInput": {"type": "object", "additionalProperties": False, "required": ["code", "kind", "value"],
                    "properties": {"code": CODE, **TERMS,
                                   "usage_limit": {"type": "integer", "minimum": 1, "maximum": MAX_USAGE_LIMIT,
                                                   "description": "Leave out for no limit."},
                                   "pool": {"type": "string", "maxLength": 40}}},
    "GenerateInput": {"type": "object", "additionalProperties": False, "required": ["prefix", "count", "kind", "value"],
                      "properties": {"prefix": {"type": "string", "maxLength": 40, "example": "XMAS",
                                                "description": "Codes look like XMAS-7KQ2M9XA; it names the pool."},
                                     "count": {"type": "integer", "minimum": 1, "maximum": MAX_GENERATE}, **TERMS}},
    "GeneratedPool": {"type": "object", "properties": {
        "pool": {"type": "string"}, "count": {"type": "integer"},
        "codes": {"type": "array", "items": {"type": "string"}}}},
    "Redemption": {"type": "object", "properties": {
        "id": {"type": "integer"}, "coupon_id": {"type": "integer"}, "code": {"type": "string"},
        "order_reference": {"type": "string"}, "buyer_id": {"type": "integer", "nullable": True},
        "amount": {"type": "string"}, "currency": NULLABLE_TEXT, "redeemed_at": DATE_TIME,
        "source": {"type": "string", "enum": list(SOURCES)}, "created_at": DATE_TIME}},
    "RedemptionInput": {"type": "object", "additionalProperties": False,
                        "required": ["code", "order_reference", "amount"],
                        "properties": {"code": CODE, "order_reference": {"type": "string", "maxLength": MAX_ORDER_REF},
                                       "amount": AMOUNT, "currency": {"type": "string", "example": "EUR"},
                                       "redeemed_at": {**MOMENT, "description": MOMENT["description"] +
                                                       " Leave out for now."}}},
}


def paths(errors):
    shop_id = {"name": "shop_id", **ID_PARAM}
    cursor = {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
              "description": "next_cursor of the page before."}
    refused = {"description": "The coupon's terms exclude this order (code: not_yet_valid, expired, over_limit, "
                              "below_minimum, currency_mismatch); nothing was recorded.",
               "content": json_content(ref("Error"))}

    def page_of(name, schema):
        return {"description": "A page, newest first, and the cursor of the next one.", "content": json_content({
            "type": "object", "properties": {name: {"type": "array", "items": ref(schema)},
                                             "next_cursor": NULLABLE_TEXT}})}

    return {
        "/shops/{shop_id}/coupons": {
            "get": {"summary": "A page of the shop's coupons", "operationId": "listCoupons",
                    "parameters": [shop_id, cursor,
                                   {"name": "pool", "in": "query", "required": False, "schema": {"type": "string"}},
                                   {"name": "q", "in": "query", "required": False, "schema": {"type": "string"},
                                    "description": "Codes starting with this text."}],
                    "responses": {"200": page_of("coupons", "Coupon"), "400": errors["400"], "401": errors["401"],
                                  "404": errors["404"]}},
            "post": {"summary": "Add a coupon (owners)", "operationId": "createCoupon", "parameters": [shop_id],
                     "requestBody": {"required": True, "content": json_content(ref("CouponInput"))},
                     "responses": {"201": {"description": "The coupon.", "content": json_content(ref("Coupon"))},
                                   "400": errors["400"], "401": errors["401"], "403": errors["403"],
                                   "404": errors["404"]}}},
        "/shops/{shop_id}/coupons/generate": {"post": {
            "summary": "Generate a pool of single-use codes (owners)", "operationId": "generateCoupons",
            "parameters": [shop_id], "requestBody": {"required": True, "content": json_content(ref("GenerateInput"))},
            "responses": {"201": {"description": "The new codes.", "content": json_content(ref("GeneratedPool"))},
                          "400": errors["400"], "401": errors["401"], "403": errors["403"], "404": errors["404"]}}},
        "/shops/{shop_id}/redemptions": {
            "get": {"summary": "A page of recorded redemptions, latest order first", "operationId": "listRedemptions",
                    "parameters": [shop_id, cursor],
                    "responses": {"200": page_of("redemptions", "Redemption"), "400": errors["400"],
                                  "401": errors["401"], "404": errors["404"]}},
            "post": {"summary": "Record that an order used a code (idempotent per order and code)",
                     "operationId": "recordRedemption", "parameters": [shop_id],
                     "requestBody": {"required": True, "content": json_content(ref("RedemptionInput"))},
                     "responses": {"201": {"description": "Recorded.", "content": json_content(ref("Redemption"))},
                                   "200": {"description": "Recorded before: nothing new was written.",
                                           "content": json_content(ref("Redemption"))},
                                   "400": {**errors["400"], "description": "Malformed input, or no coupon with this "
                                                                           "code in this shop (code: unknown_code)."},
                                   "401": errors["401"], "404": errors["404"], "422": refused}}},
    }
