"""The delivery loop: claim due messages under a lease, send outside any transaction, record the outcome.

At least once: a worker that dies mid-delivery leaves a lease that expires, and another worker sends the
message again with the same webhook-id, so receivers de-duplicate.
"""

from __future__ import annotations

import os
import random
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from postal_hub.core import audit
from postal_hub.core.clock import Clock
from postal_hub.webhooks import vault
from postal_hub.webhooks.models import OutboxMessage, WebhookAttempt, WebhookEndpoint
from postal_hub.webhooks.sender import Sender, SendResult
from postal_hub.webhooks.signing import signed_headers
from postal_hub.webhooks.status import MessageStatus
from postal_hub.webhooks.urls import Resolver, UnsafeUrl, check_addresses

BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
GONE_REASON = "The receiver answered 410 Gone."


class Jitter(Protocol):
    def uniform(self, a: float, b: float) -> float: ...


@dataclass(frozen=True)
class DeliverySettings:
    app_secret: str
    retry_hours: int = 48
    lease_seconds: int = 120
    batch_size: int = 50
    allow_loopback: bool = False
    # A send may start only while this much of the lease is left, so it ends before the lease does and
    # no other worker can take the message mid-send (three times the HTTP timeout by default).
    send_seconds: float = 30.0

    @classmethod
    def from_config(cls, config: Any) -> DeliverySettings:
        return cls(
            app_secret=config["SECRET_KEY"],
            retry_hours=int(config["WEBHOOK_RETRY_HOURS"]),
            lease_seconds=int(config["WEBHOOK_LEASE_SECONDS"]),
            batch_size=int(config["WEBHOOK_BATCH_SIZE"]),
            allow_loopback=bool(config["WEBHOOK_ALLOW_LOOPBACK"]),
            send_seconds=3 * float(config["WEBHOOK_TIMEOUT_SECONDS"]),
        )


@dataclass
class PassReport:
    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    disabled: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class _Claimed:
    id: int
    msg_id: str
    body: str
    url: str
    secret_encrypted: str
    claimed_until: datetime = field(compare=False)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:80]


def backoff_seconds(attempts: int, jitter: Jitter) -> float:
    """Exponential backoff with full jitter: uniform(0, min(cap, base * 2^(attempts-1))), at least 1 s."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return max(1.0, jitter.uniform(0, ceiling))


def _eligible(now: datetime) -> sa.Select[Any]:
    earlier = aliased(OutboxMessage)
    blocking = (
        sa.select(earlier.id)
        .where(
            earlier.endpoint_id == OutboxMessage.endpoint_id,
            earlier.ordering_key == OutboxMessage.ordering_key,
            earlier.status == MessageStatus.PENDING.value,
            earlier.id < OutboxMessage.id,
        )
        .exists()
    )
    return (
        sa.select(OutboxMessage.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == OutboxMessage.endpoint_id)
        .where(
            OutboxMessage.status == MessageStatus.PENDING.value,
            OutboxMessage.next_attempt_at <= now,
            WebhookEndpoint.active.is_(True),
            WebhookEndpoint.deleted_at.is_(None),
            sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            ~blocking,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    )


def _lease_free(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)


def claim(session: Session, now: datetime, worker_id: str, settings: DeliverySettings) -> list[_Claimed]:
    """Take a lease on up to batch_size due messages and commit. PostgreSQL locks the candidate rows
    with SKIP LOCKED so workers never wait on each other; SQLite serialises writers, and the
    conditional UPDATE's row count tells whether this worker won each row."""
    until = now + timedelta(seconds=settings.lease_seconds)
    stmt = _eligible(now).limit(settings.batch_size)
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        stmt = stmt.with_for_update(skip_locked=True, of=OutboxMessage)
    candidates: list[int] = list(session.scalars(stmt))
    won: list[int] = []
    for message_id in candidates:
        result = session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id, _lease_free(now))
            .values(claimed_by=worker_id, claimed_until=until)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            won.append(message_id)
    rows = (
        session.execute(
            sa.select(
                OutboxMessage.id,
                OutboxMessage.msg_id,
                OutboxMessage.body,
                WebhookEndpoint.url,
                WebhookEndpoint.secret_encrypted,
            )
            .join(WebhookEndpoint, WebhookEndpoint.id == OutboxMessage.endpoint_id)
            .where(OutboxMessage.id.in_(won))
            .order_by(OutboxMessage.id)
        ).all()
        if won
        else []
    )
    session.commit()
    return [_Claimed(r[0], r[1], r[2], r[3], r[4], until) for r in rows]


