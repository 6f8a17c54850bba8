"""Who sees which figures: the one place a viewer becomes a monitoring scope.

A system administrator sees everything. A postal manager attached to an office sees their operator's
offices in that office's province (the provincial post); one without an office is the operator's head
office and sees everything it runs. An agency supervisor sees their own units' work, a unit's officer
and supervisor their unit's. Anyone else has no dashboard.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.contracts.access import managed_ids
from postal_hub.core.errors import PermissionDenied
from postal_hub.core.orgs.models import Organization, OrgKind, PostOffice
from postal_hub.core.users.models import Role, User
from postal_hub.monitoring.models import UnitMonthTotals
from postal_hub.monitoring.models_rollups import OfficeUnitMonth
from postal_hub.monitoring.query import Scope

MONITORING_ROLES = (Role.SYSTEM_ADMIN, Role.POSTAL_MANAGER, Role.AGENCY_SUPERVISOR, Role.UNIT_OFFICER)


def can_monitor(actor: User | None) -> bool:
    return actor is not None and actor.has_role(*MONITORING_ROLES)


def scope_for(session: Session, actor: User) -> Scope:
    if actor.has_role(Role.SYSTEM_ADMIN):
        return Scope()
    if actor.has_role(Role.POSTAL_MANAGER) and actor.organization_id is not None:
        office = session.get(PostOffice, actor.post_office_id) if actor.post_office_id else None
        return Scope(
            operator_id=actor.organization_id, province_code=office.province_code if office else None
        )
    if actor.has_role(Role.AGENCY_SUPERVISOR, Role.UNIT_OFFICER):
        units = session.scalars(
            sa.select(Organization.id).where(
                Organization.id.in_(managed_ids(session, actor)),
                Organization.kind == OrgKind.ONE_STOP_UNIT.value,
            )
        )
        return Scope(unit_ids=tuple(sorted(units)))
    raise PermissionDenied(
        str(_l("The dashboards are for supervisors, managers, unit officers and administrators."))
    )


def visible_units(session: Session, scope: Scope, limit: int | None = None) -> list[Organization]:
    """The units a viewer may pick: their own, or those the offices in view have served (a dossier
    handed in anywhere reaches its unit wherever it is, so a province's post serves units elsewhere)."""
    stmt = sa.select(Organization).where(Organization.kind == OrgKind.ONE_STOP_UNIT.value)
    if scope.unit_ids is not None:
        stmt = stmt.where(Organization.id.in_(scope.unit_ids))
    elif scope.operator_id is not None or scope.province_code is not None:
        # The totals over groups and channels: the same units, a fraction of the rows.
        served = sa.select(UnitMonthTotals.unit_id)
        if scope.operator_id is not None:
            served = served.where(UnitMonthTotals.operator_id == scope.operator_id)
        if scope.province_code is not None:
            served = served.where(UnitMonthTotals.province_code == scope.province_code)
        stmt = stmt.where(Organization.id.in_(served.distinct()))
    return list(session.scalars(stmt.order_by(Organization.name).limit(limit)))


def visible_offices(session: Session, scope: Scope, limit: int | None = None) -> list[PostOffice]:
    """The offices a viewer may pick; a unit's people pick among the offices that served them."""
    stmt = sa.select(PostOffice)
    if scope.operator_id is not None:
        stmt = stmt.where(PostOffice.operator_id == scope.operator_id)
    if scope.province_code is not None:
        stmt = stmt.where(PostOffice.province_code == scope.province_code)
    if scope.unit_ids is not None:
        served = (
            sa.select(OfficeUnitMonth.office_id).where(OfficeUnitMonth.unit_id.in_(scope.unit_ids)).distinct()
        )
        stmt = stmt.where(PostOffice.id.in_(served))
    return list(session.scalars(stmt.order_by(PostOffice.name).limit(limit)))
