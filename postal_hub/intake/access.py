"""Who sees which dossiers: a clerk their office's, a manager their operator's, a unit its own."""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.contracts.access import managed_ids
from postal_hub.core.errors import NotFound
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
