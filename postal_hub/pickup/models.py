"""Pickup schedules (an office's weekly windows), seat counters per window, bookings and their timeline."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from postal_hub.core.clock import utcnow
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.places.models import Commune, Province
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.users.models import User
from postal_hub.db import Base, UTCDateTime, enum_check
from postal_hub.pickup.status import BookingSource, PickupStatus

if TYPE_CHECKING:
    from postal_hub.intake.models import Dossier


class PickupSchedule(Base):
    """When an office sends postmen out to pick up: windows in opening-hours syntax, seats per window."""

    __tablename__ = "pickup_schedules"
    __table_args__ = (
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("service_minutes BETWEEN 1 AND 120", name="service_minutes_range"),
    )

    office_id: Mapped[int] = mapped_column(sa.ForeignKey("post_offices.id"), primary_key=True)
    windows: Mapped[str] = mapped_column(sa.String(255))
    capacity: Mapped[int] = mapped_column(sa.Integer)
    service_minutes: Mapped[int] = mapped_column(sa.Integer, default=10)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    office: Mapped[PostOffice] = relationship()


class PickupSlot(Base):
    """The seat counter of one window on one day. Seats are taken by a conditional UPDATE and the
    CHECK constraint holds `booked` to `capacity`, so no interleaving of requests can overbook."""

    __tablename__ = "pickup_slots"
    __table_args__ = (
        sa.UniqueConstraint("office_id", "start_at"),
        sa.CheckConstraint("booked >= 0", name="booked_not_negative"),
        sa.CheckConstraint("booked <= capacity", name="not_overbooked"),
        sa.CheckConstraint("end_at > start_at", name="window_forwards"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("post_offices.id"), index=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(sa.Integer)
    booked: Mapped[int] = mapped_column(sa.Integer, default=0)


class Pickup(Base):
    __tablename__ = "pickups"
    __table_args__ = (
        enum_check("status", PickupStatus),
        enum_check("source", BookingSource),
        sa.CheckConstraint("fee >= 0", name="fee_not_negative"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.Index("ix_pickups_office_slot", "office_id", "slot_start"),
        sa.Index("ix_pickups_phone_status", "applicant_phone", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(16), unique=True)
    # The manage token is an HMAC of the reference and this salt under the app's secret: never stored.
    manage_salt: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(12), default=PickupStatus.BOOKED.value, index=True)
    source: Mapped[str] = mapped_column(sa.String(8), default=BookingSource.WEB.value)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedures.id"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    operator_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("post_offices.id"))
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contracts.id"))
    slot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pickup_slots.id"), index=True)
    slot_start: Mapped[datetime] = mapped_column(UTCDateTime)
    slot_end: Mapped[datetime] = mapped_column(UTCDateTime)
    applicant_name: Mapped[str] = mapped_column(sa.String(255))
    applicant_phone: Mapped[str] = mapped_column(sa.String(20))
    applicant_citizen_id: Mapped[str] = mapped_column(sa.String(12))
    province_code: Mapped[str] = mapped_column(sa.ForeignKey("provinces.code"))
    commune_code: Mapped[str] = mapped_column(sa.ForeignKey("communes.code"))
    street: Mapped[str] = mapped_column(sa.String(255))
    lat: Mapped[float] = mapped_column(sa.Float)
    lon: Mapped[float] = mapped_column(sa.Float)
    point_source: Mapped[str] = mapped_column(sa.String(80))
    point_precision: Mapped[str] = mapped_column(sa.String(12))
    distance_km: Mapped[float] = mapped_column(sa.Float)
    result_delivery: Mapped[str] = mapped_column(sa.String(12))
    fee: Mapped[int] = mapped_column(sa.BigInteger)
    consent_version: Mapped[str] = mapped_column(sa.String(40))
    language: Mapped[str] = mapped_column(sa.String(5), default="vi")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    request_hash: Mapped[str | None] = mapped_column(sa.String(64))
    postman_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    route_position: Mapped[int | None] = mapped_column(sa.Integer)
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    failure_reason: Mapped[str | None] = mapped_column(sa.String(20))
    failure_note: Mapped[str] = mapped_column(sa.String(500), default="")
    dossier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dossiers.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    procedure: Mapped[Procedure] = relationship()
    unit: Mapped[Organization] = relationship(foreign_keys=[unit_id])
    office: Mapped[PostOffice] = relationship()
    province: Mapped[Province] = relationship()
    commune: Mapped[Commune] = relationship()
    postman: Mapped[User | None] = relationship()
    dossier: Mapped[Dossier | None] = relationship("Dossier")
    events: Mapped[list[PickupEvent]] = relationship(
        back_populates="pickup", order_by="PickupEvent.id", cascade="all, delete-orphan"
    )


class PickupEvent(Base):
    """The booking's timeline: booked, moved, assigned, picked up, failed (with the reason), cancelled."""

    __tablename__ = "pickup_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    pickup_id: Mapped[int] = mapped_column(sa.ForeignKey("pickups.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(sa.String(500), default="")

    pickup: Mapped[Pickup] = relationship(back_populates="events")
