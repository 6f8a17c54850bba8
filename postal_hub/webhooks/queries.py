"""Reads for the webhook screens and API: endpoints with their last delivery, messages with attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from postal_hub.core.orgs.models import Organization
from postal_hub.webhooks.models import OutboxMessage, WebhookAttempt, WebhookEndpoint
from postal_hub.webhooks.services import API_ORG_KINDS


@dataclass(frozen=True)
class EndpointRow:
    endpoint: WebhookEndpoint
    organization: Organization
    last_attempt_at: datetime | None
    last_status_code: int | None
    pending: int


def endpoints(
    session: Session, organization_ids: list[int] | None, include_deleted: bool = True
) -> list[EndpointRow]:
    """Endpoints of those organizations (None: all), newest first, with their last attempt."""
    stmt = (
        sa.select(WebhookEndpoint, Organization)
        .join(Organization, Organization.id == WebhookEndpoint.organization_id)
        .order_by(WebhookEndpoint.deleted_at.is_not(None), WebhookEndpoint.id.desc())
    )
    if organization_ids is not None:
        stmt = stmt.where(WebhookEndpoint.organization_id.in_(organization_ids or [-1]))
    if not include_deleted:
        stmt = stmt.where(WebhookEndpoint.deleted_at.is_(None))
    rows = session.execute(stmt).all()
    ids = [e.id for e, _ in rows] or [-1]
    last = {
        endpoint_id: (at, code)
        for endpoint_id, at, code in session.execute(
            sa.select(OutboxMessage.endpoint_id, WebhookAttempt.at, WebhookAttempt.status_code)
            .join(OutboxMessage, OutboxMessage.id == WebhookAttempt.message_id)
            .where(
                WebhookAttempt.id.in_(
                    sa.select(sa.func.max(WebhookAttempt.id))
                    .join(OutboxMessage, OutboxMessage.id == WebhookAttempt.message_id)
                    .where(OutboxMessage.endpoint_id.in_(ids))
                    .group_by(OutboxMessage.endpoint_id)
                )
            )
        ).all()
    }
    pending = dict(
        session.execute(
            sa.select(OutboxMessage.endpoint_id, sa.func.count())
            .where(OutboxMessage.endpoint_id.in_(ids), OutboxMessage.status == "pending")
            .group_by(OutboxMessage.endpoint_id)
        ).all()
    )
    result = []
    for e, org in rows:
        at, code = last.get(e.id, (None, None))
        result.append(EndpointRow(e, org, at, code, int(pending.get(e.id, 0))))
    return result


def recent_messages(session: Session, endpoint_id: int, limit: int = 50) -> list[OutboxMessage]:
    """The endpoint's newest messages with every attempt, eager-loaded for the page."""
    return list(
        session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.endpoint_id == endpoint_id)
            .options(selectinload(OutboxMessage.attempt_log))
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def api_organizations(session: Session, organization_ids: list[int] | None) -> list[Organization]:
    """The organizations a user may register endpoints for (a choice only administrators get)."""
    stmt = sa.select(Organization).where(Organization.kind.in_(API_ORG_KINDS)).order_by(Organization.name)
    if organization_ids is not None:
        stmt = stmt.where(Organization.id.in_(organization_ids or [-1]))
    return list(session.scalars(stmt))
