"""Deployment-wide switches an administrator changes on screen, each change kept in the audit log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
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
    """Callers check who may change the switch and that a reason is given; this writes and logs it.

    One upsert, so two administrators switching for the first time at once cannot both insert the key."""
    values = {
        "key": key,
        "value": "on" if on else "off",
        "reason": reason,
        "updated_at": now,
        "updated_by_id": actor_id,
    }
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(DeploymentSetting).values(**values)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["key"], set_={k: v for k, v in values.items() if k != "key"}
        )
    )
    setting = session.get(DeploymentSetting, key)
    if setting is not None:
        session.refresh(setting)
    audit.record(
        session,
        actor_id,
        "setting.changed",
        "setting",
        key,
        {"value": values["value"], "reason": reason},
        at=now,
    )
