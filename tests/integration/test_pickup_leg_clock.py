"""The pickup leg's clock is the window the citizen booked, not the contract's hours from the door."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.task_models import Task
from postal_hub.pickup.door import complete
from postal_hub.services import pickup_settings
from tests.factories import booked_pickup, pickup_setup
from tests.fakes import FixedClock


def _pickup_task(session: Session, code: str) -> Task:
    task = session.scalar(sa.select(Task).where(Task.dossier_code == code, Task.task_type == "home_pickup"))
    assert task is not None
    return task


def test_a_pickup_taken_within_the_booked_window_is_on_time(session: Session, clock: FixedClock) -> None:
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    every = {c.code for c in world["procedure"].components}
    dossier = complete(session, pickup_settings(), world["postman"], pickup, every, "cash", pickup.slot_start)
    task = _pickup_task(session, dossier.code)
    assert (task.due_at, task.sla_met) == (pickup.slot_end, True)


def test_a_pickup_taken_after_the_booked_window_is_late(session: Session, clock: FixedClock) -> None:
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    every = {c.code for c in world["procedure"].components}
    after = pickup.slot_end + timedelta(minutes=30)
    dossier = complete(session, pickup_settings(), world["postman"], pickup, every, "cash", after)
    assert _pickup_task(session, dossier.code).sla_met is False
