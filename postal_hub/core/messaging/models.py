"""A message to a citizen, written in the transaction of the change it tells about (an outbox)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from postal_hub.db import Base, UTCDateTime, enum_check


class MessageStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class CitizenMessage(Base):
    __tablename__ = "citizen_messages"
    __table_args__ = (
        enum_check("status", MessageStatus),
        sa.Index("ix_citizen_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(sa.String(12), default="sms")
    recipient: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[str] = mapped_column(sa.String(40))
    subject_ref: Mapped[str] = mapped_column(sa.String(40), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str] = mapped_column(sa.String(500), default="")
    language: Mapped[str] = mapped_column(sa.String(5), default="vi")
    status: Mapped[str] = mapped_column(sa.String(8), default=MessageStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
