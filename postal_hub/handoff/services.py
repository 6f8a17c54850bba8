"""Preparing and dispatching manifests at the post office: batch, seal, send, with custody on every line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core import audit
from postal_hub.core.clock import to_local
from postal_hub.core.counters import next_value
from postal_hub.core.custody.kinds import CustodyKind
from postal_hub.core.notifications import Notifier
from postal_hub.core.orgs.models import Organization, OrgKind, PostOffice
from postal_hub.core.state import compare_and_set
from postal_hub.core.users.models import User
from postal_hub.core.validation import FieldErrors
from postal_hub.handoff import notices
from postal_hub.handoff.access import require_prepare
from postal_hub.handoff.legs import leg_for
from postal_hub.handoff.models import Manifest, ManifestLine
from postal_hub.handoff.status import MANIFEST_MACHINE, Direction, LineStatus, ManifestStatus
from postal_hub.intake.custody import actor_label, record_custody
from postal_hub.intake.models import Dossier

SEAL = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,29}$")
OPEN_MANIFESTS = (ManifestStatus.DRAFT.value, ManifestStatus.DISPATCHED.value)
MAX_LINES = 500


@dataclass(frozen=True)
class LineInput:
    dossier_code: str
    seal_number: str


def on_open_manifest() -> sa.Select[Any]:
    """Dossiers already listed, and not yet answered, on a manifest being prepared or on its way."""
    return (
        sa.select(ManifestLine.dossier_id)
        .join(Manifest, Manifest.id == ManifestLine.manifest_id)
        .where(Manifest.status.in_(OPEN_MANIFESTS), ManifestLine.status == LineStatus.PENDING.value)
    )


def set_manifest_status(
    session: Session,
    manifest: Manifest,
    target: ManifestStatus,
    now: datetime,
    actor: str,
    actor_id: int | None,
) -> None:
    """The only place a manifest's status changes."""
    MANIFEST_MACHINE.check(ManifestStatus(manifest.status), target)
    previous = manifest.status
    compare_and_set(
        session,
        manifest,
        previous,
        {"status": target.value, "updated_at": now},
        str(
            _l(
                "Manifest %(number)s was changed by someone else a moment ago; reload it.",
                number=manifest.number,
            )
        ),
    )
    audit.record(
        session,
        actor_id,
        f"manifest.{target.value}",
        "manifest",
        manifest.number,
        {"from": previous, "by": actor},
        at=now,
    )
    session.flush()


