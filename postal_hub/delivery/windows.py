"""When the postman brings a result: a window of the office's pickup schedule, with a seat in it.

Deliveries and pickups share the office's seat counters, because they share its postmen: a window
the citizens have filled with pickups is not offered for a delivery, and the other way round.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core.clock import LOCAL_TZ, to_local
from postal_hub.core.errors import Conflict, ValidationFailed
from postal_hub.core.users.models import User
from postal_hub.delivery import notices
from postal_hub.delivery.events import record_event, set_status, write
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.status import DeliveryMethod, DeliveryStatus
from postal_hub.pickup.models import PickupSchedule
from postal_hub.pickup.offers import FreeWindow, Rules
from postal_hub.pickup.schedule import windows_on
from postal_hub.pickup.seats import booked_counts, ensure_slot, release_seat, take_seat

# A window may be chosen while the result is at the office or already on a run (which it then leaves).
MOVABLE = frozenset({DeliveryStatus.AT_OFFICE, DeliveryStatus.ASSIGNED})


def free_windows(
    session: Session, delivery: Delivery, day: date, now: datetime, rules: Rules
) -> list[FreeWindow]:
    """The office's windows that day starting at least the lead time from now, full ones included."""
    schedule = session.get(PickupSchedule, delivery.office_id)
    if schedule is None or not schedule.active:
        return []
    start = datetime.combine(day, time(0, 0), LOCAL_TZ)
    counts = booked_counts(session, [delivery.office_id], start, start + timedelta(days=1))
    earliest = now + rules.min_lead
    found = []
    for window in windows_on(schedule.windows, day):
        if window.start < earliest:
            continue
        capacity, booked = counts.get((delivery.office_id, window.start), (schedule.capacity, 0))
        found.append(FreeWindow(window, capacity, max(0, capacity - booked)))
    return found


def days_ahead(now: datetime, rules: Rules) -> list[date]:
    today = to_local(now).date()
    return [today + timedelta(days=n) for n in range(rules.horizon_days + 1)]


def set_window(
    session: Session,
    delivery: Delivery,
    start: datetime,
    now: datetime,
    rules: Rules,
    actor: User | None = None,
    notify: bool = True,
) -> None:
    """Take a seat in the window starting at `start` (refused when full or not offered), give back the
    seat held before, and take the result off a run it was on."""
    if delivery.method != DeliveryMethod.HOME.value:
        raise ValidationFailed(str(_l("This result is collected at the post office, not delivered.")))
    if DeliveryStatus(delivery.status) not in MOVABLE:
        raise Conflict(str(_l("The result of %(code)s can no longer be moved.", code=delivery.dossier.code)))
    day = to_local(start).date()
    if day not in days_ahead(now, rules):
        raise ValidationFailed(
            str(_l("Choose a day within the next %(n)d days.", n=rules.horizon_days)),
            {"slot_start": str(_l("Not a day on offer."))},
        )
    offered = {w.window.start: w for w in free_windows(session, delivery, day, now, rules)}
    chosen = offered.get(start)
    if chosen is None:
        raise ValidationFailed(
            str(_l("That time is not on offer; choose one of the windows shown.")),
            {"slot_start": str(_l("Not a window on offer."))},
        )
    slot_id = ensure_slot(session, delivery.office_id, chosen.window, chosen.capacity)
    if slot_id == delivery.slot_id:
        return
    if not take_seat(session, slot_id):
        raise Conflict(str(_l("That window has just been filled; choose another.")))
    previous_slot = delivery.slot_id
    values: dict[str, Any] = {
        "day": day,
        "window_start": chosen.window.start,
        "window_end": chosen.window.end,
        "slot_id": slot_id,
        "updated_at": now,
    }
    if delivery.status == DeliveryStatus.ASSIGNED.value:
        set_status(
            session,
            delivery,
            DeliveryStatus.AT_OFFICE,
            now,
            actor,
            "unassigned",
            postman_id=None,
            route_position=None,
            planned_at=None,
            **values,
        )
    else:
        write(session, delivery, delivery.status, values)
    release_seat(session, previous_slot)
    record_event(session, delivery, "window_set", now, actor, notices.window_text(delivery))
    if notify:
        notices.window_set(session, delivery, now)


def assign_first_window(session: Session, delivery: Delivery, now: datetime, rules: Rules) -> bool:
    """On arrival at the office: the first window with a seat from tomorrow on, and the citizen told.
    Without one (no schedule, every window full) the result waits for the manager to plan it by hand."""
    tomorrow = to_local(now).date() + timedelta(days=1)
    for day in days_ahead(now, rules):
        if day < tomorrow:
            continue
        for window in free_windows(session, delivery, day, now, rules):
            if window.remaining > 0:
                try:
                    with session.begin_nested():
                        set_window(session, delivery, window.window.start, now, rules)
                except Conflict:
                    continue  # filled between the read and the seat: try the next one
                return True
    return False


def release(session: Session, delivery: Delivery) -> None:
    """The visit is over (or will not happen): its seat is free for someone else if still ahead."""
    release_seat(session, delivery.slot_id)
