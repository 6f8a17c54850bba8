"""Organizations and post offices."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from postal_hub.core.clock import utcnow
from postal_hub.core.places.models import Commune, Province
from postal_hub.db import Base, UTCDateTime, enum_check


class OrgKind(StrEnum):
    POSTAL_OPERATOR = "postal_operator"
    AGENCY = "agency"
    ONE_STOP_UNIT = "one_stop_unit"


class GovLevel(StrEnum):
    MINISTRY = "ministry"
    PROVINCE = "province"
    COMMUNE = "commune"


class Organization(Base):
    """A postal operator, an agency, or an agency's one-stop unit (Bộ phận Một cửa).

    Agencies and units are identified by their agency identifier code (QCVN 102:2016/BTTTT).
    """

    __tablename__ = "organizations"
    __table_args__ = (
        enum_check("kind", OrgKind),
        sa.CheckConstraint(
            "level IS NULL OR level IN ('ministry', 'province', 'commune')", name="level_allowed"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    search_key: Mapped[str] = mapped_column(sa.String(255), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)
    level: Mapped[str | None] = mapped_column(sa.String(10))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    tax_code: Mapped[str | None] = mapped_column(sa.String(20))
    province_code: Mapped[str | None] = mapped_column(sa.ForeignKey("provinces.code"))
    commune_code: Mapped[str | None] = mapped_column(sa.ForeignKey("communes.code"))
    address: Mapped[str] = mapped_column(sa.String(500), default="")
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(255))
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    coordinate_source: Mapped[str | None] = mapped_column(sa.String(80))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped[Organization | None] = relationship(remote_side=[id])
    province: Mapped[Province | None] = relationship()
    commune: Mapped[Commune | None] = relationship()


class PostOffice(Base):
    """A post office (bưu cục / điểm phục vụ) of a postal operator."""

    __tablename__ = "post_offices"
    __table_args__ = (
        sa.CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90)", name="lat_range"),
        sa.CheckConstraint("lon IS NULL OR (lon BETWEEN -180 AND 180)", name="lon_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    search_key: Mapped[str] = mapped_column(sa.String(255), index=True)
    postcode: Mapped[str] = mapped_column(sa.String(5))
    address: Mapped[str] = mapped_column(sa.String(500))
    province_code: Mapped[str] = mapped_column(sa.ForeignKey("provinces.code"), index=True)
    commune_code: Mapped[str] = mapped_column(sa.ForeignKey("communes.code"))
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    coordinate_source: Mapped[str | None] = mapped_column(sa.String(80))
    opening_hours: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    operator: Mapped[Organization] = relationship()
    province: Mapped[Province] = relationship()
    commune: Mapped[Commune] = relationship()
