"""OpenAPI paths and schemas of the organization endpoints: dossiers, receipts, results, manifests."""

from __future__ import annotations

from typing import Any

from postal_hub.api.openapi_parts import BEARER, IDEMPOTENCY, errors, ok, page, page_query, path_param, query
from postal_hub.intake.status import DossierStatus

# Query values are text: a page is written in digits, from 1 to 100000 (so `5`, not `5.0`).
PAGE_NUMBER = {
    "type": "string",
    "pattern": "^[ \\t\\n\\r]*(0{0,5}[1-9]|0{0,4}[1-9][0-9]|0{0,3}[1-9][0-9]{2}|0{0,2}[1-9][0-9]{3}"
    "|0?[1-9][0-9]{4}|100000)[ \\t\\n\\r]*$",
}
REF = {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}
TIME = {"type": ["string", "null"], "format": "date-time"}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


EVENT = {
    "type": "object",
    "required": ["code", "at", "location", "description"],
    "properties": {
        "code": {"type": "string"},
        "at": {"type": "string", "format": "date-time"},
        "location": {"type": "string"},
        "description": {"type": "string"},
        "note": {"type": "string"},
    },
}

SUMMARY_PROPERTIES: dict[str, Any] = {
    "dossier_code": {"type": "string"},
    "item_number": {"type": "string", "pattern": "^[A-Z]{2}\\d{9}VN$"},
    "status": {"type": "string"},
    "channel": {"enum": ["counter", "pickup", "api"]},
    "procedure": REF,
    "unit": REF,
    "post_office": REF,
    "result_delivery": {"enum": ["home", "post_office", "counter"]},
    "accepted_at": TIME,
    "due_at": TIME,
    "updated_at": TIME,
}
SUMMARY = {
    "type": "object",
    "required": ["dossier_code", "item_number", "status"],
    "properties": SUMMARY_PROPERTIES,
}

FILE = {
    "type": "object",
    "properties": {
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "filename": {"type": "string"},
        "content_type": {"type": "string"},
        "pages": {"type": "integer"},
    },
}
DETAIL = {
    "type": "object",
    "required": ["dossier_code", "item_number", "status", "components", "tasks", "events"],
    "properties": {
        **SUMMARY_PROPERTIES,
        "applicant": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "phone": {"type": "string"},
                "citizen_id": {"type": "string"},
            },
        },
        "address": {"type": "object", "additionalProperties": {"type": "string"}},
        "subject_commune_code": {"type": ["string", "null"]},
        "payment_method": {"type": "string"},
        "fee": {"type": "integer"},
        "charge": {"type": "integer"},
        "postal_price": {"type": "integer"},
        "digitized_at": TIME,
        "components": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "original": {"type": "boolean"},
                    "count": {"type": "integer"},
                    "reused": {"type": "boolean"},
                    "files": {"type": "array", "items": FILE},
                },
            },
        },
        "tasks": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "type": {"type": "string"},
                    "status": {"type": "string"},
                    "due_at": TIME,
                    "completed_at": TIME,
                    "sla_met": {"type": ["boolean", "null"]},
                },
            },
        },
        "manifests": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "number": {"type": "string"},
                    "line_status": {"type": "string"},
                    "reason": {"type": ["string", "null"]},
                    "seal_number": {"type": "string"},
                },
            },
        },
        "events": {"type": "array", "items": EVENT},
        "delivery": {
            "type": ["object", "null"],
            "description": "How the result comes back through the post; null when it does not (yet)",
            "properties": {
                "status": {
                    "enum": [
                        "at_unit",
                        "in_transit",
                        "at_office",
                        "assigned",
                        "out",
                        "blocked",
                        "delivered",
                        "to_return",
                        "returning",
                        "returned",
                    ]
                },
                "method": {"enum": ["home", "post_office"]},
                "post_office": {"type": "object"},
                "amount_due": {"type": "integer"},
                "window_start": {"type": ["string", "null"], "format": "date-time"},
                "window_end": {"type": ["string", "null"], "format": "date-time"},
                "hold_until": {"type": ["string", "null"], "format": "date-time"},
                "attempts": {"type": "array", "items": {"type": "object"}},
            },
        },
    },
}

