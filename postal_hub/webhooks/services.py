"""Use cases for webhook endpoints: register, delete, disable, enable, and send a message again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core import audit
from postal_hub.core.errors import Conflict, NotFound, ValidationFailed
from postal_hub.core.orgs.models import Organization, OrgKind
from postal_hub.core.users.models import Role, User
from postal_hub.webhooks import vault
from postal_hub.webhooks.models import OutboxMessage, WebhookEndpoint
from postal_hub.webhooks.signing import generate_secret
from postal_hub.webhooks.status import EVENT_TYPES, MessageStatus
from postal_hub.webhooks.urls import Resolver, check_url

API_ORG_KINDS = (OrgKind.ONE_STOP_UNIT.value, OrgKind.POSTAL_OPERATOR.value)
MAX_ENDPOINTS_PER_ORG = 20


@dataclass(frozen=True)
class EndpointInput:
    url: str
    description: str = ""
    event_types: tuple[str, ...] = ()


def organization_ids_for(session: Session, actor: User) -> list[int] | None:
    """The organizations whose endpoints the actor manages (None: every API organization).

    A unit officer manages their one-stop unit's, a postal manager their operator's, an administrator
    any unit's or operator's; nobody else manages any."""
    if actor.has_role(Role.SYSTEM_ADMIN):
        return None
    org = session.get(Organization, actor.organization_id) if actor.organization_id else None
    if org is None:
        return []
    if actor.has_role(Role.UNIT_OFFICER) and org.kind == OrgKind.ONE_STOP_UNIT.value:
        return [org.id]
    if actor.has_role(Role.POSTAL_MANAGER) and org.kind == OrgKind.POSTAL_OPERATOR.value:
        return [org.id]
    return []


def require_organization(session: Session, actor: User, organization_id: int) -> Organization:
    """The organization, if the actor manages its endpoints; NotFound otherwise (unknown or not yours)."""
    allowed = organization_ids_for(session, actor)
    org = session.get(Organization, organization_id)
    if org is None or org.kind not in API_ORG_KINDS or (allowed is not None and org.id not in allowed):
        raise NotFound(str(_l("No such organization.")))
    return org


def get_endpoint(session: Session, organization_ids: list[int] | None, endpoint_id: int) -> WebhookEndpoint:
    """One endpoint of those organizations (None: any), deleted ones included; NotFound for others."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or (
        organization_ids is not None and endpoint.organization_id not in organization_ids
    ):
        raise NotFound(str(_l("No such webhook endpoint.")))
    return endpoint


def _clean_event_types(values: tuple[str, ...]) -> list[str]:
    unknown = [v for v in values if v not in EVENT_TYPES]
    if unknown:
        message = str(_l("Unknown event types: %(names)s", names=", ".join(sorted(set(unknown)))[:200]))
        raise ValidationFailed(message, {"event_types": message})
    # Every type selected is the same as none: all events, including ones added later.
    chosen = [t for t in EVENT_TYPES if t in set(values)]
    return [] if len(chosen) == len(EVENT_TYPES) else chosen


def register(
    session: Session,
    organization: Organization,
    data: EndpointInput,
    resolver: Resolver,
    allow_loopback: bool,
    app_secret: str,
    actor_id: int | None,
    now: datetime,
) -> tuple[WebhookEndpoint, str]:
    """A new active endpoint and its signing secret (returned here only; stored encrypted).

    The URL must be HTTPS to a public address (see urls.check_url)."""
    url = check_url(data.url, resolver, allow_loopback)
    event_types = _clean_event_types(data.event_types)
    description = (data.description or "").strip()
    if len(description) > 255:
        message = str(_l("The description is too long (at most 255 characters)."))
        raise ValidationFailed(message, {"description": message})
    count = session.scalar(
        sa.select(sa.func.count())
        .select_from(WebhookEndpoint)
        .where(WebhookEndpoint.organization_id == organization.id, WebhookEndpoint.deleted_at.is_(None))
    )
    if (count or 0) >= MAX_ENDPOINTS_PER_ORG:
        raise Conflict(str(_l("An organization may have at most %(n)d endpoints.", n=MAX_ENDPOINTS_PER_ORG)))
    secret = generate_secret()
    endpoint = WebhookEndpoint(
        organization_id=organization.id,
        url=url,
        description=description,
        event_types=event_types,
        secret_encrypted=vault.encrypt(app_secret, secret),
        active=True,
        created_at=now,
        created_by_id=actor_id,
    )
    session.add(endpoint)
    session.flush()
    audit.record(
        session,
        actor_id,
        "webhook.registered",
        "webhook_endpoint",
        endpoint.id,
        {"organization_id": organization.id, "url": url, "event_types": event_types},
        now,
    )
    return endpoint, secret


def delete(session: Session, endpoint: WebhookEndpoint, actor_id: int | None, now: datetime) -> None:
    """Soft delete: nothing more is sent, the delivery history stays visible."""
    if endpoint.deleted_at is not None:
        return
    endpoint.deleted_at = now
    endpoint.active = False
    session.flush()
    audit.record(
        session, actor_id, "webhook.deleted", "webhook_endpoint", endpoint.id, {"url": endpoint.url}, now
    )


def disable(
    session: Session, endpoint: WebhookEndpoint, reason: str, actor_id: int | None, now: datetime
) -> None:
    """Pending messages wait; they go out if the endpoint is enabled again."""
    if endpoint.deleted_at is not None:
        raise Conflict(str(_l("This endpoint was deleted.")))
    if not endpoint.active:
        return
    endpoint.active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = (reason or str(_l("Disabled by a user.")))[:500]
    session.flush()
    audit.record(
        session,
        actor_id,
        "webhook.disabled",
        "webhook_endpoint",
        endpoint.id,
        {"reason": endpoint.disabled_reason},
        now,
    )


def enable(
    session: Session,
    endpoint: WebhookEndpoint,
    resolver: Resolver,
    allow_loopback: bool,
    actor_id: int | None,
    now: datetime,
) -> None:
    if endpoint.deleted_at is not None:
        raise Conflict(str(_l("This endpoint was deleted.")))
    if endpoint.active:
        return
    check_url(endpoint.url, resolver, allow_loopback)
    endpoint.active = True
    endpoint.disabled_at = None
    endpoint.disabled_reason = None
    session.flush()
    audit.record(session, actor_id, "webhook.enabled", "webhook_endpoint", endpoint.id, {}, now)


def redeliver(
    session: Session, endpoint: WebhookEndpoint, message_id: int, actor_id: int | None, now: datetime
) -> OutboxMessage:
    """Send a message again now, even one that failed or was delivered; its retry window restarts.
    Same webhook-id, so a receiver that already has it can ignore it."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.endpoint_id != endpoint.id:
        raise NotFound(str(_l("No such message.")))
    if endpoint.deleted_at is not None:
        raise Conflict(str(_l("This endpoint was deleted.")))
    message.status = MessageStatus.PENDING.value
    message.next_attempt_at = now
    message.retry_from = now
    if message.claimed_until is None or message.claimed_until <= now:
        # A live lease is left alone: a worker is sending it right now, and clearing the claim would
        # let a second worker send the same message at the same time.
        message.claimed_by = None
        message.claimed_until = None
    session.flush()
    audit.record(session, actor_id, "webhook.redeliver", "webhook_message", message.msg_id, {}, now)
    return message
