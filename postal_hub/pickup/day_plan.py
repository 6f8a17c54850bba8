"""Plan the day: the office's open pickups and home deliveries of results over the chosen postmen.

One PyVRP plan for both kinds (they share the postmen and the seats of the pickup schedule): each stop
inside its window, travel minimised; what cannot be served stays at the office and is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core import opening_hours
from postal_hub.core.clock import LOCAL_TZ, to_local
from postal_hub.core.errors import ValidationFailed
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.users.models import Role, User
from postal_hub.core.validators import InvalidValue
from postal_hub.delivery import events as delivery_events
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.status import DeliveryStatus
from postal_hub.pickup import planner
from postal_hub.pickup.dispatch import (
    DEFAULT_SERVICE_MINUTES,
    day_pickups,
    plannable_deliveries,
    require_dispatcher,
    unassign_delivery,
    unassign_pickup,
)
from postal_hub.pickup.events import set_status, write
from postal_hub.pickup.models import Pickup, PickupSchedule
from postal_hub.pickup.status import OPEN, PickupStatus


def delivery_window(delivery: Delivery, day: date, shift: tuple[int, int]) -> tuple[int, int]:
    """The citizen's window when it falls on the day planned, else the whole shift."""
    start, end = delivery.window_start, delivery.window_end
    if start is None or end is None or to_local(start).date() != day:
        return shift
    return _minute(start), _minute(end)


def _shift(office: PostOffice, day: date, windows: list[tuple[int, int]]) -> tuple[int, int]:
    """The postmen leave when the office opens and are back by closing; without usable hours, the span of
    the day's windows with an hour either side."""
    try:
        periods = opening_hours.parse(office.opening_hours).get(day.weekday(), [])
    except InvalidValue:
        periods = []
    if periods:
        first, last = periods[0][0], periods[-1][1]
        return first.hour * 60 + first.minute, last.hour * 60 + last.minute
    starts = [w[0] for w in windows] or [8 * 60]
    ends = [w[1] for w in windows] or [17 * 60]
    return max(0, min(starts) - 60), min(24 * 60 - 1, max(ends) + 60)


def _minute(moment: datetime) -> int:
    local = to_local(moment)
    return local.hour * 60 + local.minute


@dataclass(frozen=True)
class PlanOutcome:
    plan: planner.Plan  # its stop keys are positions in the day's stop list, not record ids
    unserved: list[Pickup]
    postmen: list[User]
    # Results left at the office: no window could be kept, or the address has no map point.
    unserved_deliveries: list[Delivery] = field(default_factory=list)
    pickups_planned: int = 0
    deliveries_planned: int = 0


def _check_postmen(office: PostOffice, postmen: list[User]) -> None:
    if not postmen:
        raise ValidationFailed(
            str(_l("Choose at least one postman.")), {"postman_ids": str(_l("Choose at least one postman."))}
        )
    for postman in postmen:
        if postman.post_office_id != office.id or not postman.has_role(Role.POSTMAN) or not postman.active:
            raise ValidationFailed(str(_l("Choose postmen of %(office)s.", office=office.name)))


