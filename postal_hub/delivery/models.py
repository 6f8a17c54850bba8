"""A result's delivery (one per dossier), its attempts with their proof, its timeline, and ratings."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from postal_hub.core.clock import utcnow
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.places.models import Commune
from postal_hub.core.users.models import User
from postal_hub.db import Base, UTCDateTime, enum_check
from postal_hub.delivery.status import (
    DeliveryMethod,
    DeliveryStatus,
    FailureReason,
    IdMethod,
    Outcome,
    RatingLevel,
    RatingSubject,
    Recipient,
)
from postal_hub.intake.models import Dossier
from postal_hub.intake.status import PaymentMethod


def _one_of(column: str, values: type[StrEnum]) -> sa.CheckConstraint:
    """Like enum_check, for a column that may be empty (NULL)."""
    allowed = ", ".join(repr(v.value) for v in values)
    return sa.CheckConstraint(f"{column} IS NULL OR {column} IN ({allowed})", name=f"{column}_allowed")


class Delivery(Base):
    """How the post returns one dossier's result: to the door or for collection at an office."""

    __tablename__ = "deliveries"
    __table_args__ = (
        enum_check("status", DeliveryStatus),
        enum_check("method", DeliveryMethod),
        sa.CheckConstraint("amount_due >= 0", name="amount_due_not_negative"),
        sa.CheckConstraint("attempts >= 0 AND max_attempts >= 1", name="attempts_counted"),
        sa.CheckConstraint("id_failures >= 0", name="id_failures_not_negative"),
        sa.Index("ix_deliveries_office_status", "office_id", "status"),
        sa.Index("ix_deliveries_postman_day", "postman_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id"), unique=True)
    status: Mapped[str] = mapped_column(sa.String(12), index=True)
    method: Mapped[str] = mapped_column(sa.String(12))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    operator_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("post_offices.id"))
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contracts.id"))
    summary: Mapped[str] = mapped_column(sa.String(500))
    # The door: the applicant's address, placed on the map when the result is ready.
    province_code: Mapped[str] = mapped_column(sa.ForeignKey("provinces.code"))
    commune_code: Mapped[str] = mapped_column(sa.ForeignKey("communes.code"))
    street: Mapped[str] = mapped_column(sa.String(255))
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    point_source: Mapped[str] = mapped_column(sa.String(80), default="")
    # A person the applicant authorised in writing to receive the result for them.
    authorised_name: Mapped[str] = mapped_column(sa.String(255), default="")
    authorised_citizen_id: Mapped[str] = mapped_column(sa.String(12), default="")
    # Fees the unit asks the post to collect on handover (COD), in VND.
    amount_due: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # The day and window of the next door visit; the window may hold a seat of the pickup schedule.
    day: Mapped[date | None] = mapped_column(sa.Date)
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    slot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pickup_slots.id"), index=True)
    postman_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    route_position: Mapped[int | None] = mapped_column(sa.Integer)
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(sa.Integer, default=3)
    id_failures: Mapped[int] = mapped_column(sa.Integer, default=0)
    # The one-time code is never stored: it is an HMAC of the delivery, its salt and this round under
    # the app's secret, rendered into the text message only when it is sent. None: no code issued.
    code_round: Mapped[int | None] = mapped_column(sa.Integer)
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The citizen's link (new window, collection at the office, rating) is an HMAC with this salt.
    manage_salt: Mapped[str] = mapped_column(sa.String(32))
    language: Mapped[str] = mapped_column(sa.String(5), default="vi")
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hold_days: Mapped[int] = mapped_column(sa.Integer, default=15)
    return_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dossier: Mapped[Dossier] = relationship()
    unit: Mapped[Organization] = relationship(foreign_keys=[unit_id])
    office: Mapped[PostOffice] = relationship()
    commune: Mapped[Commune] = relationship()
    postman: Mapped[User | None] = relationship()
    attempts_made: Mapped[list[DeliveryAttempt]] = relationship(
        back_populates="delivery", order_by="DeliveryAttempt.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[DeliveryEvent]] = relationship(
        back_populates="delivery", order_by="DeliveryEvent.id", cascade="all, delete-orphan"
    )


class DeliveryAttempt(Base):
    """One handover attempt, at the door or at the counter: who, when, where, and the proof."""

    __tablename__ = "delivery_attempts"
    __table_args__ = (
        enum_check("outcome", Outcome),
        _one_of("reason", FailureReason),
        _one_of("recipient", Recipient),
        _one_of("id_method", IdMethod),
        _one_of("payment_method", PaymentMethod),
        sa.CheckConstraint("amount_collected >= 0", name="amount_collected_not_negative"),
        # Proof of a handover is a signature or a photo, never nothing.
        sa.CheckConstraint(
            "outcome <> 'delivered' OR signature_sha256 IS NOT NULL OR photo_sha256 IS NOT NULL",
            name="delivered_with_proof",
        ),
        sa.UniqueConstraint("delivery_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(sa.ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(sa.Integer)
    outcome: Mapped[str] = mapped_column(sa.String(10))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at_counter: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    distance_m: Mapped[int | None] = mapped_column(sa.Integer)  # from the address's point
    far_from_address: Mapped[bool] = mapped_column(default=False)
    recipient: Mapped[str | None] = mapped_column(sa.String(12))
    recipient_name: Mapped[str] = mapped_column(sa.String(255), default="")
    relation: Mapped[str] = mapped_column(sa.String(80), default="")
    id_method: Mapped[str | None] = mapped_column(sa.String(16))
    authorisation_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    signature_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    photo_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    amount_collected: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    payment_method: Mapped[str | None] = mapped_column(sa.String(10))

    delivery: Mapped[Delivery] = relationship(back_populates="attempts_made")
    actor: Mapped[User | None] = relationship()


class DeliveryEvent(Base):
    """The delivery's own timeline (the dossier's timeline carries the citizen-facing steps)."""

    __tablename__ = "delivery_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(sa.ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(sa.String(500), default="")

    delivery: Mapped[Delivery] = relationship(back_populates="events")


class SatisfactionRating(Base):
    """One citizen's rating of one subject (the post, or the unit) for one dossier: once, never edited."""

    __tablename__ = "satisfaction_ratings"
    __table_args__ = (
        enum_check("subject", RatingSubject),
        enum_check("level", RatingLevel),
        sa.UniqueConstraint("dossier_id", "subject"),
        sa.Index("ix_satisfaction_ratings_unit_at", "unit_id", "rated_at"),
        sa.Index("ix_satisfaction_ratings_office_at", "office_id", "rated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    operator_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("post_offices.id"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(8))
    level: Mapped[str] = mapped_column(sa.String(16))
    reasons: Mapped[str] = mapped_column(sa.String(255), default="")  # comma-separated RatingReason codes
    comment: Mapped[str] = mapped_column(sa.String(1000), default="")
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime)
