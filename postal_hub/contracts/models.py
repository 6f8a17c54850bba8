"""Contracts, their versions (the original and each amendment), assessments and documents."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from postal_hub.contracts.status import ContractStatus, ProcurementMethod, TaskType
from postal_hub.core.clock import utcnow
from postal_hub.core.orgs.models import Organization
from postal_hub.core.places.models import Province
from postal_hub.core.procedures.models import Procedure
from postal_hub.db import Base, UTCDateTime, enum_check

version_procedures = sa.Table(
    "contract_version_procedures",
    Base.metadata,
    sa.Column("version_id", sa.ForeignKey("contract_versions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("procedure_id", sa.ForeignKey("procedures.id"), primary_key=True),
)

version_provinces = sa.Table(
    "contract_version_provinces",
    Base.metadata,
    sa.Column("version_id", sa.ForeignKey("contract_versions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("province_code", sa.ForeignKey("provinces.code"), primary_key=True),
)


class Contract(Base):
    """A service contract between a one-stop unit (or its agency) and a postal operator."""

    __tablename__ = "contracts"
    __table_args__ = (
        enum_check("status", ContractStatus),
        enum_check("procurement_method", ProcurementMethod),
        sa.CheckConstraint("valid_to >= valid_from", name="valid_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    operator_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    procurement_method: Mapped[str] = mapped_column(sa.String(30))
    award_decision: Mapped[str] = mapped_column(sa.String(120))
    signed_on: Mapped[date] = mapped_column(sa.Date)
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_to: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(12), default=ContractStatus.DRAFT.value, index=True)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    unit: Mapped[Organization] = relationship(foreign_keys=[unit_id])
    operator: Mapped[Organization] = relationship(foreign_keys=[operator_id])
    versions: Mapped[list[ContractVersion]] = relationship(
        back_populates="contract", order_by="ContractVersion.number", cascade="all, delete-orphan"
    )
    assessments: Mapped[list[CapacityAssessment]] = relationship(
        back_populates="contract", order_by="CapacityAssessment.id"
    )
    status_changes: Mapped[list[ContractStatusChange]] = relationship(order_by="ContractStatusChange.id")
    documents: Mapped[list[ContractDocument]] = relationship(order_by="ContractDocument.id")


class ContractVersion(Base):
    """The terms in force from `effective_from`: version 0 is the signed contract, later ones amendments."""

    __tablename__ = "contract_versions"
    __table_args__ = (
        sa.UniqueConstraint("contract_id", "number"),
        sa.CheckConstraint("page_price >= 0", name="page_price_not_negative"),
        sa.CheckConstraint("penalty_per_breach >= 0", name="penalty_not_negative"),
        sa.CheckConstraint("delivery_attempts BETWEEN 1 AND 10", name="delivery_attempts_range"),
        sa.CheckConstraint("collection_hold_days BETWEEN 1 AND 90", name="collection_hold_days_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(sa.Integer)
    amendment_number: Mapped[str | None] = mapped_column(sa.String(40))
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime)
    working_hours: Mapped[bool] = mapped_column(default=True)
    all_procedures: Mapped[bool] = mapped_column(default=True)
    nationwide: Mapped[bool] = mapped_column(default=False)
    page_price: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    penalty_per_breach: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Home-pickup surcharges by distance (contracts/bands.py); empty: one price at any distance.
    pickup_bands: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    # Result delivery: door attempts before the result goes back to the unit, and the days a result
    # waits at a post office for the citizen to collect it.
    delivery_attempts: Mapped[int] = mapped_column(sa.Integer, default=3, server_default="3")
    collection_hold_days: Mapped[int] = mapped_column(sa.Integer, default=15, server_default="15")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    contract: Mapped[Contract] = relationship(back_populates="versions")
    terms: Mapped[list[ContractTerm]] = relationship(
        back_populates="version", order_by="ContractTerm.id", cascade="all, delete-orphan"
    )
    procedures: Mapped[list[Procedure]] = relationship(
        secondary=version_procedures, order_by="Procedure.code"
    )
    provinces: Mapped[list[Province]] = relationship(secondary=version_provinces, order_by="Province.name")

    def term(self, task_type: str) -> ContractTerm | None:
        return next((t for t in self.terms if t.task_type == task_type), None)


class ContractTerm(Base):
    """One task type in scope: its SLA and its unit price in this version."""

    __tablename__ = "contract_terms"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "task_type"),
        enum_check("task_type", TaskType),
        sa.CheckConstraint("sla_hours > 0", name="sla_positive"),
        sa.CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contract_versions.id", ondelete="CASCADE"), index=True
    )
    task_type: Mapped[str] = mapped_column(sa.String(30))
    sla_hours: Mapped[int] = mapped_column(sa.Integer)
    unit_price: Mapped[int] = mapped_column(sa.BigInteger)

    version: Mapped[ContractVersion] = relationship(back_populates="terms")


class CapacityAssessment(Base):
    """The assessment of both sides' capacity that must precede activation (seeds: 'đánh giá năng lực')."""

    __tablename__ = "capacity_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    assessed_on: Mapped[date] = mapped_column(sa.Date)
    unit_facilities: Mapped[str] = mapped_column(sa.Text)
    unit_staff: Mapped[int] = mapped_column(sa.Integer)
    operator_offices: Mapped[int] = mapped_column(sa.Integer)
    operator_staff: Mapped[int] = mapped_column(sa.Integer)
    trained_staff: Mapped[int] = mapped_column(sa.Integer)
    conclusion: Mapped[str] = mapped_column(sa.Text)
    signed_by: Mapped[str] = mapped_column(sa.String(255))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contract: Mapped[Contract] = relationship(back_populates="assessments")


class ContractStatusChange(Base):
    """Who moved the contract from one status to another, when and why."""

    __tablename__ = "contract_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(sa.String(12))
    to_status: Mapped[str] = mapped_column(sa.String(12))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")


class ContractDocument(Base):
    """A file attached to a contract (signed scan, award decision); the bytes live in the file store."""

    __tablename__ = "contract_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.Integer)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
