"""The one place a dossier's status changes: check the move, append the timeline event, same transaction."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core import audit
from postal_hub.core.clock import to_local
from postal_hub.core.state import compare_and_set
from postal_hub.core.users.models import User
from postal_hub.intake.models import Dossier, DossierEvent
from postal_hub.intake.status import DOSSIER_MACHINE, EVENT_LABELS, DossierStatus
from postal_hub.webhooks import outbox
from postal_hub.webhooks.status import EVENT_TYPES


def record_event(
    session: Session,
    dossier: Dossier,
    code: str,
    at: datetime,
    place: str,
    actor: User | None,
    note: str = "",
) -> DossierEvent:
    """Append a step to the timeline, in the same transaction as the change it describes."""
    event = DossierEvent(
        code=code, at=at, place=place[:255], actor_id=actor.id if actor else None, note=note[:500]
    )
    dossier.events.append(event)
    session.flush()
    publish(session, dossier, event)
    return event


def publish(session: Session, dossier: Dossier, event: DossierEvent) -> None:
    """Tell the unit's and the operator's systems, through the outbox in this same transaction: the
    webhook is sent if and only if the change commits."""
    event_type = f"dossier.{event.code}"
    if event_type not in EVENT_TYPES:
        return  # e.g. a re-routing: the new unit hears of the dossier when it is dispatched to it
    data = {
        "dossier_code": dossier.code,
        "item_number": dossier.item_number,
        "status": dossier.status,
        "procedure": {"code": dossier.procedure.code, "name": dossier.procedure.name},
        "unit": {"code": dossier.unit.code, "name": dossier.unit.name},
        "event": {
            "code": event.code,
            "at": to_local(event.at).isoformat(),
            "location": event.place,
            "description": str(EVENT_LABELS.get(event.code, event.code)),
            "note": event.note,
        },
    }
    outbox.enqueue(session, [dossier.unit_id, dossier.operator_id], event_type, data, dossier.code, event.at)


def set_status(
    session: Session,
    dossier: Dossier,
    target: DossierStatus,
    at: datetime,
    place: str,
    actor: User | None,
    event_code: str | None = None,
    note: str = "",
    via: str = "",
) -> None:
    """The only place a dossier's status changes; `via` names a machine client acting without a user."""
    DOSSIER_MACHINE.check(DossierStatus(dossier.status), target)
    previous = dossier.status
    compare_and_set(
        session,
        dossier,
        previous,
        {"status": target.value, "updated_at": at},
        str(
            _l("%(code)s was changed by someone else a moment ago; reload and try again.", code=dossier.code)
        ),
    )
    record_event(session, dossier, event_code or target.value, at, place, actor, note)
    audit.record(
        session,
        actor.id if actor else None,
        f"dossier.{target.value}",
        "dossier",
        dossier.code,
        {"from": previous, **({"via": via} if via else {})},
        at=at,
    )
