"""A postal manager sets when an office picks up and how many bookings each window takes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core import audit
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.users.models import User
from postal_hub.core.validation import FieldErrors
from postal_hub.pickup import seats
from postal_hub.pickup.dispatch import require_dispatcher
from postal_hub.pickup.models import PickupSchedule
from postal_hub.pickup.schedule import check_windows

CAPACITY_RANGE = (1, 500)
SERVICE_MINUTES_RANGE = (1, 120)


@dataclass
class ScheduleInput:
    windows: str
    capacity: int | None
    service_minutes: int | None
    active: bool


def save_schedule(
    session: Session, actor: User, office: PostOffice, data: ScheduleInput, now: datetime
) -> PickupSchedule:
    """Windows lie inside the office's opening hours; a new capacity applies to windows not yet
    started, and never takes away a seat a citizen already holds."""
    require_dispatcher(actor, office)
    errors = FieldErrors()
    windows = errors.check("windows", check_windows, data.windows or "", office.opening_hours)
    for field, value, (low, high) in (
        ("capacity", data.capacity, CAPACITY_RANGE),
        ("service_minutes", data.service_minutes, SERVICE_MINUTES_RANGE),
    ):
        if value is None or not low <= value <= high:
            errors.add(field, _l("Enter a whole number from %(low)d to %(high)d.", low=low, high=high))
    errors.raise_if_any()
    assert windows is not None and data.capacity is not None and data.service_minutes is not None
    schedule = session.get(PickupSchedule, office.id)
    before = (
        {
            "windows": schedule.windows,
            "capacity": schedule.capacity,
            "service_minutes": schedule.service_minutes,
            "active": schedule.active,
        }
        if schedule
        else None
    )
    if schedule is None:
        schedule = PickupSchedule(office_id=office.id)
        session.add(schedule)
    schedule.windows = windows
    schedule.capacity = data.capacity
    schedule.service_minutes = data.service_minutes
    schedule.active = data.active
    schedule.updated_at = now
    schedule.updated_by_id = actor.id
    session.flush()
    seats.resize_future_slots(session, office.id, data.capacity, now)
    after = {
        "windows": windows,
        "capacity": data.capacity,
        "service_minutes": data.service_minutes,
        "active": data.active,
    }
    audit.record(
        session,
        actor.id,
        "pickup.schedule_saved",
        "post_office",
        office.code,
        {"before": before, "after": after},
        at=now,
    )
    session.flush()
    return schedule
