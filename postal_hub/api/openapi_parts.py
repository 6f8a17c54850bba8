"""Building blocks the OpenAPI fragments share: error answers, pages, the key, Idempotency-Key."""

from __future__ import annotations

from typing import Any

ERROR_REF = {"$ref": "#/components/schemas/Error"}
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Repeat a write safely: the same key and body replay the first answer; "
    "another body is 422; a repeat while the first is still running is 409.",
    "schema": {"type": "string", "maxLength": 255},
}


def errors(*codes: int) -> dict[str, Any]:
    """Error answers in the contract's shape, one per status code."""
    return {
        str(c): {"description": "Error", "content": {"application/json": {"schema": ERROR_REF}}}
        for c in codes
    }


def ok(schema: dict[str, Any], status: str = "200") -> dict[str, Any]:
    return {status: {"description": "OK", "content": {"application/json": {"schema": schema}}}}


def page(item: dict[str, Any]) -> dict[str, Any]:
    """Every list endpoint answers {"items": [...], "page": 1, "total": N}."""
    return {
        "type": "object",
        "required": ["items", "page", "total"],
        "properties": {
            "items": {"type": "array", "items": item},
            "page": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0},
        },
    }


def path_param(name: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema or {"type": "string"}}


BLANK = "^[ \\t\\n\\r]*$"


def query(name: str, schema: dict[str, Any], description: str = "", empty: str = BLANK) -> dict[str, Any]:
    """An optional query parameter; the list endpoints read an empty value (`?status=`, and for most
    parameters a blank one) as not given."""
    found: dict[str, Any] = {"name": name, "in": "query", "required": False}
    if description:
        found["description"] = description
    found["schema"] = {"anyOf": [schema, {"type": "string", "pattern": empty}]}
    return found


def page_query(schema: dict[str, Any]) -> dict[str, Any]:
    """`page` is 1 when empty; a blank one is a mistake (422)."""
    return query("page", schema, empty="^$")
