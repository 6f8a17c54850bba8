"""OpenAPI 3.1 path items and component schemas of the webhook endpoints (merged into openapi.py)."""

from __future__ import annotations

from typing import Any

from postal_hub.api.openapi_parts import BEARER, IDEMPOTENCY, errors, ok, page
from postal_hub.webhooks.status import EVENT_TYPES

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
                        "type": ["string", "null"],
                        "pattern": "^whsec_[A-Za-z0-9+/=]+$",
                        "description": "The signing secret; shown only in this response (null when an "
                        "Idempotency-Key replays it: the secret is never stored for a replay).",
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
    "WebhookEndpointPage": page({"$ref": "#/components/schemas/WebhookEndpoint"}),
    "WebhookDeliveryPage": page({"$ref": "#/components/schemas/WebhookDelivery"}),
}

PATHS: dict[str, Any] = {
    "/api/v1/webhooks": {
        "post": {
            "summary": "Register a webhook endpoint; the response carries the signing secret once",
            "operationId": "registerWebhook",
            "security": BEARER,
            "parameters": [IDEMPOTENCY],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/WebhookEndpointInput"}}
                },
            },
            "responses": {
                **ok({"$ref": "#/components/schemas/WebhookEndpointCreated"}, "201"),
                **errors(400, 401, 403, 409, 422, 429),
            },
        },
        "get": {
            "summary": "This organization's webhook endpoints (no secrets)",
            "operationId": "listWebhooks",
            "security": BEARER,
            "responses": {**ok({"$ref": "#/components/schemas/WebhookEndpointPage"}), **errors(401, 429)},
        },
    },
    "/api/v1/webhooks/{id}": {
        "delete": {
            "summary": "Delete a webhook endpoint (nothing more is sent; its history is kept)",
            "operationId": "deleteWebhook",
            "security": BEARER,
            "parameters": [_ID, IDEMPOTENCY],
            "responses": {"204": {"description": "Deleted"}, **errors(400, 401, 404, 409, 422, 429)},
        }
    },
    "/api/v1/webhooks/{id}/deliveries": {
        "get": {
            "summary": "The endpoint's recent messages and every delivery attempt",
            "operationId": "webhookDeliveries",
            "security": BEARER,
            "parameters": [_ID],
            "responses": {
                **ok({"$ref": "#/components/schemas/WebhookDeliveryPage"}),
                **errors(401, 404, 429),
            },
        }
    },
}
