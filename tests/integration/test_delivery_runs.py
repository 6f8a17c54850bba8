"""Delivery runs: results share the postmen's routes with the pickups of the day, then go out."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from postal_hub.contracts.status import TaskStatus, TaskType
from postal_hub.contracts.task_models import Task
from postal_hub.core.clock import to_local
from postal_hub.core.custody.models import CustodyEntry
from postal_hub.core.errors import PermissionDenied, ValidationFailed
from postal_hub.core.messaging.models import CitizenMessage
from postal_hub.core.users.models import Role
from postal_hub.delivery import runs, windows
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.status import DeliveryStatus
from postal_hub.intake.status import DossierStatus
from postal_hub.pickup.day_plan import plan_the_day
from postal_hub.pickup.dispatch import assign as assign_pickup
from postal_hub.pickup.models import Pickup
from postal_hub.pickup.offers import Rules
from postal_hub.webhooks.models import OutboxMessage
from tests.factories import booked_pickup, next_window, user, webhook_endpoint
from tests.factories_delivery import delivery_at_office, delivery_world
from tests.fakes import FixedClock

MONDAY = next_window(days=3).date()  # the fixed clock's Friday + 3


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    return delivery_world(session)


def _at_office_on(
    session: Session, world: dict[str, Any], clock: FixedClock, hour: int, **overrides: Any
) -> Delivery:
    """A result at the office whose citizen chose the window starting at `hour` on Monday."""
    delivery = delivery_at_office(session, world, clock.now(), **overrides)
    rules = Rules.from_config(current_app.config)
    windows.set_window(session, delivery, next_window(hour, days=3), clock.now(), rules, notify=False)
    return delivery


def _local_minutes(moment: Any) -> int:
    local = to_local(moment)
    return local.hour * 60 + local.minute


def _route(session: Session, postman_id: int) -> list[Pickup | Delivery]:
    stops: list[Pickup | Delivery] = [
        *session.scalars(sa.select(Pickup).where(Pickup.postman_id == postman_id)),
        *session.scalars(sa.select(Delivery).where(Delivery.postman_id == postman_id)),
    ]
    return sorted(stops, key=lambda s: s.route_position or 0)


def _window_start(stop: Pickup | Delivery) -> Any:
    return stop.slot_start if isinstance(stop, Pickup) else stop.window_start


# ---- Planning the day: pickups and results together ----------------------------------------------


def test_planning_a_day_puts_its_pickups_and_results_on_the_postmens_routes_in_window_order(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    pickups = [
        booked_pickup(session, world, clock.now(), slot_start=next_window(8)),
        booked_pickup(
            session,
            world,
            clock.now(),
            slot_start=next_window(14),
            phone="0987654321",
            citizen_id="001190012345",
        ),
    ]
    deliveries = [_at_office_on(session, world, clock, 10), _at_office_on(session, world, clock, 14)]
    postmen = [world["postman"], world["second_postman"]]
    plan_the_day(session, world["manager"], world["office"], MONDAY, postmen, clock.now())
    for stop in [*pickups, *deliveries]:
        session.refresh(stop)
    assert all(p.status == "assigned" and p.postman_id in {u.id for u in postmen} for p in pickups)
    assert all(d.status == "assigned" and d.postman_id in {u.id for u in postmen} for d in deliveries)
    for postman in postmen:
        starts = [_window_start(s) for s in _route(session, postman.id)]
        assert starts == sorted(starts)


def test_a_planned_result_is_visited_within_the_citizens_window(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _at_office_on(session, world, clock, 14)
    booked_pickup(session, world, clock.now(), slot_start=next_window(8))
    plan_the_day(session, world["manager"], world["office"], MONDAY, [world["postman"]], clock.now())
    session.refresh(delivery)
    assert delivery.planned_at is not None
    assert 14 * 60 <= _local_minutes(delivery.planned_at) <= 16 * 60


def test_a_result_without_a_window_may_be_planned_at_any_time_of_the_shift(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    day = delivery.day
    delivery.window_start = delivery.window_end = None  # arrived when every window was full
    plan_the_day(session, world["manager"], world["office"], day, [world["postman"]], clock.now())
    session.refresh(delivery)
    assert delivery.status == "assigned" and delivery.planned_at is not None
    assert to_local(delivery.planned_at).date() == day


def test_a_result_not_given_a_day_goes_on_the_day_planned(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    delivery.day = delivery.window_start = delivery.window_end = None
    plan_the_day(session, world["manager"], world["office"], MONDAY, [world["postman"]], clock.now())
    session.refresh(delivery)
    assert (delivery.status, delivery.day) == ("assigned", MONDAY)


def test_a_result_without_a_map_point_stays_at_the_office_and_is_reported(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _at_office_on(session, world, clock, 10)
    delivery.lat = delivery.lon = None
    outcome = plan_the_day(
        session, world["manager"], world["office"], MONDAY, [world["postman"]], clock.now()
    )
    session.refresh(delivery)
    assert delivery.status == "at_office" and delivery.postman_id is None
    assert outcome.unserved_deliveries == [delivery]


def test_planning_moves_a_result_from_a_postman_left_at_the_office_to_one_going_out(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _at_office_on(session, world, clock, 10)
    runs.assign(session, world["manager"], delivery, world["second_postman"], clock.now())
    plan_the_day(session, world["manager"], world["office"], MONDAY, [world["postman"]], clock.now())
    session.refresh(delivery)
    assert (delivery.status, delivery.postman_id) == ("assigned", world["postman"].id)


def test_planning_another_day_leaves_a_result_due_on_monday_alone(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _at_office_on(session, world, clock, 10)
    plan_the_day(
        session,
        world["manager"],
        world["office"],
        MONDAY + timedelta(days=1),
        [world["postman"]],
        clock.now(),
    )
    session.refresh(delivery)
    assert (delivery.status, delivery.postman_id) == ("at_office", None)


# ---- Assigning by hand ------------------------------------------------------------------------------


def test_assigning_a_result_by_hand_puts_it_at_the_end_of_the_postmans_route(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    pickup = booked_pickup(session, world, clock.now(), slot_start=next_window(8))
    assign_pickup(session, world["manager"], pickup, world["postman"], clock.now())
    delivery = _at_office_on(session, world, clock, 10)
    runs.assign(session, world["manager"], delivery, world["postman"], clock.now())
    assert (delivery.status, delivery.postman_id) == ("assigned", world["postman"].id)
    assert delivery.route_position == pickup.route_position + 1
    assert delivery.events[-1].code == "assigned"


def test_a_pickup_assigned_after_a_result_follows_it_on_the_route(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _at_office_on(session, world, clock, 10)
    runs.assign(session, world["manager"], delivery, world["postman"], clock.now())
    pickup = booked_pickup(session, world, clock.now(), slot_start=next_window(14))
    assign_pickup(session, world["manager"], pickup, world["postman"], clock.now())
    assert pickup.route_position == (delivery.route_position or 0) + 1


def test_taking_a_result_off_the_run_puts_it_back_in_the_offices_pool(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _at_office_on(session, world, clock, 10)
    runs.assign(session, world["manager"], delivery, world["postman"], clock.now())
    runs.assign(session, world["manager"], delivery, None, clock.now())
    assert (delivery.status, delivery.postman_id, delivery.route_position) == ("at_office", None, None)
    assert delivery.events[-1].code == "unassigned"


def test_a_result_without_a_day_assigned_by_hand_goes_on_the_day_being_planned(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    delivery.day = delivery.window_start = delivery.window_end = None
    runs.assign(session, world["manager"], delivery, world["postman"], clock.now(), day=MONDAY)
    assert delivery.day == MONDAY


def test_a_manager_of_another_operator_cannot_assign_a_result(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _at_office_on(session, world, clock, 10)
    stranger = user(session, Role.POSTAL_MANAGER)
    with pytest.raises(PermissionDenied):
        runs.assign(session, stranger, delivery, world["postman"], clock.now())
    assert delivery.status == "at_office"


def test_a_result_cannot_go_on_the_run_of_a_postman_of_another_office(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    from tests.factories import post_office

    delivery = _at_office_on(session, world, clock, 10)
    elsewhere = post_office(session, world["operator"])
    outsider = user(session, Role.POSTMAN, organization=world["operator"], post_office_id=elsewhere.id)
    with pytest.raises(ValidationFailed) as caught:
        runs.assign(session, world["manager"], delivery, outsider, clock.now())
    assert "postman_id" in caught.value.fields


def test_a_result_collected_at_the_office_is_never_put_on_a_run(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    with pytest.raises(ValidationFailed):
        runs.assign(session, world["manager"], delivery, world["postman"], clock.now())


# ---- Going out ----------------------------------------------------------------------------------


def _on_run_today(
    session: Session, world: dict[str, Any], clock: FixedClock, postman_key: str = "postman"
) -> Delivery:
    """A result on the postman's run of its day (Saturday); the clock then moves to that morning."""
    delivery = delivery_at_office(session, world, clock.now())
    runs.assign(session, world["manager"], delivery, world[postman_key], clock.now())
    return delivery


