"""OpenAPI 3.1 path items and component schemas of the webhook endpoints (merged into openapi.py)."""

from __future__ import annotations

from typing import Any

from postal_hub.webhooks.status import EVENT_TYPES

_ERROR = {
    "description": "Error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): _ERROR for code in codes}


def _json(ref: str, description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}


def _page_of(ref: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "page", "total"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": ref}},
            "page": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0},
        },
    }


_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}

SCHEMAS: dict[str, Any] = {
    "WebhookEventType": {"enum": list(EVENT_TYPES)},
    "WebhookEndpointInput": {
        "type": "object",
        "required": ["url"],
        "properties": {
            "url": {
                "type": "string",
                "format": "uri",
                "maxLength": 2000,
                "description": "HTTPS to a public address (HTTP only for loopback in development).",
            },
            "description": {"type": "string", "maxLength": 255},
            "event_types": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/WebhookEventType"},
                "description": "Empty or absent: every event type.",
            },
        },
    },
    "WebhookEndpoint": {
        "type": "object",
        "required": ["id", "url", "event_types", "active", "created_at"],
        "properties": {
            "id": {"type": "integer"},
            "url": {"type": "string"},
            "description": {"type": "string"},
            "event_types": {"type": "array", "items": {"$ref": "#/components/schemas/WebhookEventType"}},
            "active": {"type": "boolean"},
            "disabled_reason": {"type": ["string", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "WebhookEndpointCreated": {
        "allOf": [
            {"$ref": "#/components/schemas/WebhookEndpoint"},
            {
                "type": "object",
                "required": ["secret"],
                "properties": {
                    "secret": {
                        "type": "string",
                        "pattern": "^whsec_[A-Za-z0-9+/=]+$",
                        "description": "The signing secret; shown only in this response.",
                    }
                },
            },
        ]
    },
    "WebhookDelivery": {
        "type": "object",
        "required": ["webhook_id", "type", "status", "created_at", "attempts"],
        "properties": {
            "webhook_id": {"type": "string"},
            "type": {"$ref": "#/components/schemas/WebhookEventType"},
            "status": {"enum": ["pending", "delivered", "failed"]},
            "created_at": {"type": "string", "format": "date-time"},
            "delivered_at": {"type": ["string", "null"], "format": "date-time"},
            "next_attempt_at": {"type": ["string", "null"], "format": "date-time"},
            "attempts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["at", "status_code", "latency_ms", "error"],
                    "properties": {
                        "at": {"type": "string", "format": "date-time"},
                        "status_code": {"type": ["integer", "null"]},
                        "latency_ms": {"type": "integer"},
                        "error": {"type": ["string", "null"]},
                    },
                },
            },
        },
    },
    "WebhookEndpointPage": _page_of("#/components/schemas/WebhookEndpoint"),
    "WebhookDeliveryPage": _page_of("#/components/schemas/WebhookDelivery"),
}

PATHS: dict[str, Any] = {
    "/api/v1/webhooks": {
        "post": {
            "summary": "Register a webhook endpoint; the response carries the signing secret once",
            "security": _SECURITY,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/WebhookEndpointInput"}}
                },
            },
            "responses": {
                "201": _json("#/components/schemas/WebhookEndpointCreated", "Registered"),
                **_errors(400, 401, 403, 409, 422),
            },
        },
        "get": {
            "summary": "This organization's webhook endpoints (no secrets)",
            "security": _SECURITY,
            "responses": {"200": _json("#/components/schemas/WebhookEndpointPage"), **_errors(401)},
        },
    },
    "/api/v1/webhooks/{id}": {
        "delete": {
            "summary": "Delete a webhook endpoint (nothing more is sent; its history is kept)",
            "security": _SECURITY,
            "parameters": [_ID],
            "responses": {"204": {"description": "Deleted"}, **_errors(401, 404)},
        }
    },
    "/api/v1/webhooks/{id}/deliveries": {
        "get": {
            "summary": "The endpoint's recent messages and every delivery attempt",
            "security": _SECURITY,
            "parameters": [_ID],
            "responses": {"200": _json("#/components/schemas/WebhookDeliveryPage"), **_errors(401, 404)},
        }
    },
}
