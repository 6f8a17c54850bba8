"""Dossiers, their components and scanned files, and the append-only tracking timeline."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from postal_hub.core.clock import utcnow
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.procedures.models import Procedure
from postal_hub.db import Base, UTCDateTime, enum_check
from postal_hub.intake.status import Channel, DossierStatus, PaymentMethod, ResultDelivery


class Dossier(Base):
    __tablename__ = "dossiers"
    __table_args__ = (
        enum_check("status", DossierStatus),
        enum_check("channel", Channel),
        enum_check("result_delivery", ResultDelivery),
        enum_check("payment_method", PaymentMethod),
        sa.CheckConstraint("fee >= 0 AND charge >= 0 AND postal_price >= 0", name="money_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    item_number: Mapped[str] = mapped_column(sa.String(13), unique=True)
    submission_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    status: Mapped[str] = mapped_column(sa.String(20), index=True)
    channel: Mapped[str] = mapped_column(sa.String(10))
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedures.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    operator_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("post_offices.id"), index=True)
    applicant_name: Mapped[str] = mapped_column(sa.String(255))
    applicant_citizen_id: Mapped[str] = mapped_column(sa.String(12), index=True)
    applicant_phone: Mapped[str] = mapped_column(sa.String(16), index=True)
    applicant_province_code: Mapped[str] = mapped_column(sa.ForeignKey("provinces.code"))
    applicant_commune_code: Mapped[str] = mapped_column(sa.ForeignKey("communes.code"))
    applicant_street: Mapped[str] = mapped_column(sa.String(255))
    subject_commune_code: Mapped[str | None] = mapped_column(sa.ForeignKey("communes.code"))
    search_key: Mapped[str] = mapped_column(sa.String(255), index=True)
    result_delivery: Mapped[str] = mapped_column(sa.String(12))
    payment_method: Mapped[str] = mapped_column(sa.String(10))
    fee: Mapped[int] = mapped_column(sa.BigInteger)
    charge: Mapped[int] = mapped_column(sa.BigInteger)
    postal_price: Mapped[int] = mapped_column(sa.BigInteger)
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    appointment_at: Mapped[datetime] = mapped_column(UTCDateTime)
    digitized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # At the counter: when the citizen took a queue ticket (typed by the clerk from the ticket, optional),
    # and when the clerk opened the acceptance screen for them. Waiting = started - queued; handling =
    # accepted - started.
    counter_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counter_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)

    procedure: Mapped[Procedure] = relationship()
    unit: Mapped[Organization] = relationship(foreign_keys=[unit_id])
    operator: Mapped[Organization] = relationship(foreign_keys=[operator_id])
    office: Mapped[PostOffice] = relationship()
    components: Mapped[list[DossierComponent]] = relationship(
        back_populates="dossier", order_by="DossierComponent.position", cascade="all, delete-orphan"
    )
    files: Mapped[list[DossierFile]] = relationship(order_by="DossierFile.id", cascade="all, delete-orphan")
    events: Mapped[list[DossierEvent]] = relationship(order_by="DossierEvent.id")

    @property
    def total_due(self) -> int:
        return self.fee + self.charge + self.postal_price


class DossierComponent(Base):
    """One item of the procedure's checklist as received: present, or reused from an earlier dossier."""

    __tablename__ = "dossier_components"
    __table_args__ = (sa.UniqueConstraint("dossier_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    code: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(500))
    kind_key: Mapped[str] = mapped_column(sa.String(500), index=True)
    original: Mapped[bool] = mapped_column()
    count: Mapped[int] = mapped_column(sa.Integer)
    reused_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dossier_files.id"))
    reuse_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dossier: Mapped[Dossier] = relationship(back_populates="components")


class DossierFile(Base):
    """A scan of one component, stored content-addressed; bytes in the file store."""

    __tablename__ = "dossier_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    component_code: Mapped[str] = mapped_column(sa.String(16))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int] = mapped_column(sa.Integer)
    pages: Mapped[int] = mapped_column(sa.Integer)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class DossierEvent(Base):
    """One step on the dossier's timeline; written with the change it describes, never edited."""

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(30))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(sa.String(255))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
