"""Reads for the catalogue, the clerk's desk and public tracking."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from postal_hub.contracts.task_models import Task
from postal_hub.core.clock import to_local
from postal_hub.core.codes import normalise_code
from postal_hub.core.orgs.models import Organization
from postal_hub.core.pagination import ListRequest, Page, paginate, search_filter
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.text import fold, mask_name
from postal_hub.core.users.models import User
from postal_hub.intake.access import scope_dossiers
from postal_hub.intake.models import Dossier
from postal_hub.intake.status import EVENT_LABELS, DossierStatus


def catalogue_page(
    session: Session, lr: ListRequest, level: str | None = None, unit_code: str = ""
) -> Page[Procedure]:
    stmt = sa.select(Procedure).where(Procedure.active.is_(True))
    if unit_code:
        # In the query, not after it: a unit's procedures beyond the first page must still be found,
        # and the total must count them all.
        stmt = stmt.join(Organization, Organization.id == Procedure.unit_id).where(
            Organization.code == unit_code
        )
    if (cond := search_filter(Procedure.search_key, lr.q)) is not None:
        stmt = stmt.where(cond)
    if level:
        stmt = stmt.where(Procedure.competent_level == level)
    stmt = stmt.options(selectinload(Procedure.components), selectinload(Procedure.unit))
    return paginate(session, stmt.order_by(Procedure.name, Procedure.id), lr.page, lr.per_page)


def procedure_by_code(session: Session, code: str) -> Procedure | None:
    return session.scalar(
        sa.select(Procedure)
        .where(Procedure.code == code.strip(), Procedure.active.is_(True))
        .options(selectinload(Procedure.components), selectinload(Procedure.unit))
    )


def find_for_tracking(session: Session, code: str) -> Dossier | None:
    """One statement (the dossier joined to its procedure, unit and events): tracking is the public
    hot path, and each extra round trip to the database cost more than the joined rows (bench/)."""
    normal = normalise_code(code)
    if not normal:
        return None
    found = (
        session.execute(
            sa.select(Dossier)
            .where(sa.or_(Dossier.code == normal, Dossier.item_number == normal))
            .options(joinedload(Dossier.events), joinedload(Dossier.procedure), joinedload(Dossier.unit))
            .order_by(Dossier.id)
        )
        .unique()
        .scalars()
        .all()
    )
    return found[0] if found else None


def tracking_view(dossier: Dossier) -> dict[str, Any]:
    """What anyone holding the code may see: no citizen ID, phone or address, a masked name only."""
    return {
        "dossier_code": dossier.code,
        "item_number": dossier.item_number,
        "status": dossier.status,
        "applicant": mask_name(dossier.applicant_name),
        "procedure": {"code": dossier.procedure.code, "name": dossier.procedure.name},
        "unit": {"code": dossier.unit.code, "name": dossier.unit.name},
        "accepted_at": dossier.accepted_at,
        "appointment_at": dossier.appointment_at,
        "events": [
            {
                "code": e.code,
                "at": e.at,
                "location": e.place,
                "description": str(EVENT_LABELS.get(e.code, e.code)),
            }
            for e in dossier.events
        ],
    }


def desk_dossiers(
    session: Session, actor: User, q: str, now: datetime, lr: ListRequest
) -> tuple[Page[Dossier], bool]:
    """Today's dossiers at the clerk's office, or everything visible that matches the search.
    Returns whether the search was by a full citizen ID (a personal-data lookup, which is logged)."""
    stmt = scope_dossiers(session, actor, sa.select(Dossier))
    text = (q or "").strip()
    by_citizen_id = text.isdigit() and len(text) == 12
    if not text:
        start = to_local(now).replace(hour=0, minute=0, second=0, microsecond=0)
        stmt = stmt.where(Dossier.accepted_at >= start, Dossier.accepted_at < start + timedelta(days=1))
    elif by_citizen_id:
        stmt = stmt.where(Dossier.applicant_citizen_id == text)
    else:
        code = normalise_code(text)
        digits = "".join(ch for ch in text if ch.isdigit())
        conditions = [Dossier.code.contains(code, autoescape=True), Dossier.item_number == code]
        if (name := search_filter(Dossier.search_key, fold(text))) is not None:
            conditions.append(name)
        if len(digits) >= 9:
            conditions.append(Dossier.applicant_phone.contains(digits[-9:], autoescape=True))
        stmt = stmt.where(sa.or_(*conditions))
    stmt = stmt.options(selectinload(Dossier.procedure), selectinload(Dossier.unit))
    return paginate(session, stmt.order_by(Dossier.accepted_at.desc()), lr.page, lr.per_page), by_citizen_id


def dossier_tasks(session: Session, dossier: Dossier) -> list[Task]:
    return list(session.scalars(sa.select(Task).where(Task.dossier_code == dossier.code).order_by(Task.id)))


def is_open(dossier: Dossier) -> bool:
    return dossier.status in (DossierStatus.ACCEPTED, DossierStatus.DIGITIZED)
