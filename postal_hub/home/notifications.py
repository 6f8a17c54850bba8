"""The signed-in user's inbox: unread notifications on the start page, marked read on request."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.notifications import Notification


def unread(session: Session, user_id: int, limit: int = 10) -> tuple[list[Notification], int]:
    base = sa.select(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    total = session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    items = list(session.scalars(base.order_by(Notification.at.desc()).limit(limit)))
    return items, int(total)


def mark_all_read(session: Session, user_id: int, now: datetime) -> None:
    session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now)
    )
