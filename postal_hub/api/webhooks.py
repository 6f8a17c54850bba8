"""API endpoints for webhook registration: register (the secret is answered once), list, delete, history."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, jsonify, request
from werkzeug.wrappers import Response

from postal_hub.api.common import bp, collection, error, iso, key_required
from postal_hub.api.idempotency import idempotent
from postal_hub.core.errors import Conflict, NotFound, ValidationFailed
from postal_hub.core.orgs.models import Organization
from postal_hub.extensions import db
from postal_hub.services import clock, webhook_resolver
from postal_hub.webhooks import queries, services
from postal_hub.webhooks.models import OutboxMessage, WebhookEndpoint

Answer = Response | tuple[Response, int]


def endpoint_json(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": list(endpoint.event_types),
        "active": endpoint.active,
        "disabled_reason": endpoint.disabled_reason,
        "created_at": iso(endpoint.created_at),
    }


def message_json(message: OutboxMessage) -> dict[str, Any]:
    return {
        "webhook_id": message.msg_id,
        "type": message.event_type,
        "status": message.status,
        "created_at": iso(message.created_at),
        "delivered_at": iso(message.delivered_at),
        "next_attempt_at": iso(message.next_attempt_at) if message.status == "pending" else None,
        "attempts": [
            {"at": iso(a.at), "status_code": a.status_code, "latency_ms": a.latency_ms, "error": a.error}
            for a in message.attempt_log
        ],
    }


def _org() -> Organization:
    org: Organization = g.api_org
    return org


def _own_endpoint(endpoint_id: int) -> WebhookEndpoint | None:
    try:
        endpoint = services.get_endpoint(db.session, [_org().id], endpoint_id)
    except NotFound:
        return None
    return None if endpoint.deleted_at is not None else endpoint


@bp.post("/webhooks")
@key_required
@idempotent(redact=("secret",))
def register_webhook() -> Answer:
    if _org().kind not in services.API_ORG_KINDS:
        return error(
            403, "forbidden", "Only a one-stop unit's or a postal operator's key may register webhooks."
        )
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error(400, "malformed", "The body must be a JSON object.")
    url, description, event_types = body.get("url"), body.get("description", ""), body.get("event_types", [])
    if not isinstance(url, str):
        return error(
            422, "invalid", "The url is required.", {"url": "Enter the URL of your webhook receiver."}
        )
    if not isinstance(description, str):
        return error(422, "invalid", "The description must be text.", {"description": "Must be a string."})
    if not isinstance(event_types, list) or not all(isinstance(t, str) for t in event_types):
        return error(
            422,
            "invalid",
            "event_types must be a list of event type names.",
            {"event_types": "Must be a list of strings."},
        )
    try:
        endpoint, secret = services.register(
            db.session,
            _org(),
            services.EndpointInput(url=url, description=description, event_types=tuple(event_types)),
            webhook_resolver(),
            bool(current_app.config["WEBHOOK_ALLOW_LOOPBACK"]),
            current_app.config["SECRET_KEY"],
            None,
            clock().now(),
        )
    except Conflict as exc:
        return error(409, exc.code, exc.message)
    except ValidationFailed as exc:
        return error(422, "invalid", exc.message, exc.fields)
    db.session.commit()
    return jsonify({**endpoint_json(endpoint), "secret": secret}), 201


@bp.get("/webhooks")
@key_required
def list_webhooks() -> Response:
    rows = queries.endpoints(db.session, [_org().id], include_deleted=False)
    return collection([endpoint_json(row.endpoint) for row in rows])


@bp.delete("/webhooks/<int:id>")
@key_required
@idempotent
def delete_webhook(id: int) -> Answer:
    endpoint = _own_endpoint(id)
    if endpoint is None:
        return error(404, "not_found", "No webhook endpoint has this id.")
    services.delete(db.session, endpoint, None, clock().now())
    db.session.commit()
    return Response(status=204)


@bp.get("/webhooks/<int:id>/deliveries")
@key_required
def webhook_deliveries(id: int) -> Answer:
    endpoint = _own_endpoint(id)
    if endpoint is None:
        return error(404, "not_found", "No webhook endpoint has this id.")
    return collection([message_json(m) for m in queries.recent_messages(db.session, endpoint.id)])
