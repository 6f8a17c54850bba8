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
from postal_hub.handoff.legs import finish_tasks, start_tasks
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
        dossier, place = line.dossier, manifest.unit.name
        delivery = delivery_of(session, dossier)
        set_delivery_status(
            session, delivery, DeliveryStatus.IN_TRANSIT, now, actor, "collected", manifest.number
        )
        set_status(
            session,
            dossier,
            DossierStatus.RESULT_COLLECTED,
            now,
            place,
            actor,
            event_code="result_collected",
            note=manifest.number,
        )
        record_custody(
            session,
            dossier,
            CustodyKind.RESULT_HANDED_TO_POST,
            now,
            who,
            place,
            manifest.number,
            {"seal": line.seal_number, "to": manifest.office.code},
        )
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
        dossier = line.dossier
        event_note = f"{reason}: {note}" if note else reason
        delivery = delivery_of(session, dossier)
        set_delivery_status(
            session, delivery, DeliveryStatus.AT_UNIT, now, actor, "refused_at_office", event_note
        )
        set_status(
            session,
            dossier,
            DossierStatus.RESULT_READY,
            now,
            manifest.office.name,
            actor,
            event_code="result_refused",
            note=event_note,
            via=who,
        )
        record_custody(
            session,
            dossier,
            CustodyKind.REFUSED_AT_OFFICE,
            now,
            who,
            manifest.office.name,
            manifest.number,
            {"reason": reason, "note": note},
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
        dossier, place = line.dossier, manifest.office.name
        delivery = delivery_of(session, dossier)
        set_delivery_status(
            session, delivery, DeliveryStatus.RETURNING, now, actor, "returning", manifest.number
        )
        set_status(
            session,
            dossier,
            DossierStatus.RETURNING,
            now,
            place,
            actor,
            event_code="returning",
            note=delivery.return_reason,
        )
        record_custody(
            session,
            dossier,
            CustodyKind.DISPATCHED,
            now,
            who,
            place,
            manifest.number,
            {"seal": line.seal_number, "to": manifest.unit.code, "return": True},
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
        dossier, place = line.dossier, manifest.unit.name
        delivery = delivery_of(session, dossier)
        set_delivery_status(
            session, delivery, DeliveryStatus.RETURNED, now, actor, "returned", manifest.number, closed_at=now
        )
        set_status(
            session,
            dossier,
            DossierStatus.RETURNED,
            now,
            place,
            actor,
            event_code="returned",
            note=delivery.return_reason,
            via=who,
        )
        record_custody(session, dossier, CustodyKind.RETURNED, now, who, place, manifest.number)
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
        dossier, place = line.dossier, manifest.unit.name
        event_note = f"{reason}: {note}" if note else reason
        delivery = delivery_of(session, dossier)
        set_delivery_status(
            session, delivery, DeliveryStatus.TO_RETURN, now, actor, "return_refused", event_note
        )
        set_status(
            session,
            dossier,
            DossierStatus.RESULT_COLLECTED,
            now,
            place,
            actor,
            event_code="return_refused",
            note=event_note,
            via=who,
        )
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


RESULTS_TO_POST = ResultsToPost()
RESULTS_BACK_TO_UNIT = ResultsBackToUnit()
