"""The postal manager's day: who picks up what and brings which result, by hand or planned, in which order.

Pickups and home deliveries of results share the office's postmen, so they share one plan: a postman's
route of the day mixes both kinds of stop, numbered in one sequence.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from postal_hub.core.clock import LOCAL_TZ, to_local
from postal_hub.core.errors import PermissionDenied, ValidationFailed
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.users.models import Role, User
from postal_hub.delivery import events as delivery_events
from postal_hub.delivery.models import Delivery, DeliveryAttempt
from postal_hub.delivery.status import DeliveryMethod, DeliveryStatus
from postal_hub.pickup.events import set_status
from postal_hub.pickup.models import Pickup
from postal_hub.pickup.status import OPEN, PickupStatus

DEFAULT_SERVICE_MINUTES = 10


def may_dispatch(actor: User, office: PostOffice) -> bool:
    if actor.has_role(Role.SYSTEM_ADMIN):
        return True
    return actor.has_role(Role.POSTAL_MANAGER) and actor.organization_id == office.operator_id


def require_dispatcher(actor: User, office: PostOffice) -> None:
    if not may_dispatch(actor, office):
        raise PermissionDenied(
            str(_l("Only a postal manager of %(office)s plans its rounds.", office=office.name))
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


def unassign_pickup(session: Session, pickup: Pickup, actor: User, now: datetime) -> None:
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


def unassign_delivery(session: Session, delivery: Delivery, actor: User, now: datetime) -> None:
    """A result back into the office's pool, off any run (it keeps its day and window)."""
    delivery_events.set_status(
        session,
        delivery,
        DeliveryStatus.AT_OFFICE,
        now,
        actor,
        "unassigned",
        postman_id=None,
        route_position=None,
        planned_at=None,
    )


def next_position(session: Session, postman: User, day: date) -> int:
    """The end of a postman's route of the day, pickups and deliveries counted together."""
    start, end = day_bounds(day)
    last_pickup = session.scalar(
        sa.select(sa.func.max(Pickup.route_position)).where(
            Pickup.postman_id == postman.id, Pickup.slot_start >= start, Pickup.slot_start < end
        )
    )
    last_delivery = session.scalar(
        sa.select(sa.func.max(Delivery.route_position)).where(
            Delivery.postman_id == postman.id, Delivery.day == day
        )
    )
    return max(last_pickup or 0, last_delivery or 0) + 1


def assign(session: Session, actor: User, pickup: Pickup, postman: User | None, now: datetime) -> None:
    """By hand: onto a postman's list (at the end of their route), or back into the office's pool."""
    require_dispatcher(actor, pickup.office)
    if PickupStatus(pickup.status) not in OPEN:
        raise ValidationFailed(str(_l("Only open bookings can be assigned.")))
    if postman is None:
        if pickup.status == PickupStatus.ASSIGNED:
            unassign_pickup(session, pickup, actor, now)
        return
    if pickup.status == PickupStatus.ASSIGNED and pickup.postman_id == postman.id:
        return  # "Save" with the postman unchanged: the planned route stays as it is
    if postman.post_office_id != pickup.office_id or not postman.has_role(Role.POSTMAN) or not postman.active:
        raise ValidationFailed(
            str(_l("Choose a postman of %(office)s.", office=pickup.office.name)),
            {"postman_id": str(_l("Not a postman of this office."))},
        )
    position = next_position(session, postman, to_local(pickup.slot_start).date())
    values = {"postman_id": postman.id, "route_position": position, "planned_at": None}
    if pickup.status == PickupStatus.ASSIGNED:
        set_status(session, pickup, PickupStatus.BOOKED, now, actor, "unassigned")
    set_status(
        session, pickup, PickupStatus.ASSIGNED, now, actor, "assigned", note=postman.full_name, **values
    )


def attempted_on(day: date, postman: User | None = None) -> sa.ColumnElement[bool]:
    """Deliveries tried at a door that day (by that postman)."""
    start, end = day_bounds(day)
    attempts = sa.select(DeliveryAttempt.delivery_id).where(
        DeliveryAttempt.at >= start, DeliveryAttempt.at < end, DeliveryAttempt.at_counter.is_(False)
    )
    if postman is not None:
        attempts = attempts.where(DeliveryAttempt.actor_id == postman.id)
    return Delivery.id.in_(attempts)


def waiting_for_a_run(day: date, today: date | None = None) -> sa.ColumnElement[bool]:
    """Home deliveries at the office that may go out on `day`: those due that day and, for today or a
    later day, those not given a day yet and those whose day passed without a handover (a failed
    visit keeps its day). One that already failed at a door that day is not sent again the same day."""
    due = [Delivery.day == day]
    if today is None or day >= today:
        due.append(Delivery.day.is_(None))
        if today is not None:
            due.append(Delivery.day < today)
    return sa.and_(
        Delivery.method == DeliveryMethod.HOME.value,
        Delivery.status == DeliveryStatus.AT_OFFICE.value,
        sa.or_(*due),
        sa.not_(attempted_on(day)),
    )


def plannable_deliveries(session: Session, office: PostOffice, day: date, today: date) -> list[Delivery]:
    """The results the day's plan places: waiting at the office for that day, or already on a run of it."""
    on_a_run = sa.and_(
        Delivery.method == DeliveryMethod.HOME.value,
        Delivery.status == DeliveryStatus.ASSIGNED.value,
        Delivery.day == day,
    )
    return list(
        session.scalars(
            sa.select(Delivery)
            .where(Delivery.office_id == office.id, sa.or_(waiting_for_a_run(day, today), on_a_run))
            .options(selectinload(Delivery.dossier), selectinload(Delivery.postman))
            .order_by(Delivery.window_start.is_(None), Delivery.window_start, Delivery.id)
        )
    )


def route_sheet(session: Session, office: PostOffice, postman: User, day: date) -> list[Pickup]:
    """A postman's pickups that day, in route order."""
    return [p for p in day_pickups(session, office, day) if p.postman_id == postman.id]
