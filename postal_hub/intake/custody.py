"""Custody entries for a dossier, written to the unit's chain and to the operator's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from postal_hub.core.custody.kinds import CustodyKind
from postal_hub.core.custody.services import Subject, append_for
from postal_hub.core.users.models import User
from postal_hub.intake.models import Dossier


def actor_label(user: User | None, via: str = "") -> str:
    """A person as 'username (full name)'; a machine client as 'api:<organization code>'."""
    if user is not None:
        return f"{user.username} ({user.full_name})"
    return via or "system"


def record_custody(
    session: Session,
    dossier: Dossier,
    kind: CustodyKind,
    at: datetime,
    actor: str,
    place: str,
    manifest_number: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    append_for(
        session,
        [dossier.unit, dossier.operator],
        kind,
        Subject(dossier.id, dossier.code, dossier.item_number, manifest_number),
        at,
        actor,
        place,
        details,
    )
