"""Notifications to staff: an in-app inbox, behind a small protocol so other channels can be added."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from postal_hub.core.users.models import User
from postal_hub.db import Base, UTCDateTime


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    subject: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(255), default="")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Notifier(Protocol):
    def notify(
        self, session: Session, user: User, subject: str, body: str, link: str, at: datetime
    ) -> None: ...


class InboxNotifier:
    """The default: a row in the recipient's inbox, shown on their start page."""

    def notify(self, session: Session, user: User, subject: str, body: str, link: str, at: datetime) -> None:
        session.add(Notification(user_id=user.id, at=at, subject=subject[:255], body=body, link=link[:255]))
