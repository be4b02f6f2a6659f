"""The OpenAPI 3 document of the API, served at /api/v1/openapi.json; a test checks it covers every route."""
from flask import jsonify

from sellerkit.api import (
    openapi_channels,
    openapi_coupons,
    openapi_followups,
    openapi_suggestions,
    openapi_threads,
    openapi_tickets,
)
from sellerkit.api.core import bp
from sellerkit.shops.domain import BUYER_LANGUAGES, PLATFORMS


def _error_response(description):
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


ERRORS = {
    "400": _error_response("Malformed or invalid input; nothing was changed."),
    "401": _error_response("Missing or invalid API token."),
    "403": _error_response("Not allowed for your role in this shop."),
    "404": _error_response("Not found, or not one of your shops."),
    "413": _error_response("A file or the whole request is larger than the shop's limits."),
}

SHOP_INPUT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "platform", "default_language", "timezone"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "platform": {"type": "string", "enum": list(PLATFORMS)},
        "default_language": {"type": "string", "enum": list(BUYER_LANGUAGES)},
        "timezone": {"type": "string", "description": "An IANA timezone such as Europe/Warsaw."},
    },
}

SHOP = {
    "type": "object",
    "required": ["id", "name", "platform", "default_language", "timezone", "role", "business_hours", "created_at"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "platform": {"type": "string", "enum": list(PLATFORMS)},
        "default_language": {"type": "string"},
        "timezone": {"type": "string"},
        "role": {"type": "string", "enum": ["owner", "agent"]},
        "business_hours": {"type": "array", "items": {
            "type": "object",
            "properties": {"weekday": {"type": "integer", "minimum": 0, "maximum": 6,
                                       "description": "0 is Monday."},
                           "opens_at": {"type": "string", "example": "09:00"},
                           "closes_at": {"type": "string", "example": "17:00"}}}},
        "created_at": {"type": "string", "format": "date-time"},
    },
}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"},
        "message": {"type": "string", "description": "Translated for the token's user or Accept-Language."},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    }}},
}

SHOP_ID = {"name": "shop_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _json(schema_ref):
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}


def document():
    return {
        "openapi": "3.0.3",
        "info": {"title": "sellerkit API", "version": "1",
                 "description": "Every request but this document needs `Authorization: Bearer <token>`; "
                                "create tokens under Settings, API tokens."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/openapi.json": {"get": {"summary": "This document", "security": [],
                                      "responses": {"200": {"description": "The OpenAPI document."}}}},
            "/shops": {
                "get": {"summary": "The shops you belong to", "operationId": "listShops",
                        "responses": {"200": {"description": "Your shops.", "content": {"application/json": {
                            "schema": {"type": "object", "properties": {
                                "shops": {"type": "array", "items": {"$ref": "#/components/schemas/Shop"}}}}}}},
                            "401": ERRORS["401"]}},
                "post": {"summary": "Create a shop owned by you", "operationId": "createShop",
                         "requestBody": {"required": True, "content": _json("ShopInput")},
                         "responses": {"201": {"description": "The new shop.", "content": _json("Shop")},
                                       "400": ERRORS["400"], "401": ERRORS["401"]}},
            },
            **openapi_threads.paths(ERRORS),
            **openapi_coupons.paths(ERRORS),
            **openapi_followups.paths(ERRORS),
            **openapi_tickets.paths(ERRORS),
            **openapi_suggestions.paths(ERRORS),
            **openapi_channels.paths(ERRORS),
            "/shops/{shop_id}/response-stats": {"get": {
                "summary": "Response rate and times over 7, 30 or 90 days", "operationId": "getResponseStats",
                "parameters": [SHOP_ID, {"name": "days", "in": "query", "required": False,
                                         "schema": {"type": "integer", "enum": [7, 30, 90], "default": 30}}],
                "responses": {"200": {"description": "The figures, overall and per day.", "content": {
                    "application/json": {"schema": {"type": "object"}}}},
                    "400": ERRORS["400"], "401": ERRORS["401"], "404": ERRORS["404"]}}},
            "/shops/{shop_id}": {
                "get": {"summary": "One of your shops", "operationId": "getShop", "parameters": [SHOP_ID],
                        "responses": {"200": {"description": "The shop.", "content": _json("Shop")},
                                      "401": ERRORS["401"], "404": ERRORS["404"]}},
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Shop": SHOP, "ShopInput": SHOP_INPUT, "Error": ERROR, **openapi_threads.SCHEMAS,
                        **openapi_coupons.SCHEMAS, **openapi_followups.SCHEMAS,
                        **openapi_tickets.SCHEMAS, **openapi_suggestions.SCHEMAS,
                        **openapi_channels.SCHEMAS},
        },
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
