"""A dossier the unit refused is put right at the post and sent again: to the competent unit after a
wrong-unit refusal (re-routing), or to the same unit once the seal or the missing paper is fixed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.contracts.coverage import require_coverage
from postal_hub.contracts.status import TaskType
from postal_hub.contracts.tasks import create_task
from postal_hub.core import audit
from postal_hub.core.errors import Conflict, PermissionDenied
from postal_hub.core.orgs.models import Organization, OrgKind
from postal_hub.core.users.models import Role, User
from postal_hub.core.validation import FieldErrors
from postal_hub.handoff.models import ManifestLine
from postal_hub.handoff.status import LineStatus, RejectReason
from postal_hub.intake.lifecycle import set_status
from postal_hub.intake.models import Dossier
from postal_hub.intake.status import DossierStatus

SENDERS = (Role.POSTAL_MANAGER, Role.POSTAL_CLERK, Role.SYSTEM_ADMIN)


def refused_line(session: Session, dossier: Dossier) -> ManifestLine | None:
    """The line on which the unit refused the dossier, if that is where its journey stands now."""
    if dossier.status != DossierStatus.REJECTED.value:
        return None
    line = session.scalar(
        sa.select(ManifestLine).where(ManifestLine.dossier_id == dossier.id).order_by(ManifestLine.id.desc())
    )
    return line if line is not None and line.status == LineStatus.REJECTED.value else None


def may_send_again(actor: User, dossier: Dossier) -> bool:
    """The office's postal staff, a manager of its operator, or an administrator."""
    if actor.has_role(Role.SYSTEM_ADMIN):
        return True
    if actor.has_role(Role.POSTAL_MANAGER):
        return actor.organization_id == dossier.operator_id
    return actor.has_role(Role.POSTAL_CLERK) and actor.post_office_id == dossier.office_id


def send_again(
    session: Session, actor: User, dossier: Dossier, new_unit: Organization | None, note: str, now: datetime
) -> None:
    """Ready for a new manifest, with a new carriage task under the contract covering the unit.
    After a wrong-unit refusal the competent unit must be named; otherwise the note says what was
    put right (re-sealed, the missing paper brought by the citizen)."""
    if not may_send_again(actor, dossier):
        raise PermissionDenied(str(_l("Only the post office's staff may send this dossier again.")))
    line = refused_line(session, dossier)
    if line is None:
        raise Conflict(str(_l("Only a dossier the unit refused can be sent again.")))
    errors = FieldErrors()
    note = errors.optional_text("note", note, 500)
    wrong_unit = line.reason == RejectReason.WRONG_UNIT.value
    if wrong_unit and (new_unit is None or new_unit.kind != OrgKind.ONE_STOP_UNIT or not new_unit.active):
        errors.add("unit_id", _l("Choose the one-stop unit the dossier really belongs to."))
    elif wrong_unit and new_unit is not None and new_unit.id == dossier.unit_id:
        errors.add("unit_id", _l("This is the unit that refused it; choose another."))
    if not wrong_unit and not note:
        errors.add("note", _l("Say what was put right before it is sent again."))
    errors.raise_if_any()
    unit = new_unit if wrong_unit and new_unit is not None else dossier.unit
    require_coverage(session, TaskType.CARRIAGE, dossier.procedure, unit, dossier.office, now)
    old_unit = dossier.unit
    if unit.id != old_unit.id:
        dossier.unit_id = unit.id
        session.flush()
        session.refresh(dossier, ["unit"])
    event, change = ("rerouted", f"{old_unit.code} -> {unit.code}") if wrong_unit else ("resubmitted", note)
    set_status(
        session,
        dossier,
        DossierStatus.ACCEPTED,
        now,
        dossier.office.name,
        actor,
        event_code=event,
        note=change,
    )
    create_task(
        session, TaskType.CARRIAGE, unit, dossier.office, now, dossier.procedure, dossier.code, actor=actor
    )
    audit.record(
        session,
        actor.id,
        f"dossier.{event}",
        "dossier",
        dossier.code,
        {"from": old_unit.code, "to": unit.code, "note": note},
        at=now,
    )
