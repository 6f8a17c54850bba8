"""Who sees which dossiers: a clerk their office's, a manager their operator's, a unit its own."""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.contracts.access import managed_ids
from postal_hub.core.codes import normalise_code
from postal_hub.core.errors import NotFound
from postal_hub.core.orgs.models import Organization, OrgKind
from postal_hub.core.users.models import Role, User
from postal_hub.intake.models import Dossier

S = TypeVar("S", bound=sa.Select[Any])


def scope_dossiers(session: Session, actor: User, stmt: S) -> S:
    if actor.has_role(Role.SYSTEM_ADMIN):
        return stmt
    if actor.has_role(Role.POSTAL_CLERK, Role.POSTMAN):
        return (
            stmt.where(Dossier.office_id == actor.post_office_id)
            if actor.post_office_id
            else stmt.where(sa.false())
        )
    if actor.has_role(Role.POSTAL_MANAGER) and actor.organization_id is not None:
        return stmt.where(Dossier.operator_id == actor.organization_id)
    if actor.has_role(Role.UNIT_OFFICER, Role.AGENCY_SUPERVISOR):
        return stmt.where(Dossier.unit_id.in_(managed_ids(session, actor)))
    return stmt.where(sa.false())


def scope_dossiers_for_org(org: Organization, stmt: S) -> S:
    """An API key sees the dossiers its unit handles, or the ones its operator carries."""
    if org.kind == OrgKind.ONE_STOP_UNIT:
        return stmt.where(Dossier.unit_id == org.id)
    if org.kind == OrgKind.POSTAL_OPERATOR:
        return stmt.where(Dossier.operator_id == org.id)
    return stmt.where(sa.false())


def get_dossier_for_org(session: Session, org: Organization, code: str) -> Dossier:
    normal = normalise_code(code)
    dossier = session.scalar(
        scope_dossiers_for_org(
            org, sa.select(Dossier).where(sa.or_(Dossier.code == normal, Dossier.item_number == normal))
        )
    )
    if dossier is None:
        raise NotFound(str(_l("There is no such dossier, or it is not yours to see.")))
    return dossier


def get_dossier(session: Session, actor: User, code: str) -> Dossier:
    dossier = session.scalar(
        scope_dossiers(
            session,
            actor,
            sa.select(Dossier).where(sa.or_(Dossier.code == code, Dossier.item_number == code)),
        )
    )
    if dossier is None:
        raise NotFound(str(_l("There is no such dossier, or it is not yours to see.")))
    return dossier
