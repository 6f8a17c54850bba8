"""The one place a pickup's status changes, with its timeline event, webhook and audit entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core import audit
from postal_hub.core.clock import to_local
from postal_hub.core.state import compare_and_set
from postal_hub.core.text import mask_name
from postal_hub.core.users.models import User
from postal_hub.pickup.models import Pickup, PickupEvent
from postal_hub.pickup.status import EVENT_LABELS, PICKUP_MACHINE, PickupStatus
from postal_hub.webhooks import outbox

WEBHOOK_EVENTS = {"booked", "cancelled", "completed", "failed"}


def webhook_data(pickup: Pickup, event: PickupEvent) -> dict[str, Any]:
    """What the unit's and the operator's systems hear: the booking, never the applicant's ID or phone."""
    return {
        "reference": pickup.reference,
        "status": pickup.status,
        "procedure": {"code": pickup.procedure.code, "name": pickup.procedure.name},
        "unit": {"code": pickup.unit.code, "name": pickup.unit.name},
        "post_office": {"code": pickup.office.code, "name": pickup.office.name},
        "applicant": mask_name(pickup.applicant_name),
        "slot_start": to_local(pickup.slot_start).isoformat(),
        "slot_end": to_local(pickup.slot_end).isoformat(),
        "dossier_code": pickup.dossier.code if pickup.dossier else None,
        "event": {
            "code": event.code,
            "at": to_local(event.at).isoformat(),
            "description": str(EVENT_LABELS.get(event.code, event.code)),
            "note": event.note,
        },
    }


def record_event(
    session: Session, pickup: Pickup, code: str, at: datetime, actor: User | None, note: str = ""
) -> PickupEvent:
    event = PickupEvent(code=code, at=at, actor_id=actor.id if actor else None, note=note[:500])
    pickup.events.append(event)
    session.flush()
    if code in WEBHOOK_EVENTS:
        outbox.enqueue(
            session,
            [pickup.unit_id, pickup.operator_id],
            f"pickup.{code}",
            webhook_data(pickup, event),
            pickup.reference,
            at,
        )
    return event


def write(session: Session, pickup: Pickup, expected: str, values: dict[str, Any]) -> None:
    """A conditional update: the status and the seat must still be those read, else Conflict; then
    the relationships whose keys changed are reloaded (a webhook must name the new dossier, office...)."""
    compare_and_set(
        session,
        pickup,
        expected,
        values,
        str(_l("Booking %(ref)s was changed a moment ago; reload and try again.", ref=pickup.reference)),
        guard={"slot_id": pickup.slot_id},
    )
    changed = [name[:-3] for name in values if name.endswith("_id") and name[:-3] in RELATIONSHIPS]
    if changed:
        session.expire(pickup, changed)


RELATIONSHIPS = {"dossier", "office", "postman", "unit", "procedure"}


def set_status(
    session: Session,
    pickup: Pickup,
    target: PickupStatus,
    at: datetime,
    actor: User | None,
    event_code: str,
    note: str = "",
    **values: Any,
) -> None:
    """Check the move, write it only if nobody moved the booking (or its seat) meanwhile, and log it."""
    PICKUP_MACHINE.check(PickupStatus(pickup.status), target)
    previous = pickup.status
    write(session, pickup, previous, {"status": target.value, "updated_at": at, **values})
    record_event(session, pickup, event_code, at, actor, note)
    audit.record(
        session,
        actor.id if actor else None,
        f"pickup.{event_code}",
        "pickup",
        pickup.reference,
        {"from": previous, "to": target.value},
        at=at,
    )
