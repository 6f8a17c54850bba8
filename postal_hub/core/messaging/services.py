"""Queue a message with the change it reports; the worker sends what is due, retrying with backoff."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.messaging.backends import MessageBackend, SendFailed
from postal_hub.core.messaging.models import CitizenMessage, MessageStatus

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
LINK = "{link}"
# Turns a message's symbolic link ("pickup-manage:HP...") into the URL at send time, so a link that
# carries a secret (a manage token) is never stored; None leaves the stored link as it is.
LinkResolver = Callable[[str], str | None]


def queue(
    session: Session,
    recipient: str,
    kind: str,
    subject_ref: str,
    body: str,
    at: datetime,
    link: str = "",
    language: str = "vi",
    channel: str = "sms",
) -> CitizenMessage:
    """Written in the caller's transaction: the citizen hears of a booking if and only if it commits.
    A `{link}` in the body is replaced by the link when the message is sent."""
    message = CitizenMessage(
        created_at=at,
        channel=channel,
        recipient=recipient,
        kind=kind,
        subject_ref=subject_ref,
        body=body,
        link=link[:500],
        language=language,
        status=MessageStatus.PENDING.value,
        attempts=0,
        next_attempt_at=at,
    )
    session.add(message)
    session.flush()
    return message


def _claim(session: Session, message_id: int, now: datetime) -> bool:
    """A lease, so two workers never send the same message at once."""
    result = session.execute(
        sa.update(CitizenMessage)
        .where(
            CitizenMessage.id == message_id,
            CitizenMessage.status == MessageStatus.PENDING,
            sa.or_(CitizenMessage.claimed_until.is_(None), CitizenMessage.claimed_until < now),
        )
        .values(claimed_until=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def rendered(message: CitizenMessage, links: LinkResolver | None) -> tuple[str, str]:
    """The text and link as the citizen gets them."""
    link = (links(message.link) if links and message.link else None) or message.link
    return message.body.replace(LINK, link), link


def send_due(
    session: Session,
    backend: MessageBackend,
    now: datetime,
    batch: int = 50,
    links: LinkResolver | None = None,
) -> int:
    """Send pending messages whose time has come; returns how many were sent."""
    due = session.scalars(
        sa.select(CitizenMessage.id)
        .where(CitizenMessage.status == MessageStatus.PENDING, CitizenMessage.next_attempt_at <= now)
        .order_by(CitizenMessage.id)
        .limit(batch)
    ).all()
    sent = 0
    for message_id in due:
        if not _claim(session, message_id, now):
            continue
        message = session.get(CitizenMessage, message_id)
        assert message is not None
        session.refresh(message)
        message.attempts += 1
        body, link = rendered(message, links)
        try:
            backend.send(message, body, link)
        except Exception as exc:  # a gateway's surprise must not undo the messages already sent
            message.last_error = (str(exc) if isinstance(exc, SendFailed) else type(exc).__name__)[:500]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = MessageStatus.FAILED.value
            else:
                message.next_attempt_at = now + timedelta(minutes=2**message.attempts)
            message.claimed_until = None
            continue
        message.status = MessageStatus.SENT.value
        message.sent_at = now
        message.claimed_until = None
        sent += 1
    session.flush()
    return sent
