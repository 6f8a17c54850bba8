"""What the handover services share: who is at the door, where the phone was, a visit that failed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core.custody.kinds import CustodyKind
from postal_hub.core.errors import Conflict, PermissionDenied
from postal_hub.core.geo.nearest import geodesic_km
from postal_hub.core.users.models import Role, User
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.status import DeliveryStatus, FailureReason
from postal_hub.intake.custody import actor_label, record_custody
from postal_hub.intake.lifecycle import set_status as set_dossier_status
from postal_hub.intake.status import DossierStatus

FAR_FROM_ADDRESS_M = 500  # a GPS point further from the address's point is shown flagged
# What a visit that ended at the door leaves behind: the result is back at the office, off any run.
OFF_THE_RUN: dict[str, Any] = {
    "postman_id": None,
    "route_position": None,
    "planned_at": None,
    "window_start": None,
    "window_end": None,
    "slot_id": None,
}


def lock(session: Session, delivery: Delivery) -> None:
    """Re-read what a handover decides on under a row lock: two submissions (a double tap, two
    clerks) are served one after the other, and the second sees what the first did."""
    session.refresh(
        delivery, ["status", "attempts", "id_failures", "postman_id", "slot_id"], with_for_update=True
    )


def check_on_run(actor: User, delivery: Delivery) -> None:
    """At the door only the postman whose run the result is on, and only while it is out."""
    if not actor.has_role(Role.POSTMAN) or delivery.postman_id != actor.id:
        raise PermissionDenied(
            str(_l("The result of %(code)s is not on your run.", code=delivery.dossier.code))
        )
    status = DeliveryStatus(delivery.status)
    if status == DeliveryStatus.BLOCKED:
        raise Conflict(
            str(_l("This result is blocked after wrong identity checks; take it back to the office."))
        )
    if status != DeliveryStatus.OUT:
        raise Conflict(str(_l("The result of %(code)s is not out for delivery.", code=delivery.dossier.code)))


def door_place(delivery: Delivery) -> str:
    return f"{delivery.street}, {delivery.commune.name}"


def distance_from_address(
    delivery: Delivery, lat: float | None, lon: float | None
) -> tuple[int | None, bool]:
    """Metres from the address's point, and whether that is far enough to flag."""
    if lat is None or lon is None or delivery.lat is None or delivery.lon is None:
        return None, False
    metres = round(geodesic_km(delivery.lat, delivery.lon, lat, lon) * 1000)
    return metres, metres > FAR_FROM_ADDRESS_M


def back_at_office(
    session: Session, actor: User, delivery: Delivery, reason: FailureReason, text: str, now: datetime
) -> None:
    """A visit that did not hand the result over: the dossier's result is with the post again."""
    dossier = delivery.dossier
    set_dossier_status(
        session,
        dossier,
        DossierStatus.RESULT_COLLECTED,
        now,
        door_place(delivery),
        actor,
        event_code="delivery_failed",
        note=text,
    )
    record_custody(
        session,
        dossier,
        CustodyKind.BACK_AT_OFFICE,
        now,
        actor_label(actor),
        delivery.office.name,
        "",
        {"reason": reason.value, "attempt": delivery.attempts},
    )
