"""The one place a dossier's status changes: check the move, append the timeline event, same transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from postal_hub.core import audit
from postal_hub.core.users.models import User
from postal_hub.intake.models import Dossier, DossierEvent
from postal_hub.intake.status import DOSSIER_MACHINE, DossierStatus


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
    return event


def set_status(
    session: Session,
    dossier: Dossier,
    target: DossierStatus,
    at: datetime,
    place: str,
    actor: User | None,
    event_code: str | None = None,
    note: str = "",
) -> None:
    DOSSIER_MACHINE.check(DossierStatus(dossier.status), target)
    previous = dossier.status
    dossier.status = target.value
    record_event(session, dossier, event_code or target.value, at, place, actor, note)
    audit.record(
        session,
        actor.id if actor else None,
        f"dossier.{target.value}",
        "dossier",
        dossier.code,
        {"from": previous},
        at=at,
    )
