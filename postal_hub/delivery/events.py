"""The one place a delivery's status changes, with its timeline event and audit entry.

The dossier's own status (and the webhook its timeline publishes) is moved by the caller through
`intake.lifecycle.set_status`, in the same transaction: the two never disagree after a commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core import audit
from postal_hub.core.state import compare_and_set
from postal_hub.core.users.models import User
from postal_hub.delivery.models import Delivery, DeliveryEvent
from postal_hub.delivery.status import DELIVERY_MACHINE, DeliveryStatus

RELATIONSHIPS = {"postman", "office"}


def record_event(
    session: Session, delivery: Delivery, code: str, at: datetime, actor: User | None, note: str = ""
) -> DeliveryEvent:
    event = DeliveryEvent(code=code, at=at, actor_id=actor.id if actor else None, note=note[:500])
    delivery.events.append(event)
    session.flush()
    return event


def write(session: Session, delivery: Delivery, expected: str, values: dict[str, Any]) -> None:
    """A conditional update: status and seat must still be those read (a citizen may be moving the
    window while the manager plans), else Conflict."""
    compare_and_set(
        session,
        delivery,
        expected,
        values,
        str(
            _l(
                "The delivery of %(code)s was changed a moment ago; reload and try again.",
                code=delivery.dossier.code,
            )
        ),
        guard={"slot_id": delivery.slot_id},
    )
    changed = [name[:-3] for name in values if name.endswith("_id") and name[:-3] in RELATIONSHIPS]
    if changed:
        session.expire(delivery, changed)


def set_status(
    session: Session,
    delivery: Delivery,
    target: DeliveryStatus,
    at: datetime,
    actor: User | None,
    event_code: str,
    note: str = "",
    **values: Any,
) -> None:
    DELIVERY_MACHINE.check(DeliveryStatus(delivery.status), target)
    previous = delivery.status
    write(session, delivery, previous, {"status": target.value, "updated_at": at, **values})
    record_event(session, delivery, event_code, at, actor, note)
    audit.record(
        session,
        actor.id if actor else None,
        f"delivery.{event_code}",
        "delivery",
        delivery.dossier.code,
        {"from": previous, "to": target.value},
        at=at,
    )