def plan_the_day(
    session: Session, actor: User, office: PostOffice, day: date, postmen: list[User], now: datetime
) -> PlanOutcome:
    """Open bookings and the results to bring home that day spread over the chosen postmen, each window
    respected (a result without one may come any time of the shift), travel minimised. Stops that cannot
    be reached in their window stay in the pool and are reported, never dropped."""
    require_dispatcher(actor, office)
    if office.lat is None or office.lon is None:
        raise ValidationFailed(str(_l("The office has no map position; set it before planning routes.")))
    _check_postmen(office, postmen)
    pickups = [p for p in day_pickups(session, office, day) if PickupStatus(p.status) in OPEN]
    deliveries = plannable_deliveries(session, office, day, to_local(now).date())
    placed = [d for d in deliveries if d.lat is not None and d.lon is not None]
    schedule = session.get(PickupSchedule, office.id)
    service = schedule.service_minutes if schedule else DEFAULT_SERVICE_MINUTES
    pickup_windows = [(_minute(p.slot_start), _minute(p.slot_end)) for p in pickups]
    delivery_windows = [
        (_minute(d.window_start), _minute(d.window_end))
        for d in placed
        if d.window_start and d.window_end and to_local(d.window_start).date() == day
    ]
    shift = _shift(office, day, pickup_windows + delivery_windows)
    # One stop list for both kinds: a stop's key is its position here.
    records: list[Pickup | Delivery] = [*pickups, *placed]
    stops = [
        planner.Stop(i, p.lat, p.lon, start, end, service)
        for i, (p, (start, end)) in enumerate(zip(pickups, pickup_windows, strict=True))
    ]
    stops += [
        planner.Stop(len(pickups) + i, d.lat, d.lon, *delivery_window(d, day, shift), service)
        for i, d in enumerate(placed)
        if d.lat is not None and d.lon is not None
    ]
    plan = planner.plan_day(
        planner.Depot(office.lat, office.lon, shift[0], shift[1]), stops, [u.id for u in postmen]
    )
    by_id = {u.id: u for u in postmen}
    midnight = datetime.combine(day, time(0, 0), LOCAL_TZ)
    for route in plan.routes:
        postman = by_id[route.postman_key]
        for position, stop in enumerate(route.stops, start=1):
            values = {
                "postman_id": postman.id,
                "route_position": position,
                "planned_at": midnight + timedelta(minutes=stop.arrival_minute),
            }
            record = records[stop.key]
            if isinstance(record, Pickup):
                _plan_pickup(session, actor, record, postman, values, now)
            else:
                _plan_delivery(session, actor, record, postman, {**values, "day": day}, now)
    unserved = [records[key] for key in plan.unserved]
    unserved_pickups = [r for r in unserved if isinstance(r, Pickup)]
    unserved_deliveries = [r for r in unserved if isinstance(r, Delivery)]
    unserved_deliveries += [d for d in deliveries if d.lat is None or d.lon is None]
    for pickup in unserved_pickups:
        if pickup.status == PickupStatus.ASSIGNED:
            unassign_pickup(session, pickup, actor, now)
    for delivery in unserved_deliveries:
        if delivery.status == DeliveryStatus.ASSIGNED.value:
            unassign_delivery(session, delivery, actor, now)
    session.flush()
    return PlanOutcome(
        plan,
        unserved_pickups,
        postmen,
        unserved_deliveries,
        len(pickups) - len(unserved_pickups),
        len(deliveries) - len(unserved_deliveries),
    )


def _plan_pickup(
    session: Session, actor: User, pickup: Pickup, postman: User, values: dict[str, object], now: datetime
) -> None:
    if pickup.status == PickupStatus.ASSIGNED and pickup.postman_id == postman.id:
        # Same postman, new order: still a guarded write, the citizen may be moving it right now.
        write(session, pickup, PickupStatus.ASSIGNED.value, {**values, "updated_at": now})
        return
    if pickup.status == PickupStatus.ASSIGNED:
        set_status(session, pickup, PickupStatus.BOOKED, now, actor, "unassigned")
    set_status(
        session, pickup, PickupStatus.ASSIGNED, now, actor, "assigned", note=postman.full_name, **values
    )


def _plan_delivery(
    session: Session,
    actor: User,
    delivery: Delivery,
    postman: User,
    values: dict[str, object],
    now: datetime,
) -> None:
    assigned = DeliveryStatus.ASSIGNED.value
    if delivery.status == assigned and delivery.postman_id == postman.id:
        # Same postman, new order; guarded too: the citizen may be choosing another window right now.
        delivery_events.write(session, delivery, assigned, {**values, "updated_at": now})
        return
    if delivery.status == assigned:
        unassign_delivery(session, delivery, actor, now)
    delivery_events.set_status(
        session, delivery, DeliveryStatus.ASSIGNED, now, actor, "assigned", note=postman.full_name, **values
    )
