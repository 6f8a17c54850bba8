"""Webhook endpoints, the outbox of signed messages, and every delivery attempt."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from postal_hub.core.clock import utcnow
from postal_hub.core.orgs.models import Organization
from postal_hub.db import Base, UTCDateTime, enum_check
from postal_hub.webhooks.status import EVENT_TYPES, MessageStatus

__all__ = ["EVENT_TYPES", "OutboxMessage", "WebhookAttempt", "WebhookEndpoint"]


class WebhookEndpoint(Base):
    """A receiver an organization registered; the signing secret is stored encrypted (Fernet)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    description: Mapped[str] = mapped_column(sa.String(255), default="")
    # An empty list subscribes to every event type.
    event_types: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    secret_encrypted: Mapped[str] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(default=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()

    def subscribes_to(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class OutboxMessage(Base):
    """One event for one endpoint; the body is serialised at enqueue and never changes."""

    __tablename__ = "webhook_messages"
    __table_args__ = (
        enum_check("status", MessageStatus),
        # The claim query: pending messages due now; and the FIFO check per endpoint and ordering key.
        sa.Index("ix_webhook_messages_due", "status", "next_attempt_at"),
        sa.Index("ix_webhook_messages_fifo", "endpoint_id", "ordering_key", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    msg_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    endpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_endpoints.id"))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    event_type: Mapped[str] = mapped_column(sa.String(40))
    ordering_key: Mapped[str | None] = mapped_column(sa.String(80))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(12), default=MessageStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Retries stop WEBHOOK_RETRY_HOURS after this (created_at, or when someone pressed "send again").
    retry_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(80))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(sa.Integer)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))

    endpoint: Mapped[WebhookEndpoint] = relationship()
    attempt_log: Mapped[list[WebhookAttempt]] = relationship(
        order_by="WebhookAttempt.id", back_populates="message"
    )

    def payload(self) -> dict[str, Any]:
        import json

        found: dict[str, Any] = json.loads(self.body)
        return found


class WebhookAttempt(Base):
    """One try at delivering a message: when, the answer's status code, how long, what went wrong."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_messages.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None] = mapped_column(sa.Integer)
    latency_ms: Mapped[int] = mapped_column(sa.Integer, default=0)
    error: Mapped[str | None] = mapped_column(sa.String(500))
    worker: Mapped[str] = mapped_column(sa.String(80), default="")

    message: Mapped[OutboxMessage] = relationship(back_populates="attempt_log")
