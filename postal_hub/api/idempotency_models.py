"""What an organization's write with an Idempotency-Key answered, so a repeat gets the same answer."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from postal_hub.db import Base, UTCDateTime


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"
    __table_args__ = (sa.UniqueConstraint("organization_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    key: Mapped[str] = mapped_column(sa.String(255))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    # None while the first request is still being handled: a concurrent repeat then gets a 409.
    status_code: Mapped[int | None] = mapped_column(sa.Integer)
    response_body: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def purge_older_than(session: Session, before: datetime) -> int:
    """Keys are remembered for a while (IDEMPOTENCY_KEEP_HOURS), not forever; clients retry within
    minutes, and the table must not grow with every write ever made."""
    result = session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
