"""Reads for the manifest screens and API: lists, what can go on a new manifest, discrepancies."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from postal_hub.contracts.access import managed_ids
from postal_hub.core.custody.models import CustodyEntry
from postal_hub.core.orgs.models import Organization, OrgKind, PostOffice
from postal_hub.core.pagination import Page, paginate
from postal_hub.core.users.models import Role, User
from postal_hub.handoff.access import scope_manifests
from postal_hub.handoff.legs import TO_UNIT, Leg, leg_for
from postal_hub.handoff.models import Manifest, ManifestLine
from postal_hub.handoff.services import on_open_manifest
from postal_hub.handoff.status import Direction, LineStatus, ManifestStatus
from postal_hub.intake.models import Dossier


def manifest_page(
    session: Session, actor: User, status: str | None, q: str, page: int, per_page: int
) -> Page[Manifest]:
    stmt = scope_manifests(session, actor, sa.select(Manifest))
    if status:
        stmt = stmt.where(Manifest.status == status)
    if q:
        stmt = stmt.where(Manifest.number.contains(q.strip().upper(), autoescape=True))
    stmt = stmt.options(
        selectinload(Manifest.office), selectinload(Manifest.unit), selectinload(Manifest.lines)
    )
    return paginate(session, stmt.order_by(Manifest.id.desc()), page, per_page)


def ready_by_unit(session: Session, office: PostOffice, leg: Leg = TO_UNIT) -> list[tuple[Organization, int]]:
    """The units this office has envelopes waiting for, with how many: where a manifest is due."""
    rows = session.execute(
        sa.select(Organization, sa.func.count(Dossier.id))
        .join(Dossier, Dossier.unit_id == Organization.id)
        .where(Dossier.office_id == office.id, *leg.ready(), Dossier.id.not_in(on_open_manifest()))
        .group_by(Organization.id)
        .order_by(Organization.name)
    ).all()
    return [(org, int(n)) for org, n in rows]


def ready_by_office(session: Session, unit: Organization, leg: Leg) -> list[tuple[PostOffice, int]]:
    """For the unit: the post offices it has results waiting for."""
    rows = session.execute(
        sa.select(PostOffice, sa.func.count(Dossier.id))
        .join(Dossier, Dossier.office_id == PostOffice.id)
        .where(Dossier.unit_id == unit.id, *leg.ready(), Dossier.id.not_in(on_open_manifest()))
        .group_by(PostOffice.id)
        .order_by(PostOffice.name)
    ).all()
    return [(office, int(n)) for office, n in rows]


def ready_dossiers(session: Session, office: PostOffice, unit_id: int, leg: Leg = TO_UNIT) -> list[Dossier]:
    return list(
        session.scalars(
            sa.select(Dossier)
            .where(
                Dossier.office_id == office.id,
                Dossier.unit_id == unit_id,
                *leg.ready(),
                Dossier.id.not_in(on_open_manifest()),
            )
            .options(selectinload(Dossier.components), selectinload(Dossier.procedure))
            .order_by(Dossier.accepted_at)
        )
    )


def discrepancies(manifest: Manifest) -> dict[str, Any]:
    """What both sides must explain: envelopes not confirmed, refused, or found without being listed."""
    closed = manifest.status == ManifestStatus.CLOSED.value
    return {
        "not_received": [
            line.dossier_code
            for line in manifest.lines
            if line.status == LineStatus.MISSING.value or (closed and line.status == LineStatus.PENDING.value)
        ],
        "awaiting": [line.dossier_code for line in manifest.lines if line.status == LineStatus.PENDING.value],
        "rejected": [
            {"dossier_code": line.dossier_code, "reason": line.reason, "note": line.note}
            for line in manifest.lines
            if line.status == LineStatus.REJECTED.value
        ],
        "extra": [x.label for x in manifest.extras],
    }


def custody_of(session: Session, actor: User, dossier: Dossier) -> list[CustodyEntry]:
    """The dossier's custody entries as kept in the chain the viewer answers for: the unit side sees
    its own unit's chain, the post and administrators the operator's, which holds every step, also
    those before a re-routing."""
    if actor.has_role(Role.UNIT_OFFICER, Role.AGENCY_SUPERVISOR):
        chains = managed_ids(session, actor)
    else:
        chains = [dossier.operator_id]
    return list(
        session.scalars(
            sa.select(CustodyEntry)
            .where(CustodyEntry.dossier_id == dossier.id, CustodyEntry.organization_id.in_(chains))
            .order_by(CustodyEntry.organization_id, CustodyEntry.seq)
        )
    )


def dossier_lines(session: Session, actor: User, dossier: Dossier) -> list[ManifestLine]:
    """Every manifest the dossier travelled on that the actor may see, oldest first (a re-routed
    dossier has several; the other side's drafts are not shown)."""
    stmt = scope_manifests(
        session, actor, sa.select(ManifestLine).join(Manifest, Manifest.id == ManifestLine.manifest_id)
    )
    return list(
        session.scalars(
            stmt.where(ManifestLine.dossier_id == dossier.id)
            .options(selectinload(ManifestLine.manifest))
            .order_by(ManifestLine.id)
        )
    )


def reroute_choices(session: Session, dossier: Dossier) -> list[tuple[int, str]]:
    """Active one-stop units other than the one that refused the dossier."""
    rows = session.execute(
        sa.select(Organization.id, Organization.code, Organization.name)
        .where(
            Organization.kind == OrgKind.ONE_STOP_UNIT,
            Organization.active.is_(True),
            Organization.id != dossier.unit_id,
        )
        .order_by(Organization.name)
    ).all()
    return [(row.id, f"{row.name} ({row.code})") for row in rows]


def _waiting(session: Session, leg: Leg, *where: sa.ColumnElement[bool]) -> int:
    """Envelopes ready for a new manifest of this leg and not yet on one."""
    stmt = (
        sa.select(sa.func.count())
        .select_from(Dossier)
        .where(*where, *leg.ready(), Dossier.id.not_in(on_open_manifest()))
    )
    return int(session.scalar(stmt) or 0)


def _manifests(session: Session, *where: sa.ColumnElement[bool]) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(Manifest).where(*where)) or 0)


