"""What a citizen can do with their booking and its private token: look, move it, cancel it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core import audit
from postal_hub.core.clock import to_local
from postal_hub.core.errors import Conflict, NotFound
from postal_hub.core.users.models import User
from postal_hub.core.validation import FieldErrors
from postal_hub.pickup import notices, seats, tokens
from postal_hub.pickup.booking import Settings, check_open_limit, check_slot_time, take_window
from postal_hub.pickup.events import record_event, set_status, webhook_data, write
from postal_hub.pickup.models import Pickup
from postal_hub.pickup.offers import covered_candidates
from postal_hub.pickup.status import OPEN, PickupStatus
from postal_hub.webhooks import outbox

CHANGEABLE = OPEN | {PickupStatus.FAILED}


def get_with_token(session: Session, settings: Settings, reference: str, token: str | None) -> Pickup:
    """Unknown reference and wrong token look the same: nobody learns which bookings exist."""
    pickup = session.scalar(sa.select(Pickup).where(Pickup.reference == (reference or "").strip().upper()))
    if pickup is None or not tokens.token_matches(
        settings.secret, pickup.reference, pickup.manage_salt, token
    ):
        raise NotFound(str(_l("No booking matches this reference and manage link.")))
    return pickup


def can_change(pickup: Pickup, settings: Settings, now: datetime) -> bool:
    status = PickupStatus(pickup.status)
    if status == PickupStatus.FAILED:
        return True
    return status in OPEN and now <= pickup.slot_start - settings.change_cutoff


def _check_changeable(pickup: Pickup, settings: Settings, now: datetime) -> None:
    if PickupStatus(pickup.status) not in CHANGEABLE:
        raise Conflict(str(_l("This booking is closed and can no longer be changed.")))
    if not can_change(pickup, settings, now):
        hours = settings.change_cutoff.total_seconds() / 3600
        raise Conflict(
            str(
                _l(
                    "Bookings can be changed until %(hours)s hours before the window; "
                    "please call the post office.",
                    hours=f"{hours:g}",
                )
            ),
            {"slot_start": str(_l("Too late to change this booking."))},
        )


def reschedule(
    session: Session,
    settings: Settings,
    pickup: Pickup,
    new_start: datetime | None,
    now: datetime,
    language: str,
    actor: User | None = None,
) -> Pickup:
    """The same rules as a new booking, at the booking's own point; the old seat is freed once the new
    one is held, so a citizen is never left with neither."""
    _check_changeable(pickup, settings, now)
    errors = FieldErrors()
    check_slot_time(new_start, now, settings.rules, errors)
    errors.raise_if_any()
    assert new_start is not None
    if new_start == pickup.slot_start and pickup.status != PickupStatus.FAILED:
        return pickup
    if pickup.status == PickupStatus.FAILED:
        check_open_limit(session, settings, pickup.applicant_phone)
    candidates = covered_candidates(
        session,
        settings.cache,
        pickup.procedure,
        pickup.unit,
        pickup.lat,
        pickup.lon,
        to_local(new_start).date(),
        settings.rules,
    )
    offer, window, slot_id = take_window(session, candidates, new_start, now, settings.rules)
    old_slot = pickup.slot_id if PickupStatus(pickup.status) in OPEN else None
    old_operator = pickup.operator_id
    values: dict[str, Any] = {
        "office_id": offer.office.id,
        "operator_id": offer.office.operator_id,
        "contract_id": offer.coverage.contract.id,
        "slot_id": slot_id,
        "slot_start": window.window.start,
        "slot_end": window.window.end,
        "distance_km": round(offer.distance_km, 2),
        "fee": offer.fee,
        "postman_id": None,
        "route_position": None,
        "planned_at": None,
        "reminded_at": None,  # the new window deserves its own reminder
    }
    if pickup.status == PickupStatus.BOOKED:
        write(session, pickup, PickupStatus.BOOKED.value, {**values, "updated_at": now})
        record_event(session, pickup, "rescheduled", now, actor)
        audit.record(
            session, actor.id if actor else None, "pickup.rescheduled", "pickup", pickup.reference, {}, at=now
        )
    else:
        set_status(session, pickup, PickupStatus.BOOKED, now, actor, "rescheduled", **values)
    seats.release_seat(session, old_slot)
    if pickup.operator_id != old_operator:
        hand_over(session, pickup, old_operator, now)
    notices.rescheduled(session, pickup, now, language)
    return pickup


def cancel(
    session: Session,
    settings: Settings,
    pickup: Pickup,
    now: datetime,
    language: str,
    actor: User | None = None,
) -> Pickup:
    """Cancelling a cancelled booking changes nothing and answers the same (a client may retry)."""
    if pickup.status == PickupStatus.CANCELLED:
        return pickup
    _check_changeable(pickup, settings, now)
    held = pickup.slot_id if PickupStatus(pickup.status) in OPEN else None
    set_status(
        session,
        pickup,
        PickupStatus.CANCELLED,
        now,
        actor,
        "cancelled",
        closed_at=now,
        postman_id=None,
        slot_id=None,
    )
    seats.release_seat(session, held)
    notices.cancelled(session, pickup, now, language)
    return pickup


def hand_over(session: Session, pickup: Pickup, old_operator: int, now: datetime) -> None:
    """Moved to another operator's office: the first operator's systems hear it is off their books,
    the second's that it is on theirs (the unit heard of the move on the booking's timeline)."""
    event = pickup.events[-1]
    data = webhook_data(pickup, event)
    outbox.enqueue(session, [old_operator], "pickup.cancelled", data, pickup.reference, now)
    outbox.enqueue(session, [pickup.operator_id], "pickup.booked", data, pickup.reference, now)
