"""Reads for the staff's pickup pages, scoped to the actor: not yours and unknown both answer 404.

The day's pages show the results to bring home beside the pickups: the two share the postmen's routes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from postal_hub.core.errors import NotFound
from postal_hub.core.geo.geocoder import Precision
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.permissions import scope_offices
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.users.models import Role, User
from postal_hub.delivery import runs
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.status import DeliveryStatus
from postal_hub.pickup.dispatch import day_bounds, may_dispatch
from postal_hub.pickup.models import Pickup, PickupEvent, PickupSchedule
from postal_hub.pickup.status import PickupStatus

# A point placed only at the commune's or province's reference point: the postman must ask the way.
ROUGH_PRECISIONS = frozenset({Precision.COMMUNE.value, Precision.PROVINCE.value})


def _not_found() -> NotFound:
    return NotFound(str(_l("There is no such pickup page, or it is not yours to see.")))


MAX_OFFICE_CHOICES = 300


def managed_offices(session: Session, actor: User, also: int | None = None) -> list[PostOffice]:
    """The offices a dispatcher chooses among: their own first, then those that pick up. An operator
    runs thousands; the list stops at 300 (others open by their link, ?office=<id>)."""
    picks_up = sa.select(PickupSchedule.office_id).where(PickupSchedule.active.is_(True))
    wanted = [i for i in (actor.post_office_id, also) if i is not None]
    offices = list(
        session.scalars(
            scope_offices(actor, sa.select(PostOffice))
            .where(
                PostOffice.active.is_(True), sa.or_(PostOffice.id.in_(picks_up), PostOffice.id.in_(wanted))
            )
            .order_by(sa.case((PostOffice.id.in_(wanted), 0), else_=1), PostOffice.name, PostOffice.id)
            .limit(MAX_OFFICE_CHOICES)
        )
    )
    return offices


def managed_office(session: Session, actor: User, office_id: int) -> PostOffice:
    office = session.scalar(scope_offices(actor, sa.select(PostOffice)).where(PostOffice.id == office_id))
    if office is None:
        raise _not_found()
    return office


def schedule_of(session: Session, office: PostOffice) -> PickupSchedule | None:
    return session.get(PickupSchedule, office.id)


def _with_details(stmt: sa.Select[Pickup]) -> sa.Select[Pickup]:
    return stmt.options(
        selectinload(Pickup.procedure).selectinload(Procedure.components),
        selectinload(Pickup.postman),
        selectinload(Pickup.commune),
        selectinload(Pickup.province),
        selectinload(Pickup.office),
        selectinload(Pickup.dossier),
        selectinload(Pickup.events),
    )


def day_list(session: Session, office: PostOffice, day: date) -> list[Pickup]:
    """The office's bookings of the day (cancelled ones left out), by postman and route order."""
    start, end = day_bounds(day)
    return list(
        session.scalars(
            _with_details(sa.select(Pickup))
            .where(
                Pickup.office_id == office.id,
                Pickup.slot_start >= start,
                Pickup.slot_start < end,
                Pickup.status != PickupStatus.CANCELLED.value,
            )
            .order_by(Pickup.slot_start, Pickup.postman_id, Pickup.route_position, Pickup.id)
        )
    )


@dataclass(frozen=True)
class DayCounts:
    booked: int
    assigned: int
    completed: int
    failed: int


def day_counts(pickups: Sequence[Pickup]) -> DayCounts:
    seen = Counter(p.status for p in pickups)
    return DayCounts(
        seen[PickupStatus.BOOKED.value],
        seen[PickupStatus.ASSIGNED.value],
        seen[PickupStatus.COMPLETED.value],
        seen[PickupStatus.FAILED.value],
    )


def day_deliveries(session: Session, office: PostOffice, day: date, today: date) -> list[Delivery]:
    """The results the office brings home that day (and those still waiting for a run of it)."""
    return runs.day_deliveries(session, office, day, today)


@dataclass(frozen=True)
class DeliveryCounts:
    waiting: int
    assigned: int
    out: int
    delivered: int


def delivery_counts(deliveries: Sequence[Delivery]) -> DeliveryCounts:
    seen = Counter(d.status for d in deliveries)
    return DeliveryCounts(
        seen[DeliveryStatus.AT_OFFICE.value],
        seen[DeliveryStatus.ASSIGNED.value],
        seen[DeliveryStatus.OUT.value],
        seen[DeliveryStatus.DELIVERED.value],
    )


def postmen_of(session: Session, office: PostOffice) -> list[User]:
    return list(
        session.scalars(
            sa.select(User)
            .where(User.post_office_id == office.id, User.role == Role.POSTMAN.value, User.active.is_(True))
            .order_by(User.full_name, User.id)
        )
    )


