"""The OpenAPI 3.1 description of the API; a test keeps it and the routes in step."""

from __future__ import annotations

import copy
from typing import Any

from flask import jsonify, request
from werkzeug.wrappers import Response

from postal_hub.api import openapi_handoff, openapi_pickup, openapi_webhooks
from postal_hub.api.common import bp
from postal_hub.api.openapi_parts import IDEMPOTENCY, errors, ok, page_query


def document(server: str) -> dict[str, Any]:
    built = copy.deepcopy(_document(server))  # the parts are module-level: never change them per request
    # Every request passes the input guard first: a NUL byte anywhere in it is a 400 (malformed).
    for item in built["paths"].values():
        for operation in item.values():
            operation["responses"].setdefault("400", errors(400)["400"])
    return built


def _document(server: str) -> dict[str, Any]:
    component = {
        "type": "object",
        "required": ["code", "name", "original", "count"],
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "original": {"type": "boolean"},
            "count": {"type": "integer", "minimum": 1},
        },
    }
    procedure = {
        "type": "object",
        "required": [
            "code",
            "name",
            "components",
            "fee",
            "processing_days",
            "postal_allowed",
            "boundary_independent",
        ],
        "properties": {
            "code": {"type": "string", "pattern": r"^\d\.\d{6}$"},
            "name": {"type": "string"},
            "field": {"type": "string"},
            "competent_level": {"enum": ["ministry", "province", "commune"]},
            "unit_code": {"type": ["string", "null"]},
            "components": {"type": "array", "items": component},
            "fee": {"type": "integer", "minimum": 0},
            "charge": {"type": "integer", "minimum": 0},
            "processing_days": {"type": "integer", "minimum": 1},
            "postal_allowed": {"type": "boolean"},
            "boundary_independent": {"type": "boolean"},
        },
    }
    event = {
        "type": "object",
        "required": ["code", "at", "location", "description"],
        "properties": {
            "code": {"type": "string"},
            "at": {"type": "string", "format": "date-time"},
            "location": {"type": "string"},
            "description": {"type": "string"},
        },
    }
    ref = {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}
    tracking = {
        "type": "object",
        "required": ["dossier_code", "item_number", "status", "procedure", "unit", "events"],
        "properties": {
            "dossier_code": {"type": "string"},
            "item_number": {"type": "string"},
            "status": {"type": "string"},
            "applicant": {"type": "string"},
            "procedure": ref,
            "unit": ref,
            "accepted_at": {"type": "string", "format": "date-time"},
            "due_at": {"type": "string", "format": "date-time"},
            "events": {"type": "array", "items": event},
        },
    }
    intake = {
        "type": "object",
        "required": ["procedure_code", "applicant", "post_office_code", "components", "address"],
        "properties": {
            "procedure_code": {"type": "string"},
            "post_office_code": {"type": "string"},
            "accepted_by": {
                "type": "string",
                "description": "Username of the clerk who took the dossier at that office: the certification "
                "gate checks them (403 not_certified) and the dossier records them. Without it the operator "
                "answers for its staff; a procedure in no procedure group is still refused.",
            },
            "applicant": {
                "type": "object",
                "required": ["name", "phone", "citizen_id"],
                "properties": {
                    "name": {"type": "string"},
                    "phone": {"type": "string"},
                    "citizen_id": {"type": "string"},
                },
            },
            "address": {
                "type": "object",
                "required": ["province_code", "commune_code", "street"],
                "properties": {
                    "province_code": {"type": "string"},
                    "commune_code": {"type": "string"},
                    "street": {"type": "string"},
                },
            },
            "subject_commune_code": {"type": "string"},
            "components": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "present"],
                    "properties": {"code": {"type": "string"}, "present": {"type": "boolean"}},
                },
            },
            "result_delivery": {"enum": ["home", "post_office", "counter"]},
            "payment_method": {"enum": ["cash", "card", "transfer", "none"]},
        },
    }
    accepted = {
        "type": "object",
        "required": ["dossier_code", "item_number", "unit", "due_at"],
        "properties": {
            "dossier_code": {"type": "string"},
            "item_number": {"type": "string"},
            "unit": ref,
            "due_at": {"type": "string", "format": "date-time"},
            "fee": {"type": "integer"},
            "charge": {"type": "integer"},
            "postal_price": {"type": "integer"},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Postal Hub API",
            "version": "1",
            "description": "One-stop units, the postal operator and citizens' apps integrate here.",
        },
        "servers": [{"url": server}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                **openapi_webhooks.SCHEMAS,
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                            },
                        }
                    },
                },
            },
        },
        "paths": {
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "operationId": "openapi",
                    "responses": ok({"type": "object"}),
                }
            },
            "/api/v1/procedures": {
                "get": {
                    "summary": "The procedure catalogue (search with or without diacritics)",
                    "operationId": "procedures",
                    "parameters": [
                        {"name": "q", "in": "query", "schema": {"type": "string"}},
                        {"name": "unit_code", "in": "query", "schema": {"type": "string"}},
                        page_query(openapi_handoff.PAGE_NUMBER),
                    ],
                    "responses": {
                        **errors(400, 422),
                        **ok(
                            {
                                "type": "object",
                                "required": ["items", "page", "total"],
                                "properties": {
                                    "items": {"type": "array", "items": procedure},
                                    "page": {"type": "integer"},
                                    "total": {"type": "integer"},
                                },
                            }
                        ),
                    },
                }
            },
            "/api/v1/track/{code}": {
                "get": {
                    "summary": "Public tracking by dossier code or item number",
                    "operationId": "track",
                    "parameters": [
                        {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {**ok(tracking), **errors(404, 429)},
                }
            },
            **openapi_handoff.PATHS,
            **openapi_webhooks.PATHS,
            **openapi_pickup.PATHS,
            "/api/v1/dossiers": {
                "get": openapi_handoff.DOSSIER_LIST,
                "post": {
                    "summary": "Intake of a dossier accepted outside the web screens (postal operator)",
                    "operationId": "createDossier",
                    "security": [{"bearer": []}],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": intake}}},
                    "parameters": [IDEMPOTENCY],
                    "responses": {**ok(accepted, "201"), **errors(400, 401, 403, 409, 422, 429)},
                },
            },
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document(request.host_url.rstrip("/")))
