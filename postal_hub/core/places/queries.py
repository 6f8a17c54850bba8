"""Reads of provinces and communes for forms and lookups."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.places.models import Commune, Province


def province_choices(session: Session) -> list[tuple[str, str]]:
    return [(p.code, p.name) for p in session.scalars(sa.select(Province).order_by(Province.name))]


def commune_choices(session: Session, province_code: str | None = None) -> list[tuple[str, str]]:
    stmt = sa.select(Commune).where(Commune.active.is_(True)).order_by(Commune.name)
    if province_code:
        stmt = stmt.where(Commune.province_code == province_code)
    return [(c.code, c.name) for c in session.scalars(stmt)]


def get_commune(session: Session, code: str) -> Commune | None:
    return session.get(Commune, code)
