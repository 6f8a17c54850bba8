"""Delivery runs: results ride the postmen's routes of the day beside the pickups, then go out.

The manager puts a result on a postman's run (by hand here, or with the day's plan in
`pickup.day_plan.plan_the_day`); the postman takes his run out in the morning, which sends the
citizen the one-time code for the handover at the door.
"""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from postal_hub.contracts.status import TaskType
from postal_hub.core.clock import LOCAL_TZ, to_local
from postal_hub.core.custody.kinds import CustodyKind
from postal_hub.core.errors import NotFound, PermissionDenied, ValidationFailed
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.users.models import Role, User
from postal_hub.delivery import notices
from postal_hub.delivery.events import record_event, set_status
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.status import DeliveryMethod, DeliveryStatus
from postal_hub.handoff.legs import start_tasks
from postal_hub.intake.custody import actor_label, record_custody
from postal_hub.intake.lifecycle import set_status as set_dossier_status
from postal_hub.intake.models import Dossier
from postal_hub.intake.status import DossierStatus
from postal_hub.pickup.dispatch import (
    attempted_on,
    may_dispatch,
    next_position,
    require_dispatcher,
    unassign_delivery,
    waiting_for_a_run,
)

# What the dispatch page shows of a day: waiting, on a run, out, and how the day ended.
SHOWN = frozenset(
    {
        DeliveryStatus.AT_OFFICE,
        DeliveryStatus.ASSIGNED,
        DeliveryStatus.OUT,
        DeliveryStatus.DELIVERED,
        DeliveryStatus.BLOCKED,
        DeliveryStatus.TO_RETURN,
    }
)
# A manager may put these on a run, or take them off one.
ASSIGNABLE = frozenset({DeliveryStatus.AT_OFFICE, DeliveryStatus.ASSIGNED})


def _not_found() -> NotFound:
    return NotFound(str(_l("There is no such delivery, or it is not yours to see.")))


def _with_details(stmt: sa.Select[Delivery]) -> sa.Select[Delivery]:
    return stmt.options(
        selectinload(Delivery.dossier).selectinload(Dossier.procedure),
        selectinload(Delivery.postman),
        selectinload(Delivery.commune),
        selectinload(Delivery.office),
        selectinload(Delivery.attempts_made),
    )


def day_deliveries(
    session: Session, office: PostOffice, day: date, today: date | None = None
) -> list[Delivery]:
    """The office's home deliveries of the day: due that day, those attempted at a door that day
    whatever became of them and, when `today` is given and the day is not past, those still waiting
    at the office with no day or a day gone by (the plan of the day takes them too)."""
    return list(
        session.scalars(
            _with_details(sa.select(Delivery))
            .where(
                Delivery.office_id == office.id,
                Delivery.method == DeliveryMethod.HOME.value,
                Delivery.status.in_([s.value for s in SHOWN]),
                sa.or_(Delivery.day == day, waiting_for_a_run(day, today), attempted_on(day)),
            )
            .order_by(
                Delivery.window_start.is_(None),
                Delivery.window_start,
                Delivery.postman_id,
                Delivery.route_position,
                Delivery.id,
            )
        )
    )


def run_deliveries(session: Session, office: PostOffice, postman: User, day: date) -> list[Delivery]:
    """A postman's results of the day: those on his run, and those he tried to hand over that day."""
    on_run = sa.and_(
        Delivery.postman_id == postman.id,
        Delivery.day == day,
        Delivery.status.in_(
            [DeliveryStatus.ASSIGNED.value, DeliveryStatus.OUT.value, DeliveryStatus.DELIVERED.value]
        ),
    )
    return list(
        session.scalars(
            _with_details(sa.select(Delivery))
            .where(
                Delivery.office_id == office.id,
                Delivery.method == DeliveryMethod.HOME.value,
                sa.or_(on_run, attempted_on(day, postman)),
            )
            .order_by(Delivery.route_position.is_(None), Delivery.route_position, Delivery.id)
        )
    )


def _by_code(session: Session, code: str) -> Delivery | None:
    return session.scalar(
        _with_details(sa.select(Delivery)).join(Dossier).where(Dossier.code == (code or "").strip())
    )


def dispatch_delivery(session: Session, actor: User, code: str) -> Delivery:
    """A delivery of one of the offices the actor dispatches for; others answer 404."""
    delivery = _by_code(session, code)
    if delivery is None or not may_dispatch(actor, delivery.office):
        raise _not_found()
    return delivery


def office_delivery(session: Session, actor: User, code: str) -> Delivery:
    """A delivery of the postman's own office (whether it is on his run is the service's to say)."""
    delivery = _by_code(session, code)
    if delivery is None or actor.post_office_id is None or delivery.office_id != actor.post_office_id:
        raise _not_found()
    return delivery


