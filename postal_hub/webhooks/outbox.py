"""The transactional outbox: events are written with the change that caused them, sent later."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.clock import to_local
from postal_hub.webhooks.models import OutboxMessage, WebhookEndpoint
from postal_hub.webhooks.status import EVENT_TYPES, MessageStatus


def new_msg_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def render_body(event_type: str, data: dict[str, Any], at: datetime) -> str:
    """The exact bytes receivers get (as text): {"type", "timestamp" (+07:00), "data"}."""
    return json.dumps(
        {"type": event_type, "timestamp": to_local(at).isoformat(), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


def enqueue(
    session: Session,
    organization_ids: Iterable[int],
    event_type: str,
    data: dict[str, Any],
    ordering_key: str | None,
    at: datetime,
) -> list[OutboxMessage]:
    """One message per active endpoint of those organizations subscribed to event_type; flushed in the
    caller's transaction (the transactional outbox). The body is serialised now and never changes."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    org_ids = sorted(set(organization_ids))
    if not org_ids:
        return []
    endpoints = session.scalars(
        sa.select(WebhookEndpoint)
        .where(
            WebhookEndpoint.organization_id.in_(org_ids),
            WebhookEndpoint.active.is_(True),
            WebhookEndpoint.deleted_at.is_(None),
        )
        .order_by(WebhookEndpoint.id)
    ).all()
    body = render_body(event_type, data, at)
    messages = [
        OutboxMessage(
            msg_id=new_msg_id(),
            endpoint_id=endpoint.id,
            organization_id=endpoint.organization_id,
            event_type=event_type,
            ordering_key=ordering_key,
            body=body,
            created_at=at,
            status=MessageStatus.PENDING.value,
            attempts=0,
            next_attempt_at=at,
        )
        for endpoint in endpoints
        if endpoint.subscribes_to(event_type)
    ]
    session.add_all(messages)
    session.flush()
    return messages
