"""OpenAPI paths and schemas of the public home-pickup endpoints."""

from __future__ import annotations

from typing import Any

from postal_hub.api.openapi_parts import IDEMPOTENCY, errors, ok, path_param

REF = {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}
OFFICE = {
    "type": "object",
    "required": ["code", "name"],
    "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "address": {"type": "string"}},
}
WINDOW: dict[str, Any] = {
    "type": "object",
    "required": ["start", "end", "remaining"],
    "properties": {
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "remaining": {"type": "integer", "minimum": 0},
    },
}
POINT = {
    "type": "object",
    "properties": {
        "precision": {"enum": ["device", "street", "commune", "province"]},
        "exact": {"type": "boolean"},
    },
}
SLOTS = {
    "type": "object",
    "required": ["items", "page", "total", "slots", "post_office", "distance_km"],
    "properties": {
        "procedure_code": {"type": "string"},
        "date": {"type": "string", "format": "date"},
        "unit": REF,
        "point": POINT,
        "address": {
            "type": "object",
            "description": "The address searched; commune_inferred when it came from lat/lon alone "
            "(the commune whose reference point is nearest: confirm it before booking).",
            "properties": {
                "province_code": {"type": "string"},
                "commune_code": {"type": "string"},
                "commune_inferred": {"type": "boolean"},
            },
        },
        "post_office": {"oneOf": [OFFICE, {"type": "null"}]},
        "distance_km": {"type": ["number", "null"]},
        "fee": {"type": ["integer", "null"]},
        "slots": {"type": "array", "items": WINDOW},
        "items": {"type": "array", "items": WINDOW},
        "page": {"type": "integer", "minimum": 1},
        "total": {"type": "integer", "minimum": 0},
    },
}
PICKUP = {
    "type": "object",
    "required": ["reference", "status", "post_office", "slot_start", "slot_end", "fee"],
    "properties": {
        "reference": {"type": "string", "pattern": "^HP[A-Z2-9]{8}$"},
        "status": {"enum": ["booked", "assigned", "completed", "failed", "cancelled"]},
        "procedure": REF,
        "unit": REF,
        "post_office": OFFICE,
        "slot_start": {"type": "string", "format": "date-time"},
        "slot_end": {"type": "string", "format": "date-time"},
        "fee": {"type": "integer", "minimum": 0},
        "distance_km": {"type": "number"},
        "result_delivery": {"enum": ["home", "post_office", "counter"]},
        "applicant": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "phone": {"type": "string"}},
        },
        "address": {"type": "object", "additionalProperties": {"type": "string"}},
        "point": POINT,
        "can_change": {"type": "boolean"},
        "change_until": {"type": "string", "format": "date-time"},
        "dossier_code": {"type": ["string", "null"]},
        "failure_reason": {"type": ["string", "null"]},
        "events": {"type": "array", "items": {"type": "object"}},
        "manage_token": {"type": "string", "description": "Only in the answer to the booking itself."},
    },
}
BOOKING = {
    "type": "object",
    "required": ["procedure_code", "applicant", "address", "slot_start", "result_delivery", "consent"],
    "properties": {
        "procedure_code": {"type": "string"},
        "applicant": {
            "type": "object",
            "required": ["name", "phone", "citizen_id"],
            "properties": {
                "name": {"type": "string", "maxLength": 255},
                "phone": {"type": "string", "description": "A Vietnamese mobile number"},
                "citizen_id": {"type": "string", "pattern": "^\\d{12}$"},
            },
        },
        "address": {
            "type": "object",
            "required": ["province_code", "commune_code", "street"],
            "properties": {
                "province_code": {"type": "string"},
                "commune_code": {"type": "string"},
                "street": {"type": "string", "maxLength": 255},
                "lat": {"type": "number", "minimum": 8, "maximum": 24},
                "lon": {"type": "number", "minimum": 102, "maximum": 118},
            },
        },
        "slot_start": {"type": "string", "format": "date-time"},
        "result_delivery": {"enum": ["home", "post_office", "counter"]},
        "consent": {"const": True, "description": "The applicant agrees to the processing of personal data."},
        "language": {"enum": ["vi", "en"], "description": "Language of the messages to the applicant."},
    },
}
SLOT_FULL = {
    "409": {
        "description": "slot_full: no seat is left; next_free lists the soonest windows with room",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "error": {"$ref": "#/components/schemas/Error/properties/error"},
                        "next_free": {
                            "type": "array",
                            "items": {
                                **WINDOW,
                                "properties": {**WINDOW["properties"], "post_office": OFFICE},
                            },
                        },
                    },
                }
            }
        },
    }
}
TOKEN = {
    "name": "X-Manage-Token",
    "in": "header",
    "required": True,
    "description": "The private token returned at booking (and sent in the manage link).",
    "schema": {"type": "string"},
}

# The routes take exactly ten characters (HP and eight): anything else is not a booking (404).
OWN = [path_param("reference", {"type": "string", "minLength": 10, "maxLength": 10}), TOKEN]


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


PATHS: dict[str, Any] = {
    "/api/v1/pickups/slots": {
        "get": {
            "summary": "Where and when a home pickup can be booked: the nearest covered office with room",
            "parameters": [
                _query("procedure_code", "The procedure (required)."),
                _query(
                    "date",
                    "A day (YYYY-MM-DD); without it, the first day with room.",
                    {"type": "string", "format": "date"},
                ),
                _query("province_code", "Province of the address."),
                _query("commune_code", "Commune of the address (required: it decides the competent unit)."),
                _query("street", "House number and street."),
                _query(
                    "lat",
                    "The device's latitude, when the citizen shares it.",
                    {"type": "number", "minimum": 8, "maximum": 24},
                ),
                _query("lon", "The device's longitude.", {"type": "number", "minimum": 102, "maximum": 118}),
            ],
            "responses": {**ok(SLOTS), **errors(404, 409, 422)},
        }
    },
    "/api/v1/pickups": {
        "post": {
            "summary": "Book a home pickup (no key needed)",
            "parameters": [IDEMPOTENCY],
            "requestBody": {"required": True, "content": {"application/json": {"schema": BOOKING}}},
            "responses": {**ok(PICKUP, "201"), **errors(400, 409, 422, 429), **SLOT_FULL},
        }
    },
    "/api/v1/pickups/{reference}": {
        "get": {"summary": "The booking", "parameters": OWN, "responses": {**ok(PICKUP), **errors(404)}},
        "patch": {
            "summary": "Reschedule: a new slot_start, under the same rules as a booking",
            "parameters": OWN,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["slot_start"],
                            "properties": {"slot_start": {"type": "string", "format": "date-time"}},
                        }
                    }
                },
            },
            "responses": {**ok(PICKUP), **errors(400, 404, 409, 422), **SLOT_FULL},
        },
        "delete": {
            "summary": "Cancel the booking",
            "parameters": OWN,
            "responses": {**ok(PICKUP), **errors(404, 409)},
        },
    },
}
