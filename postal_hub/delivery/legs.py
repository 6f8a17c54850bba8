"""Results on manifests: from the unit to the post office, and back when they cannot be handed over.

The hand-off machinery (`postal_hub.handoff`) carries them exactly as it carries dossiers; these legs
say what sending, receiving and refusing an envelope mean for a result.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.contracts.status import TaskType
from postal_hub.core.custody.kinds import CustodyKind
from postal_hub.core.notifications import Notifier
from postal_hub.core.users.models import User
from postal_hub.delivery import arrival
from postal_hub.delivery.events import set_status as set_delivery_status
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.status import DeliveryStatus
from postal_hub.handoff.legs import finish_tasks, refusal_note, start_tasks
from postal_hub.handoff.models import Manifest, ManifestLine
from postal_hub.handoff.status import Direction
from postal_hub.intake.custody import record_custody
from postal_hub.intake.lifecycle import set_status
from postal_hub.intake.models import Dossier
from postal_hub.intake.status import DossierStatus


def delivery_of(session: Session, dossier: Dossier) -> Delivery:
    found = session.scalar(sa.select(Delivery).where(Delivery.dossier_id == dossier.id))
    assert found is not None, "a result on a manifest always has its delivery"
    return found


def _with_delivery(status: DeliveryStatus) -> sa.ColumnElement[bool]:
    return Dossier.id.in_(sa.select(Delivery.dossier_id).where(Delivery.status == status.value))


def _move(
    session: Session,
    manifest: Manifest,
    line: ManifestLine,
    actor: User | None,
    who: str,
    now: datetime,
    step: tuple[DeliveryStatus, str, str],
    dossier_step: tuple[DossierStatus, str, str | None],
    place: str,
    custody: tuple[CustodyKind, dict[str, object] | None],
    via: str = "",
    **delivery_values: object,
) -> Delivery:
    """One step of a result on a manifest, written the same way everywhere: the delivery's status
    (target, event, note), the dossier's (target, event, note; None: the delivery's reason to go back)
    with its webhook, and the custody entry."""
    dossier = line.dossier
    delivery = delivery_of(session, dossier)
    target, code, note = step
    set_delivery_status(session, delivery, target, now, actor, code, note, **delivery_values)
    dossier_target, dossier_code, dossier_note = dossier_step
    if dossier_note is None:  # the delivery's reason to go back
        dossier_note = delivery.return_reason
    set_status(
        session,
        dossier,
        dossier_target,
        now,
        place,
        actor,
        event_code=dossier_code,
        note=dossier_note,
        via=via,
    )
    kind, details = custody
    record_custody(session, dossier, kind, now, who, place, manifest.number, details)
    return delivery


class ResultsToPost:
    """Results the unit has ready, to the post office that returns them to the citizen."""

    direction = Direction.TO_POST
    prefix = "KQ"
    prepared_at_unit = True

    def ready(self) -> list[sa.ColumnElement[bool]]:
        return [Dossier.status == DossierStatus.RESULT_READY.value, _with_delivery(DeliveryStatus.AT_UNIT)]

    def not_ready_message(self, dossier: Dossier) -> str:
        return str(
            _l(
                "The result of %(code)s is not waiting for the post, or is on another manifest.",
                code=dossier.code,
            )
        )

    def envelope_count(self, dossier: Dossier) -> int:
        return 1  # the result: a licence, a certificate, a decision

    def dispatched(
        self, session: Session, manifest: Manifest, line: ManifestLine, actor: User, who: str, now: datetime
    ) -> None:
        number = manifest.number
        _move(
            session,
            manifest,
            line,
            actor,
            who,
            now,
            (DeliveryStatus.IN_TRANSIT, "collected", number),
            (DossierStatus.RESULT_COLLECTED, "result_collected", number),
            manifest.unit.name,
            (CustodyKind.RESULT_HANDED_TO_POST, {"seal": line.seal_number, "to": manifest.office.code}),
        )
        dossier = line.dossier
        start_tasks(session, dossier, TaskType.RESULT_COLLECTION, now, actor)

    def received(
        self,
        session: Session,
        manifest: Manifest,
        line: ManifestLine,
        actor: User | None,
        who: str,
        now: datetime,
    ) -> None:
        dossier = line.dossier
        record_custody(
            session, dossier, CustodyKind.RECEIVED_AT_OFFICE, now, who, manifest.office.name, manifest.number
        )
        outcome = str(_l("Received at the post office"))
        finish_tasks(session, dossier, TaskType.RESULT_COLLECTION, now, actor, outcome, True)
        arrival.arrived(session, delivery_of(session, dossier), now, actor)

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
        """The envelope goes back to the unit with the postman (a damaged seal, not what was listed)."""
        event_note = refusal_note(reason, note)
        _move(
            session,
            manifest,
            line,
            actor,
            who,
            now,
            (DeliveryStatus.AT_UNIT, "refused_at_office", event_note),
            (DossierStatus.RESULT_READY, "result_refused", event_note),
            manifest.office.name,
            (CustodyKind.REFUSED_AT_OFFICE, {"reason": reason, "note": note}),
            via=who,
        )


class ResultsBackToUnit:
    """Results the post could not hand over (failed attempts, not collected in time), back to the unit."""

    direction = Direction.RETURN
    prefix = "HT"
    prepared_at_unit = False

    def ready(self) -> list[sa.ColumnElement[bool]]:
        return [
            Dossier.status == DossierStatus.RESULT_COLLECTED.value,
            _with_delivery(DeliveryStatus.TO_RETURN),
        ]

    def not_ready_message(self, dossier: Dossier) -> str:
        return str(
            _l(
                "The result of %(code)s is not due back to the unit, or is on another manifest.",
                code=dossier.code,
            )
        )

    def envelope_count(self, dossier: Dossier) -> int:
        return 1

    def dispatched(
        self, session: Session, manifest: Manifest, line: ManifestLine, actor: User, who: str, now: datetime
    ) -> None:
        _move(
            session,
            manifest,
            line,
            actor,
            who,
            now,
            (DeliveryStatus.RETURNING, "returning", manifest.number),
            (DossierStatus.RETURNING, "returning", None),
            manifest.office.name,
            (CustodyKind.DISPATCHED, {"seal": line.seal_number, "to": manifest.unit.code, "return": True}),
        )

    def received(
        self,
        session: Session,
        manifest: Manifest,
        line: ManifestLine,
        actor: User | None,
        who: str,
        now: datetime,
    ) -> None:
        _move(
            session,
            manifest,
            line,
            actor,
            who,
            now,
            (DeliveryStatus.RETURNED, "returned", manifest.number),
            (DossierStatus.RETURNED, "returned", None),
            manifest.unit.name,
            (CustodyKind.RETURNED, None),
            via=who,
            closed_at=now,
        )
        dossier = line.dossier
        outcome = str(_l("Returned to the unit"))
        finish_tasks(session, dossier, TaskType.RESULT_DELIVERY, now, actor, outcome, False)

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
        event_note = refusal_note(reason, note)
        _move(
            session,
            manifest,
            line,
            actor,
            who,
            now,
            (DeliveryStatus.TO_RETURN, "return_refused", event_note),
            (DossierStatus.RESULT_COLLECTED, "return_refused", event_note),
            manifest.unit.name,
            (CustodyKind.REJECTED, {"reason": reason, "note": note}),
            via=who,
        )


RESULTS_TO_POST = ResultsToPost()
RESULTS_BACK_TO_UNIT = ResultsBackToUnit()
