"""What the start page shows each role."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.orgs.models import Organization, OrgKind, PostOffice
from postal_hub.core.places.data import data_version
from postal_hub.core.places.models import Commune, Province
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.users.models import User


def system_counts(session: Session) -> dict[str, Any]:
    def count(stmt: sa.Select[Any]) -> int:
        return int(session.scalar(stmt) or 0)

    return {
        "operators": count(sa.select(sa.func.count()).where(Organization.kind == OrgKind.POSTAL_OPERATOR)),
        "agencies": count(sa.select(sa.func.count()).where(Organization.kind == OrgKind.AGENCY)),
        "units": count(sa.select(sa.func.count()).where(Organization.kind == OrgKind.ONE_STOP_UNIT)),
        "offices": count(
            sa.select(sa.func.count()).select_from(PostOffice).where(PostOffice.active.is_(True))
        ),
        "procedures": count(
            sa.select(sa.func.count()).select_from(Procedure).where(Procedure.active.is_(True))
        ),
        "users": count(sa.select(sa.func.count()).select_from(User).where(User.active.is_(True))),
        "provinces": count(sa.select(sa.func.count()).select_from(Province)),
        "communes": count(sa.select(sa.func.count()).select_from(Commune).where(Commune.active.is_(True))),
        "places_version": data_version(),
    }


def profile(session: Session, user: User) -> dict[str, Any]:
    org = session.get(Organization, user.organization_id) if user.organization_id else None
    office = session.get(PostOffice, user.post_office_id) if user.post_office_id else None
    return {
        "organization": {"name": org.name, "code": org.code} if org else None,
        "office": {
            "name": office.name,
            "code": office.code,
            "address": office.address,
            "opening_hours": office.opening_hours,
        }
        if office
        else None,
        "operator_offices": int(
            session.scalar(
                sa.select(sa.func.count())
                .select_from(PostOffice)
                .where(PostOffice.operator_id == org.id, PostOffice.active.is_(True))
            )
            or 0
        )
        if org is not None and org.kind == OrgKind.POSTAL_OPERATOR
        else None,
    }
