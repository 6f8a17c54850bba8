"""Current administrative units (since 1 July 2025): 34 provinces and their communes, GSO codes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from postal_hub.db import Base


class Province(Base):
    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    division_type: Mapped[str] = mapped_column(sa.String(40))
    search_key: Mapped[str] = mapped_column(sa.String(120))

    communes: Mapped[list[Commune]] = relationship(back_populates="province", order_by="Commune.code")


class Commune(Base):
    """A commune-level unit: xã, phường or đặc khu."""

    __tablename__ = "communes"

    code: Mapped[str] = mapped_column(sa.String(5), primary_key=True)
    province_code: Mapped[str] = mapped_column(sa.ForeignKey("provinces.code"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    division_type: Mapped[str] = mapped_column(sa.String(40))
    search_key: Mapped[str] = mapped_column(sa.String(120), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    province: Mapped[Province] = relationship(back_populates="communes")