def procedure_groups(session: Session, procedure_ids: set[int]) -> dict[int, int | None]:
    """Each procedure's group, for marking who may take which pickup."""
    if not procedure_ids:
        return {}
    rows = session.execute(sa.select(Procedure.id, Procedure.group_id).where(Procedure.id.in_(procedure_ids)))
    return {procedure_id: group_id for procedure_id, group_id in rows}


def users_by_ids(session: Session, ids: Sequence[int]) -> list[User]:
    """The users asked for, in the order asked; the services decide whether they may go out."""
    found = {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_(list(ids))))}
    return [found[i] for i in ids if i in found]


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def dispatch_pickup(session: Session, actor: User, reference: str) -> Pickup:
    """A booking at one of the offices the actor dispatches for."""
    pickup = session.scalar(
        _with_details(sa.select(Pickup)).where(Pickup.reference == (reference or "").strip().upper())
    )
    if pickup is None or not may_dispatch(actor, pickup.office):
        raise _not_found()
    return pickup


def may_see_route(actor: User, office: PostOffice, postman: User) -> bool:
    return may_dispatch(actor, office) or (
        actor.id == postman.id and actor.post_office_id == office.id and actor.has_role(Role.POSTMAN)
    )


def route_postman(session: Session, actor: User, office_id: int, postman_id: int) -> tuple[PostOffice, User]:
    """The office and the postman of a route sheet: the manager's office, or the postman's own."""
    office = session.get(PostOffice, office_id)
    postman = session.get(User, postman_id)
    if (
        office is None
        or postman is None
        or postman.post_office_id != office.id
        or not postman.has_role(Role.POSTMAN)
        or not may_see_route(actor, office, postman)
    ):
        raise _not_found()
    return office, postman


def route_stops(session: Session, office: PostOffice, postman: User, day: date) -> list[Pickup]:
    """A postman's stops that day in route order, with each procedure's checklist."""
    start, end = day_bounds(day)
    return list(
        session.scalars(
            _with_details(sa.select(Pickup))
            .where(
                Pickup.office_id == office.id,
                Pickup.postman_id == postman.id,
                Pickup.slot_start >= start,
                Pickup.slot_start < end,
                Pickup.status != PickupStatus.CANCELLED.value,
            )
            .order_by(
                Pickup.route_position.is_(None), Pickup.route_position, Pickup.planned_at, Pickup.slot_start
            )
        )
    )


def may_see_door(actor: User, pickup: Pickup) -> bool:
    """The office's postmen and managers act at the door; the operator's managers may look."""
    at_office = actor.post_office_id == pickup.office_id and actor.has_role(Role.POSTMAN, Role.POSTAL_MANAGER)
    return at_office or may_dispatch(actor, pickup.office)


def door_pickup(session: Session, actor: User, reference: str) -> Pickup:
    pickup = session.scalar(
        _with_details(sa.select(Pickup)).where(Pickup.reference == (reference or "").strip().upper())
    )
    if pickup is None or not may_see_door(actor, pickup):
        raise _not_found()
    return pickup


def event_actors(session: Session, events: Sequence[PickupEvent]) -> dict[int, str]:
    ids = {e.actor_id for e in events if e.actor_id is not None}
    if not ids:
        return {}
    return {u.id: u.full_name for u in session.scalars(sa.select(User).where(User.id.in_(ids)))}


@dataclass(frozen=True)
class RouteItem:
    """One stop of a postman's day: a pickup to make, or a result to hand over."""

    position: int | None
    planned_at: datetime | None
    window_start: datetime | None
    pickup: Pickup | None = None
    delivery: Delivery | None = None

    @property
    def anchor(self) -> str:
        if self.pickup is not None:
            return f"stop-{self.pickup.reference}"
        assert self.delivery is not None
        return f"delivery-{self.delivery.dossier.code}"


_LAST = datetime.max.replace(tzinfo=UTC)


def _route_order(item: RouteItem) -> tuple[bool, int, datetime, datetime]:
    return (
        item.position is None,
        item.position or 0,
        item.planned_at or _LAST,
        item.window_start or _LAST,
    )


def route_items(session: Session, office: PostOffice, postman: User, day: date) -> list[RouteItem]:
    """A postman's day in route order, pickups and deliveries in the one sequence the plan gave them."""
    items = [
        RouteItem(p.route_position, p.planned_at, p.slot_start, pickup=p)
        for p in route_stops(session, office, postman, day)
    ]
    items += [
        RouteItem(d.route_position, d.planned_at, d.window_start, delivery=d)
        for d in runs.run_deliveries(session, office, postman, day)
    ]
    return sorted(items, key=_route_order)