def assign(
    session: Session,
    actor: User,
    delivery: Delivery,
    postman: User | None,
    now: datetime,
    day: date | None = None,
) -> None:
    """By hand: onto a postman's run of the delivery's day (at the end of his route), or back into the
    office's pool. A result not given a day yet, or whose day went by, goes out on `day` (the day being
    planned), else today."""
    require_dispatcher(actor, delivery.office)
    code = delivery.dossier.code
    if delivery.method != DeliveryMethod.HOME.value:
        raise ValidationFailed(str(_l("The result of %(code)s is collected at the post office.", code=code)))
    if DeliveryStatus(delivery.status) not in ASSIGNABLE:
        raise ValidationFailed(
            str(_l("The result of %(code)s is not waiting at the office for a run.", code=code))
        )
    if postman is None:
        if delivery.status == DeliveryStatus.ASSIGNED.value:
            unassign_delivery(session, delivery, actor, now)
        return
    if delivery.status == DeliveryStatus.ASSIGNED.value and delivery.postman_id == postman.id:
        return  # "Save" with the postman unchanged: the planned run stays as it is
    if (
        postman.post_office_id != delivery.office_id
        or not postman.has_role(Role.POSTMAN)
        or not postman.active
    ):
        raise ValidationFailed(
            str(_l("Choose a postman of %(office)s.", office=delivery.office.name)),
            {"postman_id": str(_l("Not a postman of this office."))},
        )
    today = to_local(now).date()
    # Its own day while that is still ahead; one not given a day, or whose day went by, goes on the
    # day being planned (never a day gone by).
    run_day = delivery.day if delivery.day and delivery.day >= today else max(day or today, today)
    if delivery.status == DeliveryStatus.ASSIGNED.value:
        unassign_delivery(session, delivery, actor, now)
    values = {
        "postman_id": postman.id,
        "route_position": next_position(session, postman, run_day),
        "planned_at": None,
        "day": run_day,
    }
    set_status(
        session, delivery, DeliveryStatus.ASSIGNED, now, actor, "assigned", note=postman.full_name, **values
    )


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), LOCAL_TZ)


def _check_run(postman: User, day: date, now: datetime) -> None:
    if not postman.has_role(Role.POSTMAN) or not postman.active or postman.post_office_id is None:
        raise PermissionDenied(str(_l("Only a postman of the office takes results out for delivery.")))
    if day != to_local(now).date():
        raise ValidationFailed(
            str(_l("A run goes out on its own day only; today is %(day)s.", day=f"{to_local(now):%d/%m/%Y}")),
            {"date": str(_l("Not today."))},
        )


def _go_out(session: Session, postman: User, delivery: Delivery, now: datetime) -> None:
    """One result leaves with the postman: a fresh one-time code for this attempt, custody to him."""
    dossier, place = delivery.dossier, delivery.office.name
    set_status(
        session,
        delivery,
        DeliveryStatus.OUT,
        now,
        postman,
        "out",
        code_round=delivery.attempts + 1,
        code_expires_at=_end_of_day(to_local(now).date()),
    )
    set_dossier_status(
        session,
        dossier,
        DossierStatus.OUT_FOR_DELIVERY,
        now,
        place,
        postman,
        event_code="out_for_delivery",
        note=postman.full_name,
    )
    record_custody(
        session,
        dossier,
        CustodyKind.OUT_FOR_DELIVERY,
        now,
        actor_label(postman),
        place,
        "",
        {"postman": postman.username, "attempt": delivery.attempts + 1},
    )
    start_tasks(session, dossier, TaskType.RESULT_DELIVERY, now, postman)
    notices.out_for_delivery(session, delivery, now)
    record_event(session, delivery, "code_sent", now, postman)


def start_run(session: Session, postman: User, day: date, now: datetime) -> list[Delivery]:
    """The postman leaves with every result on his run of today; the citizens get their codes.
    Returns the results taken out (none when nothing was waiting on his run)."""
    _check_run(postman, day, now)
    waiting = list(
        session.scalars(
            _with_details(sa.select(Delivery))
            .where(
                Delivery.postman_id == postman.id,
                Delivery.office_id == postman.post_office_id,
                Delivery.day == day,
                Delivery.status == DeliveryStatus.ASSIGNED.value,
            )
            .order_by(Delivery.route_position.is_(None), Delivery.route_position, Delivery.id)
        )
    )
    for delivery in waiting:
        _go_out(session, postman, delivery, now)
    session.flush()
    return waiting


def take_out(session: Session, postman: User, delivery: Delivery, now: datetime) -> None:
    """One result put on the run after the postman left (or left behind): out on its own."""
    today = to_local(now).date()
    _check_run(postman, today, now)
    code = delivery.dossier.code
    if (
        delivery.postman_id != postman.id
        or delivery.office_id != postman.post_office_id
        or delivery.day != today
    ):
        raise PermissionDenied(str(_l("The result of %(code)s is not on your run today.", code=code)))
    if delivery.status != DeliveryStatus.ASSIGNED.value:
        raise ValidationFailed(
            str(_l("The result of %(code)s is not waiting on your run to go out.", code=code))
        )
    _go_out(session, postman, delivery, now)
    session.flush()