def create_manifest(
    session: Session,
    actor: User,
    office: PostOffice,
    unit: Organization | None,
    lines: list[LineInput],
    now: datetime,
    note: str = "",
    direction: Direction = Direction.TO_UNIT,
) -> Manifest:
    """A draft manifest between this office and one unit, the way `direction` says. Every dossier must
    be this unit's and this office's, ready for the leg (see `legs`), not yet on another open manifest,
    and sealed in its own envelope (one seal number each)."""
    leg = leg_for(direction.value)
    errors = FieldErrors()
    if unit is None or unit.kind != OrgKind.ONE_STOP_UNIT or not unit.active:
        errors.add("unit_id", _l("Choose the one-stop unit the dossiers go to."))
    if not lines:
        errors.add("lines", _l("Choose at least one dossier."))
    elif len(lines) > MAX_LINES:
        errors.add("lines", _l("At most %(n)d dossiers on one manifest.", n=MAX_LINES))
    note = errors.optional_text("note", note, 500)
    errors.raise_if_any()
    assert unit is not None
    # Every dossier's row is locked first, then the open manifests are read: a second preparer waits
    # on the locks and then sees the first one's draft, so one dossier never lands on two drafts.
    codes = [line.dossier_code for line in lines]
    locked = {
        d.code: d
        for d in session.scalars(
            sa.select(Dossier).where(Dossier.code.in_(codes)).order_by(Dossier.id).with_for_update()
        )
    }
    busy = set(session.scalars(on_open_manifest()))
    seals: dict[str, str] = {}
    dossiers: list[tuple[Dossier, str]] = []
    for index, line in enumerate(lines):
        field = f"lines-{index}"
        dossier = locked.get(line.dossier_code)
        seal = (line.seal_number or "").strip().upper()
        ready = dossier is not None and session.scalar(
            sa.select(sa.func.count()).select_from(Dossier).where(Dossier.id == dossier.id, *leg.ready())
        )
        if dossier is None or (leg.prepared_at_unit and dossier.unit_id != unit.id):
            errors.add(field, _l("%(code)s is not a dossier of this unit.", code=line.dossier_code))
        elif dossier.office_id != office.id:
            if leg.prepared_at_unit:
                errors.add(field, _l("%(code)s goes to another post office.", code=dossier.code))
            else:
                errors.add(field, _l("%(code)s was not accepted at this office.", code=line.dossier_code))
        elif dossier.unit_id != unit.id:
            errors.add(field, _l("%(code)s goes to another unit.", code=dossier.code))
        elif not ready or dossier.id in busy:
            errors.add(field, leg.not_ready_message(dossier))
        elif not SEAL.match(seal):
            errors.add(
                field,
                _l(
                    "Enter the seal number of %(code)s (3 to 30 letters, digits or dashes).",
                    code=dossier.code,
                ),
            )
        elif seal in seals:
            errors.add(field, _l("Seal %(seal)s is already used for %(code)s.", seal=seal, code=seals[seal]))
        else:
            seals[seal] = dossier.code
            dossiers.append((dossier, seal))
    errors.raise_if_any()
    day = to_local(now).date()
    sender = unit.code if leg.prepared_at_unit else office.code
    sequence = next_value(session, f"manifest:{leg.prefix}:{sender}:{day:%y%m%d}")
    manifest = Manifest(
        number=f"{leg.prefix}-{sender}-{day:%y%m%d}-{sequence:03d}",
        direction=direction.value,
        status=ManifestStatus.DRAFT.value,
        operator_id=office.operator_id,
        office_id=office.id,
        unit_id=unit.id,
        note=note,
        created_at=now,
        created_by_id=actor.id,
        updated_at=now,
    )
    manifest.lines = [
        ManifestLine(
            position=position,
            dossier_id=dossier.id,
            dossier_code=dossier.code,
            item_number=dossier.item_number,
            component_count=leg.envelope_count(dossier),
            seal_number=seal,
            status=LineStatus.PENDING.value,
        )
        for position, (dossier, seal) in enumerate(dossiers, start=1)
    ]
    session.add(manifest)
    session.flush()
    who = actor_label(actor)
    place = unit.name if leg.prepared_at_unit else office.name
    for dossier, seal in dossiers:
        record_custody(session, dossier, CustodyKind.SEALED, now, who, place, manifest.number, {"seal": seal})
    audit.record(
        session, actor.id, "manifest.created", "manifest", manifest.number, {"lines": len(dossiers)}, at=now
    )
    return manifest


def dispatch(
    session: Session, actor: User, manifest: Manifest, now: datetime, notifier: Notifier | None = None
) -> None:
    """The envelopes leave: each dossier moves on (its leg says how) and the receiving side is told."""
    require_prepare(actor, manifest)
    who = actor_label(actor)
    set_manifest_status(session, manifest, ManifestStatus.DISPATCHED, now, who, actor.id)
    manifest.dispatched_at, manifest.dispatched_by_id = now, actor.id
    leg = leg_for(manifest.direction)
    for line in manifest.lines:
        leg.dispatched(session, manifest, line, actor, who, now)
    if notifier is not None:
        notices.dispatched(session, notifier, manifest, now)


def cancel(session: Session, actor: User, manifest: Manifest, now: datetime) -> None:
    """A draft that never left: its dossiers are free for another manifest."""
    require_prepare(actor, manifest)
    set_manifest_status(session, manifest, ManifestStatus.CANCELLED, now, actor_label(actor), actor.id)
