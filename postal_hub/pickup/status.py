"""The pickup vocabulary: statuses and their allowed moves, failure reasons, timeline events."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from postal_hub.core.state import StateMachine


class PickupStatus(StrEnum):
    BOOKED = "booked"
    ASSIGNED = "assigned"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


PICKUP_STATUS_LABELS = {
    PickupStatus.BOOKED: _l("Booked"),
    PickupStatus.ASSIGNED: _l("Assigned to a postman"),
    PickupStatus.COMPLETED: _l("Picked up"),
    PickupStatus.FAILED: _l("Pickup failed"),
    PickupStatus.CANCELLED: _l("Cancelled"),
}

PICKUP_MACHINE = StateMachine[PickupStatus](
    _l("pickup"),
    {
        PickupStatus.BOOKED: frozenset(
            {PickupStatus.ASSIGNED, PickupStatus.CANCELLED, PickupStatus.COMPLETED, PickupStatus.FAILED}
        ),
        # Unassigning (or a reschedule) puts an assigned pickup back in the office's pool.
        PickupStatus.ASSIGNED: frozenset(
            {PickupStatus.BOOKED, PickupStatus.COMPLETED, PickupStatus.FAILED, PickupStatus.CANCELLED}
        ),
        # After a failed visit the citizen may choose a new window: the same booking, booked again.
        PickupStatus.FAILED: frozenset({PickupStatus.BOOKED, PickupStatus.CANCELLED}),
    },
    PICKUP_STATUS_LABELS,
)

# Open bookings hold a seat and can still be changed by the citizen.
OPEN = frozenset({PickupStatus.BOOKED, PickupStatus.ASSIGNED})


class FailureReason(StrEnum):
    NOBODY_HOME = "nobody_home"
    INCOMPLETE = "incomplete"
    WRONG_ADDRESS = "wrong_address"
    REFUSED = "refused"
    ID_MISMATCH = "id_mismatch"
    OTHER = "other"


FAILURE_LABELS = {
    FailureReason.NOBODY_HOME: _l("Nobody at home"),
    FailureReason.INCOMPLETE: _l("Dossier incomplete"),
    FailureReason.WRONG_ADDRESS: _l("Address not found"),
    FailureReason.REFUSED: _l("The citizen no longer wants the pickup"),
    FailureReason.ID_MISMATCH: _l("The person's ID does not match the booking"),
    FailureReason.OTHER: _l("Other reason"),
}


class BookingSource(StrEnum):
    WEB = "web"
    API = "api"


EVENT_LABELS = {
    "booked": _l("Pickup booked"),
    "rescheduled": _l("Pickup moved to another window"),
    "assigned": _l("Assigned to a postman"),
    "unassigned": _l("Taken off the postman's route"),
    "completed": _l("Dossier picked up"),
    "failed": _l("Pickup failed"),
    "cancelled": _l("Pickup cancelled"),
}
