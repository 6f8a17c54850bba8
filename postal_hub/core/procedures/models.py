"""Procedures (TTHC) with their ordered dossier components."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from postal_hub.core.clock import utcnow
from postal_hub.core.orgs.models import Organization
from postal_hub.db import Base, UTCDateTime


class ProcedureGroup(Base):
    """A group of procedures (civil status, land, ...): what a staff certificate covers."""

    __tablename__ = "procedure_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Procedure(Base):
    __tablename__ = "procedures"
    __table_args__ = (
        sa.CheckConstraint("fee >= 0", name="fee_not_negative"),
        sa.CheckConstraint("charge >= 0", name="charge_not_negative"),
        sa.CheckConstraint("processing_days >= 1", name="processing_days_positive"),
        sa.CheckConstraint("competent_level IN ('ministry', 'province', 'commune')", name="level_allowed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name: Mapped[str] = mapped_column(sa.String(500))
    search_key: Mapped[str] = mapped_column(sa.String(500), index=True)
    field: Mapped[str] = mapped_column(sa.String(120), default="")
    competent_level: Mapped[str] = mapped_column(sa.String(10))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("procedure_groups.id"), index=True)
    fee: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    charge: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    processing_days: Mapped[int] = mapped_column(sa.Integer)
    postal_allowed: Mapped[bool] = mapped_column(default=True)
    onsite_inspection: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Organization | None] = relationship()
    group: Mapped[ProcedureGroup | None] = relationship()
    components: Mapped[list[ProcedureComponent]] = relationship(
        back_populates="procedure", order_by="ProcedureComponent.position", cascade="all, delete-orphan"
    )

    @property
    def boundary_independent(self) -> bool:
        """A procedure that needs on-site inspection cannot be handled regardless of boundaries."""
        return not self.onsite_inspection


class ProcedureComponent(Base):
    """One item of a procedure's dossier (thành phần hồ sơ): original or copy, how many."""

    __tablename__ = "procedure_components"
    __table_args__ = (
        sa.UniqueConstraint("procedure_id", "code"),
        sa.CheckConstraint("count >= 1", name="count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedures.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    code: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(500))
    original: Mapped[bool] = mapped_column(default=False)
    count: Mapped[int] = mapped_column(sa.Integer, default=1)

    procedure: Mapped[Procedure] = relationship(back_populates="components")