def _send(
    item: _Claimed, sender: Sender, resolver: Resolver, now: datetime, settings: DeliverySettings
) -> SendResult:
    parts = urlsplit(item.url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        # Checked again now: the name may have been re-pointed since registration (DNS rebinding).
        check_addresses(resolver.resolve(host, port), settings.allow_loopback)
    except UnsafeUrl as exc:
        return SendResult(None, 0, f"refused: {exc.message}"[:500])
    secret = vault.decrypt(settings.app_secret, item.secret_encrypted)
    body = item.body.encode("utf-8")
    headers = signed_headers(secret, item.msg_id, int(now.timestamp()), body)
    return sender.send(item.url, headers, body)


def record(
    session: Session,
    message_id: int,
    result: SendResult,
    now: datetime,
    worker_id: str,
    settings: DeliverySettings,
    jitter: Jitter,
) -> str:
    """Write the attempt, and the outcome if this worker still holds the lease; returns the outcome."""
    query = sa.select(OutboxMessage).where(OutboxMessage.id == message_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    message = session.scalars(query).one()
    session.add(
        WebhookAttempt(
            message_id=message.id,
            at=now,
            status_code=result.status_code,
            latency_ms=result.latency_ms,
            error=result.error,
            worker=worker_id,
        )
    )
    if message.claimed_by != worker_id or message.status != MessageStatus.PENDING.value:
        session.commit()
        return "skipped"
    message.attempts += 1
    message.last_status_code = result.status_code
    message.last_error = result.error
    message.claimed_by = None
    message.claimed_until = None
    outcome: str
    back_after_failing = False
    if result.ok:
        message.status = MessageStatus.DELIVERED.value
        message.delivered_at = now
        outcome = "delivered"
        back_after_failing = message.attempts > 1
    elif result.status_code == 410:
        endpoint = message.endpoint
        if endpoint.active:
            endpoint.active = False
            endpoint.disabled_at = now
            endpoint.disabled_reason = GONE_REASON
            audit.record(
                session, None, "webhook.disabled", "webhook_endpoint", endpoint.id, {"reason": "410"}, now
            )
        outcome = "disabled"
    else:
        deadline = (message.retry_from or message.created_at) + timedelta(hours=settings.retry_hours)
        if now >= deadline:
            message.status = MessageStatus.FAILED.value
            outcome = "failed"
        else:
            delay = timedelta(seconds=backoff_seconds(message.attempts, jitter))
            message.next_attempt_at = min(now + delay, deadline)
            outcome = "retrying"
    session.commit()
    if back_after_failing:
        hurry_backlog(session, message.endpoint_id, now)
    return outcome


def hurry_backlog(session: Session, endpoint_id: int, now: datetime) -> int:
    """The endpoint answers again after failing: its other messages waiting out their backoff are due
    now, not up to an hour later (the backoff of a long outage). Only a message that failed before is
    pulled forward, and only on a retry's success, so one message the receiver keeps refusing is not
    retried on every delivery of the others. Its own short transaction, after the outcome's commit;
    PostgreSQL skips rows another worker holds rather than wait on them."""
    waiting = sa.select(OutboxMessage.id).where(
        OutboxMessage.endpoint_id == endpoint_id,
        OutboxMessage.status == MessageStatus.PENDING.value,
        OutboxMessage.attempts > 0,
        OutboxMessage.next_attempt_at > now,
    )
    if session.get_bind().dialect.name == "postgresql":
        waiting = waiting.order_by(OutboxMessage.id).with_for_update(skip_locked=True)
    result = session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(waiting))
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def release(session: Session, message_id: int, worker_id: str) -> None:
    """Give back a claim this worker still holds, without an attempt."""
    session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == worker_id)
        .values(claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def deliver_due(
    session_factory: Callable[[], Session],
    sender: Sender,
    resolver: Resolver,
    clock: Clock,
    settings: DeliverySettings,
    worker_id: str | None = None,
    jitter: Jitter | None = None,
) -> PassReport:
    """One pass: claim a batch (short transaction), send each (no transaction open), record each
    outcome (one short transaction per message)."""
    worker_id = worker_id or default_worker_id()
    jitter = jitter or random.SystemRandom()
    report = PassReport()
    with session_factory() as session:
        batch = claim(session, clock.now(), worker_id, settings)
    report.claimed = len(batch)
    for item in batch:
        if (item.claimed_until - clock.now()).total_seconds() < settings.send_seconds:
            # Too little lease left for a whole send (earlier sends were slow): hand it back for the next
            # pass instead of racing a worker that may take it when the lease ends.
            with session_factory() as session:
                release(session, item.id, worker_id)
            report.skipped += 1
            continue
        result = _send(item, sender, resolver, clock.now(), settings)
        with session_factory() as session:
            outcome = record(session, item.id, result, clock.now(), worker_id, settings, jitter)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def deliver_until_idle(
    session_factory: Callable[[], Session],
    sender: Sender,
    resolver: Resolver,
    clock: Clock,
    settings: DeliverySettings,
    worker_id: str | None = None,
    jitter: Jitter | None = None,
    max_passes: int = 100,
) -> PassReport:
    """Passes until one claims nothing (a message released by its predecessor goes out at once)."""
    total = PassReport()
    for _ in range(max_passes):
        report = deliver_due(session_factory, sender, resolver, clock, settings, worker_id, jitter)
        for name, value in report.as_dict().items():
            setattr(total, name, getattr(total, name) + value)
        if report.claimed == 0:
            break
    return total