def _pending_lines(session: Session, *where: sa.ColumnElement[bool]) -> int:
    stmt = (
        sa.select(sa.func.count())
        .select_from(ManifestLine)
        .join(Manifest, Manifest.id == ManifestLine.manifest_id)
        .where(
            *where,
            Manifest.status == ManifestStatus.DISPATCHED.value,
            ManifestLine.status == LineStatus.PENDING.value,
        )
    )
    return int(session.scalar(stmt) or 0)


def start_page_counts(session: Session, actor: User) -> dict[str, int] | None:
    """What the start page tells about hand-offs, each side only what it must act on: what waits for a
    manifest, its own drafts not yet sent, and the envelopes sent to it awaiting its answer."""
    sent_by_post = Manifest.direction != Direction.TO_POST.value
    if actor.has_role(Role.POSTAL_CLERK, Role.POSTAL_MANAGER) and actor.post_office_id is not None:
        office_id = actor.post_office_id
        return {
            "ready_dossiers": _waiting(session, TO_UNIT, Dossier.office_id == office_id),
            "results_to_return": _waiting(
                session, leg_for(Direction.RETURN.value), Dossier.office_id == office_id
            ),
            "drafts": _manifests(
                session,
                Manifest.office_id == office_id,
                sent_by_post,
                Manifest.status == ManifestStatus.DRAFT.value,
            ),
            "results_to_confirm": _pending_lines(session, Manifest.office_id == office_id, ~sent_by_post),
        }
    if actor.has_role(Role.UNIT_OFFICER):
        unit_ids = managed_ids(session, actor)
        to_unit = Manifest.unit_id.in_(unit_ids)
        return {
            "awaiting_manifests": _manifests(
                session, to_unit, sent_by_post, Manifest.status == ManifestStatus.DISPATCHED.value
            ),
            "awaiting_envelopes": _pending_lines(session, to_unit, sent_by_post),
            "results_for_the_post": _waiting(
                session, leg_for(Direction.TO_POST.value), Dossier.unit_id.in_(unit_ids)
            ),
        }
    return None
