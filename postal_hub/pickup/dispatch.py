"""The postal manager's day: who picks up what, by hand or planned, and in which order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from postal_hub.core import opening_hours
from postal_hub.core.clock import LOCAL_TZ, to_local
from postal_hub.core.errors import PermissionDenied, ValidationFailed
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.users.models import Role, User
from postal_hub.core.validators import InvalidValue
from postal_hub.pickup import planner
from postal_hub.pickup.events import set_status, write
from postal_hub.pickup.models import Pickup, PickupSchedule
from postal_hub.pickup.status import OPEN, PickupStatus

DEFAULT_SERVICE_MINUTES = 10


def may_dispatch(actor: User, office: PostOffice) -> bool:
    if actor.has_role(Role.SYSTEM_ADMIN):
        return True
    return actor.has_role(Role.POSTAL_MANAGER) and actor.organization_id == office.operator_id


def require_dispatcher(actor: User, office: PostOffice) -> None:
    if not may_dispatch(actor, office):
        raise PermissionDenied(
            str(_l("Only a postal manager of %(office)s plans its pickups.", office=office.name))
        )


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0, 0), LOCAL_TZ)
    return start, start + timedelta(days=1)


def day_pickups(session: Session, office: PostOffice, day: date) -> list[Pickup]:
    start, end = day_bounds(day)
    return list(
        session.scalars(
            sa.select(Pickup)
            .where(
                Pickup.office_id == office.id,
                Pickup.slot_start >= start,
                Pickup.slot_start < end,
                Pickup.status != PickupStatus.CANCELLED,
            )
            .options(
                selectinload(Pickup.procedure), selectinload(Pickup.postman), selectinload(Pickup.commune)
            )
            .order_by(Pickup.postman_id, Pickup.route_position, Pickup.slot_start, Pickup.id)
        )
    )


def office_postmen(session: Session, office: PostOffice) -> list[User]:
    return list(
        session.scalars(
            sa.select(User)
            .where(User.post_office_id == office.id, User.role == Role.POSTMAN, User.active.is_(True))
            .order_by(User.full_name, User.id)
        )
    )


def _unassign(session: Session, pickup: Pickup, actor: User, now: datetime) -> None:
    """Back into the office's pool, off any route."""
    set_status(
        session,
        pickup,
        PickupStatus.BOOKED,
        now,
        actor,
        "unassigned",
        postman_id=None,
        route_position=None,
        planned_at=None,
    )


def assign(session: Session, actor: User, pickup: Pickup, postman: User | None, now: datetime) -> None:
    """By hand: onto a postman's list (at the end of their route), or back into the office's pool."""
    require_dispatcher(actor, pickup.office)
    if PickupStatus(pickup.status) not in OPEN:
        raise ValidationFailed(str(_l("Only open bookings can be assigned.")))
    if postman is None:
        if pickup.status == PickupStatus.ASSIGNED:
            _unassign(session, pickup, actor, now)
        return
    if pickup.status == PickupStatus.ASSIGNED and pickup.postman_id == postman.id:
        return  # "Save" with the postman unchanged: the planned route stays as it is
    if postman.post_office_id != pickup.office_id or not postman.has_role(Role.POSTMAN) or not postman.active:
        raise ValidationFailed(
            str(_l("Choose a postman of %(office)s.", office=pickup.office.name)),
            {"postman_id": str(_l("Not a postman of this office."))},
        )
    last = session.scalar(
        sa.select(sa.func.max(Pickup.route_position)).where(
            Pickup.postman_id == postman.id,
            Pickup.slot_start >= day_bounds(to_local(pickup.slot_start).date())[0],
            Pickup.slot_start < day_bounds(to_local(pickup.slot_start).date())[1],
        )
    )
    values = {"postman_id": postman.id, "route_position": (last or 0) + 1, "planned_at": None}
    if pickup.status == PickupStatus.ASSIGNED:
        set_status(session, pickup, PickupStatus.BOOKED, now, actor, "unassigned")
    set_status(
        session, pickup, PickupStatus.ASSIGNED, now, actor, "assigned", note=postman.full_name, **values
    )


