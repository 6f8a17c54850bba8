"""At the unit: confirm or refuse each envelope, note extra ones, close the manifest; re-route refusals."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core.errors import Conflict, NotFound
from postal_hub.core.notifications import Notifier
from postal_hub.core.orgs.models import Organization
from postal_hub.core.state import compare_and_set
from postal_hub.core.users.models import User
from postal_hub.core.validation import FieldErrors
from postal_hub.handoff import notices
from postal_hub.handoff.access import require_receive
from postal_hub.handoff.legs import leg_for
from postal_hub.handoff.models import Manifest, ManifestExtra, ManifestLine
from postal_hub.handoff.services import set_manifest_status
from postal_hub.handoff.status import LINE_MACHINE, Direction, LineStatus, ManifestStatus, RejectReason
from postal_hub.intake.models import Dossier

MAX_EXTRAS = 200
UNIT_RECEIVES = (Direction.TO_UNIT.value, Direction.RETURN.value)


def _require_dispatched(manifest: Manifest) -> None:
    if manifest.status != ManifestStatus.DISPATCHED.value:
        raise Conflict(str(_l("Manifest %(number)s is not awaiting confirmation.", number=manifest.number)))


def pending_line_for_unit(session: Session, unit: Organization, dossier: Dossier) -> ManifestLine:
    """The line of a dispatched manifest to this unit that carries the dossier (the receipt endpoint)."""
    line = session.scalar(
        sa.select(ManifestLine)
        .join(Manifest, Manifest.id == ManifestLine.manifest_id)
        .where(
            ManifestLine.dossier_id == dossier.id,
            Manifest.unit_id == unit.id,
            Manifest.direction.in_(UNIT_RECEIVES),
            Manifest.status.in_([ManifestStatus.DISPATCHED.value, ManifestStatus.CLOSED.value]),
        )
        .order_by(ManifestLine.id.desc())
    )
    if line is None:
        raise NotFound(str(_l("%(code)s is not on a manifest sent to you.", code=dossier.code)))
    return line


def confirm_line(
    session: Session,
    actor: User | None,
    who: str,
    manifest: Manifest,
    line: ManifestLine,
    accepted: bool,
    reason: str | None,
    note: str,
    now: datetime,
    notifier: Notifier | None = None,
) -> None:
    """Received: the receiving side holds the envelope (the leg says what follows: for a dossier, the
    carriage task is done). Refused: the envelope goes back with the postman, with the reason, and the
    sending side is told; a refused carriage is cancelled, not billed. An envelope listed as not
    received when the manifest was closed can still be answered when it turns up late."""
    require_receive(session, actor, manifest)  # the screens and the API check too; this is the last word
    # The manifest's row is locked first, as closing it does, so an answer and a closing never wait
    # on each other's rows (a deadlock); its status is then read fresh, not as loaded earlier.
    session.refresh(manifest, ["status"], with_for_update=True)
    late = line.status == LineStatus.MISSING.value and manifest.status == ManifestStatus.CLOSED.value
    if line.status != LineStatus.PENDING.value and not late:
        raise Conflict(
            str(
                _l("%(code)s was already answered on this manifest; nothing changed.", code=line.dossier_code)
            )
        )
    if not late:
        _require_dispatched(manifest)
    errors = FieldErrors()
    note = errors.optional_text("note", note, 500)
    if not accepted and reason not in {r.value for r in RejectReason}:
        errors.add("reason", _l("Say why the envelope is refused."))
    if not accepted and reason == RejectReason.OTHER.value and not note:
        errors.add("note", _l("Describe the reason."))
    errors.raise_if_any()
    target = LineStatus.RECEIVED if accepted else LineStatus.REJECTED
    answer_line(session, line, target, now, who, None if accepted else reason, note)
    manifest.updated_at = now
    leg = leg_for(manifest.direction)
    if accepted:
        leg.received(session, manifest, line, actor, who, now)
    else:
        assert reason is not None
        leg.refused(session, manifest, line, actor, who, reason, note, now, notifier)
        if notifier is not None:
            notices.refused(session, notifier, manifest, line.dossier_code, now)
    session.flush()


def answer_line(
    session: Session,
    line: ManifestLine,
    target: LineStatus,
    now: datetime,
    who: str,
    reason: str | None = None,
    note: str = "",
    conflict: bool = True,
) -> bool:
    """The only place a line's status changes: checked against the table, written only if nobody
    answered it in the meantime (False, or a Conflict, otherwise)."""
    previous = LineStatus(line.status)
    LINE_MACHINE.check(previous, target)
    values = {
        "status": target.value,
        "confirmed_at": now,
        "confirmed_by": who[:160],
        "reason": reason,
        "note": note,
    }
    message = str(
        _l("%(code)s was already answered on this manifest; nothing changed.", code=line.dossier_code)
    )
    return compare_and_set(session, line, previous.value, values, message if conflict else "")


def record_extra(
    session: Session, who: str, manifest: Manifest, label: str, note: str, now: datetime
) -> ManifestExtra:
    """An envelope in the bag that is not on the list: recorded, shown to both sides."""
    _require_dispatched(manifest)
    errors = FieldErrors()
    label = errors.require("label", label, 60)
    note = errors.optional_text("note", note, 500)
    if len(manifest.extras) >= MAX_EXTRAS:
        errors.add("label", _l("Too many extra envelopes on one manifest."))
    errors.raise_if_any()
    extra = ManifestExtra(label=label.upper(), note=note, recorded_at=now, recorded_by=who[:160])
    manifest.extras.append(extra)
    manifest.updated_at = now
    session.flush()
    return extra


def close(
    session: Session,
    actor_id: int | None,
    who: str,
    manifest: Manifest,
    now: datetime,
    notifier: Notifier | None = None,
) -> list[ManifestLine]:
    """Sign the manifest off. Lines still unanswered become 'not received': discrepancies the post
    must explain (their dossiers stay in transit and their carriage tasks stay open)."""
    _require_dispatched(manifest)
    set_manifest_status(session, manifest, ManifestStatus.CLOSED, now, who, actor_id)
    pending = [line for line in manifest.lines if line.status == LineStatus.PENDING.value]
    # A line answered a moment ago by someone else is not missing: it keeps that answer.
    missing = [
        line for line in pending if answer_line(session, line, LineStatus.MISSING, now, who, conflict=False)
    ]
    manifest.closed_at, manifest.closed_by = now, who[:160]
    if notifier is not None:
        notices.closed(session, notifier, manifest, now)
    return missing
