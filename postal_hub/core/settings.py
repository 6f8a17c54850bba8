"""Deployment-wide switches an administrator changes on screen, each change kept in the audit log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from postal_hub.core import audit
from postal_hub.core.clock import utcnow
from postal_hub.db import Base, UTCDateTime


class DeploymentSetting(Base):
    __tablename__ = "deployment_settings"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(255))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


def get_flag(session: Session, key: str, default: bool) -> bool:
    value = session.scalar(sa.select(DeploymentSetting.value).where(DeploymentSetting.key == key))
    return default if value is None else value == "on"


def get_setting(session: Session, key: str) -> DeploymentSetting | None:
    return session.get(DeploymentSetting, key)


def set_flag(session: Session, key: str, on: bool, actor_id: int | None, reason: str, now: datetime) -> None:
    """Callers check who may change the switch and that a reason is given; this writes and logs it."""
    setting = session.get(DeploymentSetting, key)
    if setting is None:
        setting = DeploymentSetting(key=key)
        session.add(setting)
    setting.value = "on" if on else "off"
    setting.reason = reason
    setting.updated_at = now
    setting.updated_by_id = actor_id
    session.flush()
    audit.record(
        session,
        actor_id,
        "setting.changed",
        "setting",
        key,
        {"value": setting.value, "reason": reason},
        at=now,
    )