def _shift(
    office: PostOffice, schedule: PickupSchedule | None, day: date, stops: list[Pickup]
) -> tuple[int, int]:
    """The postmen leave when the office opens and are back by closing; without usable hours, the span of
    the day's windows with an hour either side."""
    try:
        periods = opening_hours.parse(office.opening_hours).get(day.weekday(), [])
    except InvalidValue:
        periods = []
    if periods:
        first, last = periods[0][0], periods[-1][1]
        return first.hour * 60 + first.minute, last.hour * 60 + last.minute
    starts = [_minute(p.slot_start) for p in stops] or [8 * 60]
    ends = [_minute(p.slot_end) for p in stops] or [17 * 60]
    return max(0, min(starts) - 60), min(24 * 60 - 1, max(ends) + 60)


def _minute(moment: datetime) -> int:
    local = to_local(moment)
    return local.hour * 60 + local.minute


@dataclass(frozen=True)
class PlanOutcome:
    plan: planner.Plan
    unserved: list[Pickup]
    postmen: list[User]


def plan_the_day(
    session: Session, actor: User, office: PostOffice, day: date, postmen: list[User], now: datetime
) -> PlanOutcome:
    """Open bookings of the day spread over the chosen postmen, each window respected, travel minimised.
    Stops that cannot be reached in their window stay in the pool and are reported, never dropped."""
    require_dispatcher(actor, office)
    if office.lat is None or office.lon is None:
        raise ValidationFailed(str(_l("The office has no map position; set it before planning routes.")))
    if not postmen:
        raise ValidationFailed(
            str(_l("Choose at least one postman.")), {"postman_ids": str(_l("Choose at least one postman."))}
        )
    for postman in postmen:
        if postman.post_office_id != office.id or not postman.has_role(Role.POSTMAN) or not postman.active:
            raise ValidationFailed(str(_l("Choose postmen of %(office)s.", office=office.name)))
    pickups = [p for p in day_pickups(session, office, day) if PickupStatus(p.status) in OPEN]
    schedule = session.get(PickupSchedule, office.id)
    service = schedule.service_minutes if schedule else DEFAULT_SERVICE_MINUTES
    open_minute, close_minute = _shift(office, schedule, day, pickups)
    stops = [
        planner.Stop(p.id, p.lat, p.lon, _minute(p.slot_start), _minute(p.slot_end), service) for p in pickups
    ]
    plan = planner.plan_day(
        planner.Depot(office.lat, office.lon, open_minute, close_minute), stops, [u.id for u in postmen]
    )
    by_id = {p.id: p for p in pickups}
    for route in plan.routes:
        for position, stop in enumerate(route.stops, start=1):
            pickup = by_id[stop.key]
            planned = datetime.combine(day, time(0, 0), LOCAL_TZ) + timedelta(minutes=stop.arrival_minute)
            values = {"postman_id": route.postman_key, "route_position": position, "planned_at": planned}
            if pickup.status == PickupStatus.ASSIGNED and pickup.postman_id == route.postman_key:
                # Same postman, new order: still a guarded write, the citizen may be moving it right now.
                write(session, pickup, PickupStatus.ASSIGNED.value, {**values, "updated_at": now})
                continue
            if pickup.status == PickupStatus.ASSIGNED:
                set_status(session, pickup, PickupStatus.BOOKED, now, actor, "unassigned")
            postman = next(u for u in postmen if u.id == route.postman_key)
            set_status(
                session,
                pickup,
                PickupStatus.ASSIGNED,
                now,
                actor,
                "assigned",
                note=postman.full_name,
                **values,
            )
    unserved = [by_id[key] for key in plan.unserved]
    for pickup in unserved:
        if pickup.status == PickupStatus.ASSIGNED:
            _unassign(session, pickup, actor, now)
    session.flush()
    return PlanOutcome(plan, unserved, postmen)


def route_sheet(session: Session, office: PostOffice, postman: User, day: date) -> list[Pickup]:
    """A postman's stops that day, in route order."""
    return [p for p in day_pickups(session, office, day) if p.postman_id == postman.id]
