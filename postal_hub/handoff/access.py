"""Who sees which manifests and who may act on them: the post office that made one, the unit it goes to."""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from postal_hub.contracts.access import managed_ids
from postal_hub.core.errors import NotFound, PermissionDenied
from postal_hub.core.orgs.models import Organization, OrgKind, PostOffice
from postal_hub.core.users.models import Role, User
from postal_hub.handoff.models import Manifest, ManifestLine
from postal_hub.handoff.status import Direction, ManifestStatus

S = TypeVar("S", bound=sa.Select[Any])
PREPARERS = (Role.POSTAL_CLERK, Role.POSTAL_MANAGER)
RECEIVERS = (Role.UNIT_OFFICER,)


def scope_manifests(session: Session, actor: User, stmt: S) -> S:
    if actor.has_role(Role.SYSTEM_ADMIN):
        return stmt
    if actor.has_role(Role.POSTAL_CLERK, Role.POSTMAN):
        if actor.post_office_id is None:
            return stmt.where(sa.false())
        return stmt.where(Manifest.office_id == actor.post_office_id, _post_side_sees())
    if actor.has_role(Role.POSTAL_MANAGER) and actor.organization_id is not None:
        return stmt.where(Manifest.operator_id == actor.organization_id, _post_side_sees())
    if actor.has_role(Role.UNIT_OFFICER, Role.AGENCY_SUPERVISOR):
        return stmt.where(Manifest.unit_id.in_(managed_ids(session, actor)), _unit_side_sees())
    return stmt.where(sa.false())


# A draft is the sending side's work in progress; the other side sees a manifest once it is sent.
def _post_side_sees() -> sa.ColumnElement[bool]:
    return sa.or_(
        Manifest.direction != Direction.TO_POST.value, Manifest.status != ManifestStatus.DRAFT.value
    )


def _unit_side_sees() -> sa.ColumnElement[bool]:
    return sa.or_(
        Manifest.direction == Direction.TO_POST.value, Manifest.status != ManifestStatus.DRAFT.value
    )


def scope_manifests_for_org(org: Organization, stmt: S) -> S:
    """An API key sees the manifests its organization sent (operator) or is sent (unit)."""
    if org.kind == OrgKind.POSTAL_OPERATOR:
        return stmt.where(Manifest.operator_id == org.id, _post_side_sees())
    if org.kind == OrgKind.ONE_STOP_UNIT:
        return stmt.where(Manifest.unit_id == org.id, _unit_side_sees())
    return stmt.where(sa.false())


def _with_lines(stmt: S) -> S:
    return stmt.options(
        selectinload(Manifest.lines).selectinload(ManifestLine.dossier),
        selectinload(Manifest.extras),
        selectinload(Manifest.office),
        selectinload(Manifest.unit),
    )


def _not_found() -> NotFound:
    return NotFound(str(_l("There is no such manifest, or it is not yours to see.")))


def get_manifest(session: Session, actor: User, number: str) -> Manifest:
    stmt = scope_manifests(
        session, actor, sa.select(Manifest).where(Manifest.number == number.strip().upper())
    )
    manifest = session.scalar(_with_lines(stmt))
    if manifest is None:
        raise _not_found()
    return manifest


def get_manifest_for_org(session: Session, org: Organization, number: str) -> Manifest:
    stmt = scope_manifests_for_org(org, sa.select(Manifest).where(Manifest.number == number.strip().upper()))
    manifest = session.scalar(_with_lines(stmt))
    if manifest is None:
        raise _not_found()
    return manifest


def preparing_office(session: Session, actor: User) -> PostOffice:
    """Manifests leave from the office the clerk or manager works at."""
    if not actor.has_role(*PREPARERS) or actor.post_office_id is None:
        raise PermissionDenied(str(_l("Only postal staff attached to a post office prepare manifests.")))
    office = session.get(PostOffice, actor.post_office_id)
    if office is None or not office.active:
        raise PermissionDenied(str(_l("Your post office is not active.")))
    return office


def preparing_unit(session: Session, actor: User) -> Organization:
    """Results leave from the unit the officer works for."""
    if not actor.has_role(Role.UNIT_OFFICER) or actor.organization_id is None:
        raise PermissionDenied(str(_l("Only officers of a one-stop unit send results to the post.")))
    unit = session.get(Organization, actor.organization_id)
    if unit is None or not unit.active or unit.kind != OrgKind.ONE_STOP_UNIT:
        raise PermissionDenied(str(_l("Your unit is not active.")))
    return unit


def can_prepare(actor: User | None, manifest: Manifest) -> bool:
    if actor is None or actor.has_role(Role.SYSTEM_ADMIN):
        return True
    if manifest.direction == Direction.TO_POST.value:
        return actor.has_role(Role.UNIT_OFFICER) and actor.organization_id == manifest.unit_id
    return _post_staff_of(actor, manifest)


def _post_staff_of(actor: User, manifest: Manifest) -> bool:
    if actor.has_role(Role.POSTAL_MANAGER):
        return actor.organization_id == manifest.operator_id
    return actor.has_role(Role.POSTAL_CLERK) and actor.post_office_id == manifest.office_id


def require_prepare(actor: User | None, manifest: Manifest) -> None:
    if not can_prepare(actor, manifest):
        raise PermissionDenied(str(_l("Only the side that prepared this manifest may change it.")))


def can_receive(session: Session, actor: User | None, manifest: Manifest) -> bool:
    if actor is None or actor.has_role(Role.SYSTEM_ADMIN):
        return True
    if manifest.direction == Direction.TO_POST.value:
        return _post_staff_of(actor, manifest)
    return actor.has_role(*RECEIVERS) and manifest.unit_id in managed_ids(session, actor)


def require_receive(session: Session, actor: User | None, manifest: Manifest) -> None:
    if not can_receive(session, actor, manifest):
        raise PermissionDenied(str(_l("Only the receiving side may answer for this manifest's envelopes.")))