def _saturday_morning(clock: FixedClock) -> date:
    clock.advance(days=1)
    return to_local(clock.now()).date()


def test_starting_the_run_takes_the_results_out_and_their_dossiers_with_them(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _on_run_today(session, world, clock)
    day = _saturday_morning(clock)
    taken = runs.start_run(session, world["postman"], day, clock.now())
    assert taken == [delivery]
    assert (delivery.status, delivery.code_round) == (DeliveryStatus.OUT.value, 1)
    assert delivery.dossier.status == DossierStatus.OUT_FOR_DELIVERY.value
    assert delivery.code_expires_at is not None and to_local(delivery.code_expires_at).date() == day


def test_starting_the_run_sends_each_citizen_the_one_time_code(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _on_run_today(session, world, clock)
    runs.start_run(session, world["postman"], _saturday_morning(clock), clock.now())
    message = session.scalar(sa.select(CitizenMessage).where(CitizenMessage.kind == "delivery.out"))
    assert message is not None and message.subject_ref == delivery.dossier.code
    assert message.link == f"delivery-code:{delivery.dossier.code}:1"


def test_starting_the_run_hands_custody_of_the_result_to_the_postman(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _on_run_today(session, world, clock)
    runs.start_run(session, world["postman"], _saturday_morning(clock), clock.now())
    entries = session.scalars(
        sa.select(CustodyEntry).where(
            CustodyEntry.dossier_code == delivery.dossier.code, CustodyEntry.kind == "out_for_delivery"
        )
    ).all()
    assert entries and all(world["postman"].username in e.actor for e in entries)


def test_starting_the_run_tells_the_units_system_by_webhook(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    webhook_endpoint(session, world["unit"])
    _on_run_today(session, world, clock)
    runs.start_run(session, world["postman"], _saturday_morning(clock), clock.now())
    sent = session.scalars(
        sa.select(OutboxMessage.event_type).where(OutboxMessage.organization_id == world["unit"].id)
    ).all()
    assert "dossier.out_for_delivery" in sent


def test_starting_the_run_starts_the_delivery_task(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _on_run_today(session, world, clock)
    runs.start_run(session, world["postman"], _saturday_morning(clock), clock.now())
    task = session.scalar(
        sa.select(Task).where(
            Task.dossier_code == delivery.dossier.code, Task.task_type == TaskType.RESULT_DELIVERY.value
        )
    )
    assert task is not None and task.status == TaskStatus.IN_PROGRESS.value


def test_a_postman_starts_only_his_own_run(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    mine = _on_run_today(session, world, clock)
    theirs = _on_run_today(session, world, clock, "second_postman")
    taken = runs.start_run(session, world["postman"], _saturday_morning(clock), clock.now())
    assert taken == [mine] and theirs.status == DeliveryStatus.ASSIGNED.value


def test_a_run_goes_out_on_its_own_day_only(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _on_run_today(session, world, clock)
    assert delivery.day is not None
    with pytest.raises(ValidationFailed):
        runs.start_run(session, world["postman"], delivery.day, clock.now())  # Friday: the run is Saturday's
    assert delivery.status == DeliveryStatus.ASSIGNED.value


def test_a_result_put_on_the_run_later_in_the_day_is_taken_out_on_its_own(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    first = _on_run_today(session, world, clock)
    later = delivery_at_office(session, world, clock.now())
    day = _saturday_morning(clock)
    runs.start_run(session, world["postman"], day, clock.now())
    runs.assign(session, world["manager"], later, world["postman"], clock.now())
    runs.take_out(session, world["postman"], later, clock.now())
    assert (first.status, later.status) == ("out", "out")
    assert later.dossier.status == DossierStatus.OUT_FOR_DELIVERY.value


def test_taking_out_a_result_on_another_postmans_run_is_refused(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    theirs = _on_run_today(session, world, clock, "second_postman")
    _saturday_morning(clock)
    with pytest.raises(PermissionDenied):
        runs.take_out(session, world["postman"], theirs, clock.now())
    assert theirs.status == DeliveryStatus.ASSIGNED.value


def test_a_postmans_day_lists_only_his_own_results(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    mine = _on_run_today(session, world, clock)
    _on_run_today(session, world, clock, "second_postman")
    assert mine.day is not None
    assert runs.run_deliveries(session, world["office"], world["postman"], mine.day) == [mine]


# ---- After a failed visit -------------------------------------------------------------------------


def _failed_at_the_door(session: Session, world: dict[str, Any], clock: FixedClock) -> Delivery:
    from postal_hub.delivery.failures import fail_attempt

    delivery = _on_run_today(session, world, clock)
    day = _saturday_morning(clock)
    runs.start_run(session, world["postman"], day, clock.now())
    clock.advance(minutes=30)
    fail_attempt(session, world["postman"], delivery, "nobody_home", "", None, None, clock.now())
    return delivery


def test_a_result_that_failed_at_the_door_is_not_planned_again_the_same_day(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _failed_at_the_door(session, world, clock)
    day = to_local(clock.now()).date()
    plan_the_day(session, world["manager"], world["office"], day, [world["postman"]], clock.now())
    session.refresh(delivery)
    assert (delivery.status, delivery.postman_id) == ("at_office", None)


def test_a_result_that_failed_at_the_door_is_planned_on_a_later_day(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _failed_at_the_door(session, world, clock)
    clock.advance(days=2)  # Monday
    plan_the_day(session, world["manager"], world["office"], MONDAY, [world["postman"]], clock.now())
    session.refresh(delivery)
    assert (delivery.status, delivery.day) == ("assigned", MONDAY)


def test_the_postmans_day_still_lists_the_result_he_failed_to_hand_over(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _failed_at_the_door(session, world, clock)
    day = to_local(clock.now()).date()
    assert runs.run_deliveries(session, world["office"], world["postman"], day) == [delivery]
    assert runs.run_deliveries(session, world["office"], world["second_postman"], day) == []


def test_a_result_whose_day_went_by_assigned_by_hand_goes_on_the_day_being_planned(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now())  # due Saturday, never sent out
    clock.advance(days=3)  # Monday
    runs.assign(session, world["manager"], delivery, world["postman"], clock.now(), day=MONDAY)
    assert delivery.day == MONDAY
    assert runs.start_run(session, world["postman"], MONDAY, clock.now()) == [delivery]


def test_the_dispatch_list_of_today_shows_a_result_whose_day_went_by(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    clock.advance(days=3)
    assert delivery in runs.day_deliveries(session, world["office"], MONDAY, today=MONDAY)
    assert delivery not in runs.day_deliveries(session, world["office"], MONDAY + timedelta(days=1))