LINE = {
    "type": "object",
    "properties": {
        "position": {"type": "integer"},
        "dossier_code": {"type": "string"},
        "item_number": {"type": "string"},
        "component_count": {"type": "integer"},
        "seal_number": {"type": "string"},
        "status": {"enum": ["pending", "received", "rejected", "missing"]},
        "reason": {"enum": ["missing_component", "damaged_seal", "wrong_unit", "other", None]},
        "note": {"type": "string"},
        "confirmed_at": TIME,
    },
}
MANIFEST = {
    "type": "object",
    "required": ["number", "status", "lines", "discrepancies"],
    "properties": {
        "number": {"type": "string"},
        "direction": {"enum": ["to_unit", "to_post", "return"]},
        "status": {"enum": ["draft", "dispatched", "closed", "cancelled"]},
        "post_office": REF,
        "unit": REF,
        "note": {"type": "string"},
        "created_at": TIME,
        "dispatched_at": TIME,
        "closed_at": TIME,
        "closed_by": {"type": ["string", "null"]},
        "lines": {"type": "array", "items": LINE},
        "extras": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"label": {"type": "string"}, "note": {"type": "string"}, "recorded_at": TIME},
            },
        },
        "discrepancies": {
            "type": "object",
            "properties": {
                "not_received": {"type": "array", "items": {"type": "string"}},
                "awaiting": {"type": "array", "items": {"type": "string"}},
                "rejected": {"type": "array", "items": {"type": "object"}},
                "extra": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
}
RECEIPT = {
    "type": "object",
    "required": ["accepted"],
    "properties": {
        "accepted": {"type": "boolean"},
        "reason": {
            "type": "string",
            "description": "Required when accepted is false: missing_component, damaged_seal, wrong_unit, "
            "other, or free text (kept as other).",
        },
        "note": {"type": "string", "maxLength": 500},
    },
    # A refusal carries a reason that is not blank.
    "anyOf": [
        {"properties": {"accepted": {"const": True}}},
        {"required": ["reason"], "properties": {"reason": {"type": "string", "pattern": "\\S"}}},
    ],
}
RECEIPT_ANSWER = {
    "type": "object",
    "properties": {
        "dossier_code": {"type": "string"},
        "status": {"type": "string"},
        "manifest": {"type": "object"},
    },
}
RESULT_READY = {
    "type": "object",
    "required": ["summary"],
    "properties": {
        "summary": {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "\\S"},
        "result_delivery": {"enum": ["home", "post_office", "counter"]},
        "amount_due": {
            "type": "integer",
            "minimum": 0,
            "maximum": 100_000_000,
            "description": "Fees (VND) the post collects for the unit when it hands the result over; "
            "none when the result is collected at the unit's counter",
        },
    },
    "anyOf": [
        {"properties": {"result_delivery": {"enum": ["home", "post_office"]}}},
        {"properties": {"amount_due": {"maximum": 0}}},
    ],
}
RESULT_READY_ANSWER = {
    "type": "object",
    "properties": {
        "dossier_code": {"type": "string"},
        "status": {"type": "string"},
        "result_delivery": {"enum": ["home", "post_office", "counter"]},
        "amount_due": {"type": "integer"},
        "post_office": {
            "type": ["object", "null"],
            "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
        },
    },
}


PATHS: dict[str, Any] = {
    "/api/v1/dossiers/{code}": {
        "get": {
            "summary": "One dossier with its components (and files' sha256), tasks, manifests and events",
            "operationId": "getDossier",
            "security": BEARER,
            "parameters": [path_param("code")],
            "responses": {**ok(DETAIL), **errors(401, 404, 429)},
        }
    },
    "/api/v1/dossiers/{code}/events": {
        "get": {
            "summary": "The dossier's timeline",
            "operationId": "dossierEvents",
            "security": BEARER,
            "parameters": [path_param("code")],
            "responses": {**ok(page(EVENT)), **errors(401, 404, 429)},
        }
    },
    "/api/v1/dossiers/{code}/receipt": {
        "post": {
            "summary": "The unit confirms receipt of a handed-off dossier, or refuses it with a reason",
            "operationId": "confirmReceipt",
            "security": BEARER,
            "parameters": [path_param("code"), IDEMPOTENCY],
            "requestBody": _body(RECEIPT),
            "responses": {**ok(RECEIPT_ANSWER), **errors(400, 401, 403, 404, 409, 422, 429)},
        }
    },
    "/api/v1/dossiers/{code}/result-ready": {
        "post": {
            "summary": "The unit says the result is ready for return",
            "operationId": "resultReady",
            "security": BEARER,
            "parameters": [path_param("code"), IDEMPOTENCY],
            "requestBody": _body(RESULT_READY),
            "responses": {**ok(RESULT_READY_ANSWER), **errors(400, 401, 403, 404, 409, 422, 429)},
        }
    },
    "/api/v1/manifests": {
        "get": {
            "summary": "Hand-off manifests this organization sent or receives",
            "operationId": "listManifests",
            "security": BEARER,
            "parameters": [
                query("status", {"enum": ["draft", "dispatched", "closed", "cancelled"]}),
                page_query(PAGE_NUMBER),
            ],
            "responses": {**ok(page(MANIFEST)), **errors(401, 422, 429)},
        }
    },
    "/api/v1/manifests/{number}": {
        "get": {
            "summary": "One manifest with its lines and discrepancies",
            "operationId": "getManifest",
            "security": BEARER,
            "parameters": [path_param("number")],
            "responses": {**ok(MANIFEST), **errors(401, 404, 429)},
        }
    },
    "/api/v1/manifests/{number}/close": {
        "post": {
            "summary": "The receiving unit closes the manifest; unconfirmed lines become 'missing'",
            "operationId": "closeManifest",
            "security": BEARER,
            "parameters": [path_param("number"), IDEMPOTENCY],
            "responses": {**ok(MANIFEST), **errors(400, 401, 403, 404, 409, 422, 429)},
        }
    },
}

# Points must lie in Vietnam (a 422 otherwise).
VN_LAT = {"type": "number", "minimum": 8, "maximum": 24}
VN_LON = {"type": "number", "minimum": 102, "maximum": 118}
OFFICE = {
    "type": "object",
    "required": ["code", "name", "postcode", "province_code", "lat", "lon", "distance_km"],
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "postcode": {"type": "string", "pattern": "^\\d{5}$"},
        "province_code": {"type": "string"},
        "commune_code": {"type": "string"},
        "address": {"type": "string"},
        "opening_hours": {"type": "string"},
        "lat": {"type": "number"},
        "lon": {"type": "number"},
        "distance_km": {"type": "number", "minimum": 0, "description": "Geodesic distance on WGS-84"},
    },
}
PATHS["/api/v1/post-offices"] = {
    "get": {
        "summary": "The active post offices nearest to a point, across province boundaries",
        "operationId": "nearestPostOffices",
        "parameters": [
            {"name": "lat", "in": "query", "required": True, "schema": VN_LAT},
            {"name": "lon", "in": "query", "required": True, "schema": VN_LON},
            query(
                "limit",
                {"type": "string", "pattern": "^[ \\t\\n\\r]*(0{0,2}[1-9]|0?[1-4][0-9]|0?50)[ \\t\\n\\r]*$"},
                "How many offices, 1 to 50 (default 5).",
            ),
        ],
        "responses": {**ok(page(OFFICE)), **errors(422)},
    }
}

DOSSIER_LIST: dict[str, Any] = {
    "summary": "The dossiers this organization may see (its unit's, or those its operator carries)",
    "operationId": "listDossiers",
    "security": BEARER,
    "parameters": [
        query("status", {"enum": [s.value for s in DossierStatus]}),
        query(
            "updated_since",
            {"type": "string", "format": "date-time"},
            "Only dossiers changed at or after this time (ISO 8601; without an offset, Vietnam time).",
        ),
        page_query(PAGE_NUMBER),
    ],
    "responses": {**ok(page(SUMMARY)), **errors(401, 422, 429)},
}
