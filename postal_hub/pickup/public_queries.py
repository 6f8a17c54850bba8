"""Reads for the public booking pages."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from postal_hub.core.procedures.models import Procedure
from postal_hub.pickup.models import Pickup


def bookable_procedures(session: Session) -> list[Procedure]:
    return list(
        session.scalars(
            sa.select(Procedure)
            .where(Procedure.active.is_(True), Procedure.postal_allowed.is_(True))
            .order_by(Procedure.name)
        )
    )


def procedure_with_components(session: Session, code: str) -> Procedure | None:
    return session.scalar(
        sa.select(Procedure)
        .where(Procedure.code == (code or "").strip().upper(), Procedure.active.is_(True))
        .options(selectinload(Procedure.components))
    )


def pickup_for_page(session: Session, pickup_id: int) -> Pickup | None:
    return session.scalar(
        sa.select(Pickup)
        .where(Pickup.id == pickup_id)
        .options(
            selectinload(Pickup.events),
            selectinload(Pickup.procedure).selectinload(Procedure.components),
            selectinload(Pickup.office),
            selectinload(Pickup.commune),
            selectinload(Pickup.province),
            selectinload(Pickup.dossier),
        )
    )
