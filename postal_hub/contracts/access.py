"""Who sees and who may act on contracts, tasks and statements; unknown and not-yours both 404."""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.contracts.models import Contract
from postal_hub.contracts.task_models import Task
from postal_hub.core.errors import NotFound, PermissionDenied
from postal_hub.core.orgs.models import Organization, OrgKind
from postal_hub.core.users.models import POSTAL_ROLES, Role, User

S = TypeVar("S", bound=sa.Select[Any])
UNIT_SIDE_ROLES = (Role.UNIT_OFFICER, Role.AGENCY_SUPERVISOR)


def managed_ids(session: Session, actor: User) -> list[int]:
    """The contracting parties a unit-side user answers for: their own organization, and an agency's
    own one-stop units. Never upwards: a unit's staff do not act for the agency."""
    org = session.get(Organization, actor.organization_id) if actor.organization_id else None
    if org is None:
        return []
    ids = [org.id]
    if org.kind == OrgKind.AGENCY:
        ids += list(session.scalars(sa.select(Organization.id).where(Organization.parent_id == org.id)))
    return ids


def unit_side_ids(session: Session, actor: User) -> list[int]:
    """The contracting parties whose contracts a unit-side user may read: those they manage, and for a
    unit also its agency (an agency-wide contract covers the unit too)."""
    ids = managed_ids(session, actor)
    org = session.get(Organization, actor.organization_id) if actor.organization_id else None
    if org is not None and org.kind == OrgKind.ONE_STOP_UNIT and org.parent_id is not None:
        ids.append(org.parent_id)
    return ids


def scope_contracts(session: Session, actor: User, stmt: S) -> S:
    if actor.has_role(Role.SYSTEM_ADMIN):
        return stmt
    if actor.has_role(*POSTAL_ROLES) and actor.organization_id is not None:
        return stmt.where(Contract.operator_id == actor.organization_id)
    if actor.has_role(*UNIT_SIDE_ROLES):
        return stmt.where(Contract.unit_id.in_(unit_side_ids(session, actor)))
    return stmt.where(sa.false())


def scope_tasks(session: Session, actor: User, stmt: S) -> S:
    if actor.has_role(Role.SYSTEM_ADMIN):
        return stmt
    if actor.has_role(*POSTAL_ROLES) and actor.organization_id is not None:
        return stmt.where(Task.operator_id == actor.organization_id)
    if actor.has_role(*UNIT_SIDE_ROLES):
        # Tasks are the work of the unit named on them: an agency sees its units', a unit only its own
        # (never a sibling's, even under a shared agency-wide contract).
        return stmt.where(Task.unit_id.in_(managed_ids(session, actor)))
    return stmt.where(sa.false())


def get_contract(session: Session, actor: User, contract_id: int) -> Contract:
    contract = session.scalar(
        scope_contracts(session, actor, sa.select(Contract).where(Contract.id == contract_id))
    )
    if contract is None:
        raise NotFound(str(_l("There is no such contract, or it is not yours to see.")))
    return contract


def can_manage(session: Session, actor: User | None, contract: Contract) -> bool:
    """The contracting agency's supervisor (or an administrator) writes and changes contracts."""
    if actor is None or actor.has_role(Role.SYSTEM_ADMIN):
        return True
    return actor.has_role(Role.AGENCY_SUPERVISOR) and contract.unit_id in managed_ids(session, actor)


def require_manage(session: Session, actor: User | None, contract: Contract) -> None:
    if not can_manage(session, actor, contract):
        raise PermissionDenied(str(_l("Only the contracting agency's supervisor may change this contract.")))


def can_bill(actor: User | None, contract: Contract) -> bool:
    """The operator's postal manager prepares and submits the monthly statement."""
    if actor is None or actor.has_role(Role.SYSTEM_ADMIN):
        return True
    return actor.has_role(Role.POSTAL_MANAGER) and actor.organization_id == contract.operator_id


def can_decide(session: Session, actor: User | None, contract: Contract) -> bool:
    """The agency supervisor approves or disputes a submitted statement."""
    return can_manage(session, actor, contract)


def may_create_contracts(actor: User) -> bool:
    return actor.has_role(Role.SYSTEM_ADMIN, Role.AGENCY_SUPERVISOR)
