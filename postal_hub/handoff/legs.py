"""What a manifest does to the dossiers it carries, by direction: the one machinery, three journeys.

The manifest itself (draft, seal, dispatch, confirm line by line, close, discrepancies) is the same
whichever way envelopes travel; a leg says which dossiers may go, who sends and who receives, and what
sending, receiving and refusing an envelope mean for the dossier. Dossiers go to the unit (this
module); results come to the post office and, when they cannot be handed over, go back to the unit
(`postal_hub.delivery.legs`, which builds on this one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.contracts.status import TaskStatus, TaskType
from postal_hub.contracts.task_models import Task
from postal_hub.contracts.tasks import cancel_task, complete_task, start_task
from postal_hub.core.custody.kinds import CustodyKind
from postal_hub.core.notifications import Notifier
from postal_hub.core.users.models import User
from postal_hub.handoff.models import Manifest, ManifestLine
from postal_hub.handoff.status import Direction
from postal_hub.intake.custody import record_custody
from postal_hub.intake.lifecycle import set_status
from postal_hub.intake.models import Dossier
from postal_hub.intake.status import DossierStatus


class Leg(Protocol):
    direction: Direction
    prefix: str  # of the manifest number
    prepared_at_unit: bool  # the unit sends (results), else the post office sends

    def ready(self) -> list[sa.ColumnElement[bool]]:
        """Conditions on Dossier for what may go on a new manifest of this leg."""
        ...

    def not_ready_message(self, dossier: Dossier) -> str: ...

    def envelope_count(self, dossier: Dossier) -> int: ...

    def dispatched(
        self, session: Session, manifest: Manifest, line: ManifestLine, actor: User, who: str, now: datetime
    ) -> None: ...

    def received(
        self,
        session: Session,
        manifest: Manifest,
        line: ManifestLine,
        actor: User | None,
        who: str,
        now: datetime,
    ) -> None: ...

    def refused(
        self,
        session: Session,
        manifest: Manifest,
        line: ManifestLine,
        actor: User | None,
        who: str,
        reason: str,
        note: str,
        now: datetime,
        notifier: Notifier | None,
    ) -> None: ...


def open_tasks(session: Session, dossier: Dossier, task_type: TaskType) -> list[Task]:
    return list(
        session.scalars(
            sa.select(Task).where(
                Task.dossier_code == dossier.code,
                Task.task_type == task_type.value,
                Task.status.in_([TaskStatus.OPEN.value, TaskStatus.IN_PROGRESS.value]),
            )
        )
    )


def start_tasks(session: Session, dossier: Dossier, task_type: TaskType, now: datetime, actor: User) -> None:
    for task in open_tasks(session, dossier, task_type):
        if task.status == TaskStatus.OPEN.value:
            start_task(session, task, now, actor)


def finish_tasks(
    session: Session,
    dossier: Dossier,
    task_type: TaskType,
    now: datetime,
    actor: User | None,
    outcome: str,
    done: bool,
) -> None:
    """Done work is billed; work that did not happen (a refusal, a result never delivered) is not."""
    for task in open_tasks(session, dossier, task_type):
        if done:
            complete_task(session, task, now, outcome=outcome, actor=actor)
        else:
            cancel_task(session, task, now, outcome, actor)


def refusal_note(reason: str, note: str) -> str:
    """How a refused envelope's reason reads on the timeline."""
    return f"{reason}: {note}" if note else reason


def component_count(dossier: Dossier) -> int:
    """The papers physically in the envelope: reused documents travel as files, not paper."""
    return sum(c.count for c in dossier.components if c.reused_file_id is None)


class DossiersToUnit:
    """Accepted dossiers, from the office where they were accepted to the competent unit."""

    direction = Direction.TO_UNIT
    prefix = "BK"
    prepared_at_unit = False

    def ready(self) -> list[sa.ColumnElement[bool]]:
        return [Dossier.status.in_((DossierStatus.ACCEPTED.value, DossierStatus.DIGITIZED.value))]

    def not_ready_message(self, dossier: Dossier) -> str:
        return str(_l("%(code)s is already on its way or on another manifest.", code=dossier.code))

    def envelope_count(self, dossier: Dossier) -> int:
        return component_count(dossier)

    def dispatched(
        self, session: Session, manifest: Manifest, line: ManifestLine, actor: User, who: str, now: datetime
    ) -> None:
        dossier = line.dossier
        set_status(
            session, dossier, DossierStatus.DISPATCHED, now, manifest.office.name, actor, note=manifest.number
        )
        record_custody(
            session,
            dossier,
            CustodyKind.DISPATCHED,
            now,
            who,
            manifest.office.name,
            manifest.number,
            {"seal": line.seal_number, "to": manifest.unit.code},
        )
        start_tasks(session, dossier, TaskType.CARRIAGE, now, actor)

    def received(
        self,
        session: Session,
        manifest: Manifest,
        line: ManifestLine,
        actor: User | None,
        who: str,
        now: datetime,
    ) -> None:
        dossier, place = line.dossier, manifest.unit.name
        set_status(session, dossier, DossierStatus.RECEIVED, now, place, actor, note=manifest.number, via=who)
        record_custody(session, dossier, CustodyKind.RECEIVED, now, who, place, manifest.number)
        finish_tasks(session, dossier, TaskType.CARRIAGE, now, actor, str(_l("Received by the unit")), True)

    def refused(
        self,
        session: Session,
        manifest: Manifest,
        line: ManifestLine,
        actor: User | None,
        who: str,
        reason: str,
        note: str,
        now: datetime,
        notifier: Notifier | None,
    ) -> None:
        dossier, place = line.dossier, manifest.unit.name
        event_note = refusal_note(reason, note)
        set_status(session, dossier, DossierStatus.REJECTED, now, place, actor, note=event_note, via=who)
        record_custody(
            session,
            dossier,
            CustodyKind.REJECTED,
            now,
            who,
            place,
            manifest.number,
            {"reason": reason, "note": note},
        )
        finish_tasks(session, dossier, TaskType.CARRIAGE, now, actor, str(_l("Refused by the unit")), False)


def leg_for(direction: str) -> Leg:
    """The leg of a manifest's direction (a Leg)."""
    if direction == Direction.TO_UNIT.value:
        return TO_UNIT
    # Results travel under the delivery feature, which builds on the hand-off; imported late so the
    # hand-off package does not depend on it at import time.
    from postal_hub.delivery import legs

    return legs.RESULTS_TO_POST if direction == Direction.TO_POST.value else legs.RESULTS_BACK_TO_UNIT


TO_UNIT = DossiersToUnit()
