"""Reads for the catalogue, the clerk's desk and public tracking."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from postal_hub.contracts.task_models import Task
from postal_hub.core.clock import to_local
from postal_hub.core.codes import normalise_code
from postal_hub.core.orgs.models import Organization
from postal_hub.core.pagination import ListRequest, Page, paginate, search_filter
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.text import fold, mask_name
from postal_hub.core.users.models import User
from postal_hub.i18n import translated
from postal_hub.intake.access import scope_dossiers
from postal_hub.intake.models import Dossier, DossierEvent
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


def _tracking_statement() -> sa.Select[Any]:
    d, e = Dossier.__table__, DossierEvent.__table__
    p, u = Procedure.__table__, Organization.__table__
    match = d.alias("match")
    # A code and an item number are each unique, but one dossier's code could be another's item number:
    # the first dossier answers. min() over the two unique indexes cost the database a third less than
    # filtering the joined rows with the OR (bench/throughput.py).
    first = (
        sa.select(sa.func.min(match.c.id))
        .where(sa.or_(match.c.code == sa.bindparam("code"), match.c.item_number == sa.bindparam("code")))
        .scalar_subquery()
    )
    return (
        sa.select(
            # The timeline first: rows are unpacked by position, by far cheaper than by name.
            e.c.code,
            e.c.at,
            e.c.place,
            d.c.code,
            d.c.item_number,
            d.c.status,
            d.c.applicant_name,
            d.c.accepted_at,
            d.c.appointment_at,
            p.c.code,
            p.c.name,
            u.c.code,
            u.c.name,
        )
        .select_from(
            d.join(p, p.c.id == d.c.procedure_id)
            .join(u, u.c.id == d.c.unit_id)
            .outerjoin(e, e.c.dossier_id == d.c.id)
        )
        .where(d.c.id == first)
        .order_by(e.c.id)
    )


_TRACKING = _tracking_statement()


def tracking_lookup(conn: sa.Connection, code: str) -> dict[str, Any] | None:
    """What anyone holding the code may see: no citizen ID, phone or address, a masked name only.

    One Core statement, rows into a dict: tracking is the public hot path, and an extra round trip, the
    ORM's identity map and even reading columns by name each cost more there than the joined rows."""
    normal = normalise_code(code)
    if not normal:
        return None
    rows = conn.execute(_TRACKING, {"code": normal}).all()
    if not rows:
        return None
    _, _, _, dossier_code, item_number, status, applicant, accepted_at, appointment_at, *names = rows[0]
    procedure_code, procedure_name, unit_code, unit_name = names
    labels = translated(EVENT_LABELS)
    return {
        "dossier_code": dossier_code,
        "item_number": item_number,
        "status": status,
        "applicant": mask_name(applicant),
        "procedure": {"code": procedure_code, "name": procedure_name},
        "unit": {"code": unit_code, "name": unit_name},
        "accepted_at": accepted_at,
        "appointment_at": appointment_at,
        "events": [
            {"code": event, "at": at, "location": place, "description": labels.get(event, event)}
            for event, at, place, *_ in rows
            if event is not None  # the outer join's one row for a dossier without a timeline
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
