"""Manifests (bảng kê giao nhận), their lines, and envelopes that arrived without being listed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.users.models import User
from postal_hub.db import Base, UTCDateTime, enum_check
from postal_hub.handoff.status import Direction, LineStatus, ManifestStatus, RejectReason
from postal_hub.intake.models import Dossier


class Manifest(Base):
    __tablename__ = "manifests"
    __table_args__ = (
        enum_check("status", ManifestStatus),
        enum_check("direction", Direction),
        sa.Index("ix_manifests_unit_status", "unit_id", "status"),
        sa.Index("ix_manifests_office_status", "office_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    direction: Mapped[str] = mapped_column(sa.String(10))
    status: Mapped[str] = mapped_column(sa.String(12))
    operator_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("post_offices.id"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str] = mapped_column(sa.String(160), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    office: Mapped[PostOffice] = relationship()
    unit: Mapped[Organization] = relationship(foreign_keys=[unit_id])
    operator: Mapped[Organization] = relationship(foreign_keys=[operator_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    dispatched_by: Mapped[User | None] = relationship(foreign_keys=[dispatched_by_id])
    lines: Mapped[list[ManifestLine]] = relationship(
        back_populates="manifest", order_by="ManifestLine.position", cascade="all, delete-orphan"
    )
    extras: Mapped[list[ManifestExtra]] = relationship(
        order_by="ManifestExtra.id", cascade="all, delete-orphan"
    )


class ManifestLine(Base):
    __tablename__ = "manifest_lines"
    __table_args__ = (
        sa.UniqueConstraint("manifest_id", "dossier_id"),
        sa.UniqueConstraint("manifest_id", "position"),
        enum_check("status", LineStatus),
        sa.CheckConstraint(
            f"reason IS NULL OR reason IN ({', '.join(repr(r.value) for r in RejectReason)})",
            name="reason_allowed",
        ),
        sa.CheckConstraint("component_count >= 0", name="component_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manifest_id: Mapped[int] = mapped_column(sa.ForeignKey("manifests.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id"), index=True)
    dossier_code: Mapped[str] = mapped_column(sa.String(40))
    item_number: Mapped[str] = mapped_column(sa.String(13))
    component_count: Mapped[int] = mapped_column(sa.Integer)
    seal_number: Mapped[str] = mapped_column(sa.String(30))
    status: Mapped[str] = mapped_column(sa.String(10))
    reason: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[str] = mapped_column(sa.String(160), default="")

    manifest: Mapped[Manifest] = relationship(back_populates="lines")
    dossier: Mapped[Dossier] = relationship()


class ManifestExtra(Base):
    """An envelope that arrived with the manifest but is not on it: a discrepancy both sides see."""

    __tablename__ = "manifest_extras"

    id: Mapped[int] = mapped_column(primary_key=True)
    manifest_id: Mapped[int] = mapped_column(sa.ForeignKey("manifests.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(sa.String(60))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(sa.String(160))
