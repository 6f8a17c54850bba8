"""API plumbing: the blueprint, JSON errors in the contract's shape, Bearer key authentication."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, g, jsonify, request
from werkzeug.wrappers import Response

from postal_hub.core.clock import to_local
from postal_hub.core.orgs.models import Organization
from postal_hub.core.users import api_keys
from postal_hub.extensions import csrf, db
from postal_hub.services import api_limiter, clock

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # machine clients authenticate with a key, not a browser session
F = TypeVar("F", bound=Callable[..., Any])


def error(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message, "fields": fields or {}}}), status


def iso(moment: datetime | None) -> str | None:
    """Times are ISO 8601 with the Vietnam offset (+07:00), as the contract says."""
    return to_local(moment).isoformat() if moment else None


def via() -> str:
    """How a machine client appears in custody entries and audit details."""
    return f"api:{g.api_org.code}:{g.api_key.name}"[:160]


def collection(items: list[Any], total: int | None = None, page: int = 1) -> Response:
    return jsonify({"items": items, "page": page, "total": len(items) if total is None else total})


def key_required(view: F) -> F:
    """Authorization: Bearer <key>; the key's organization is the caller (g.api_org)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        key = (
            api_keys.authenticate(db.session, token.strip(), clock().now())
            if scheme.lower() == "bearer"
            else None
        )
        if key is None:
            response, status = error(
                401, "unauthorized", "A valid API key is required (Authorization: Bearer ...)."
            )
            response.headers["WWW-Authenticate"] = 'Bearer realm="postal-hub"'
            return response, status
        if wait := api_limiter().hit(f"key:{key.id}"):
            db.session.rollback()
            response, status = error(429, "rate_limited", "Too many requests for this API key; slow down.")
            response.headers["Retry-After"] = str(wait)
            return response, status
        g.api_org = db.session.get(Organization, key.organization_id)
        g.api_key = key
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
