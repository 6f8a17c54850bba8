"""The demo's past: the same on every run, written once, with timelines that make sense, all counted."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub import create_app
from postal_hub.contracts.status import TaskStatus
from postal_hub.contracts.task_models import Task
from postal_hub.core.clock import to_local
from postal_hub.db import make_engine
from postal_hub.demo.history import seed_history
from postal_hub.demo.history_data import STATUS_AFTER
from postal_hub.demo.history_planner import window_start
from postal_hub.demo.seed import seed_demo
from postal_hub.extensions import db
from postal_hub.intake.models import Dossier, DossierEvent
from postal_hub.intake.status import DOSSIER_MACHINE, DossierStatus
from postal_hub.monitoring.query import Filters, Scope, task_summed, totals
from postal_hub.monitoring.refresh import refresh
from postal_hub.monitoring.summing import local_midnight_utc
from tests.conftest import TEST_CONFIG
from tests.fakes import FixedClock

COUNT = 60


@dataclass
class World:
    session: Session
    clock: FixedClock


@pytest.fixture(scope="module")
def world(database_url: str) -> Iterator[World]:
    """The demo's organizations, offices, procedures and contracts (no dossiers: no file store), once
    for the module, inside a transaction rolled back after it."""
    engine = make_engine(database_url)
    connection = engine.connect()
    outer = connection.begin()
    clock = FixedClock()
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url})
    db.bind_to_connection(app, connection)
    with app.app_context():
        seed_demo(db.session, "secret", clock.now())
        db.session.flush()
        yield World(db.session, clock)
    outer.rollback()
    connection.close()
    engine.dispose()


@pytest.fixture
def session(world: World) -> Iterator[Session]:
    nested = world.session.begin_nested()
    yield world.session
    if nested.is_active:
        nested.rollback()
    world.session.expire_all()


def _history(session: Session) -> list[tuple[Any, ...]]:
    """Every generated dossier as a citizen and a clerk would see it: codes, status, timeline, tasks."""
    session.expire_all()
    tasks: dict[str, list[tuple[Any, ...]]] = {}
    for task in session.scalars(sa.select(Task).order_by(Task.id)):
        tasks.setdefault(task.dossier_code or "", []).append(
            (task.task_type, task.status, task.created_at, task.due_at, task.completed_at, task.sla_met)
        )
    return [
        (
            d.code,
            d.item_number,
            d.status,
            d.channel,
            d.applicant_citizen_id,
            d.accepted_at,
            [(e.code, e.at) for e in d.events],
            [(c.code, c.reused_file_id is not None) for c in d.components],
            tasks.get(d.code, []),
        )
        for d in session.scalars(sa.select(Dossier).order_by(Dossier.code))
    ]


def test_the_history_is_the_same_on_every_run(world: World, session: Session) -> None:
    first_run = session.begin_nested()
    assert seed_history(session, world.clock.now(), count=COUNT) == COUNT
    first = _history(session)
    first_run.rollback()
    seed_history(session, world.clock.now(), count=COUNT)
    assert _history(session) == first


def test_seeding_the_history_again_adds_nothing(world: World, session: Session) -> None:
    seed_history(session, world.clock.now(), count=COUNT)
    before = _history(session)
    assert seed_history(session, world.clock.now() + timedelta(days=1), count=COUNT) == 0
    assert _history(session) == before


def test_every_timeline_runs_forward_and_ends_in_the_dossiers_status(world: World, session: Session) -> None:
    seed_history(session, world.clock.now(), count=COUNT)
    dossiers = session.scalars(sa.select(Dossier)).all()
    assert len(dossiers) == COUNT
    for dossier in dossiers:
        events = session.scalars(
            sa.select(DossierEvent).where(DossierEvent.dossier_id == dossier.id).order_by(DossierEvent.id)
        ).all()
        moments = [e.at for e in events]
        assert moments == sorted(moments) and moments[-1] <= world.clock.now(), dossier.code
        assert events[0].code == "accepted" and events[0].at == dossier.accepted_at
        status = DossierStatus.ACCEPTED
        for event in events[1:]:
            after = STATUS_AFTER[event.code]
            if after is not None:
                DOSSIER_MACHINE.check(status, after)
                status = after
        assert status == dossier.status, dossier.code


def test_older_dossiers_are_delivered_and_recent_ones_still_moving(world: World, session: Session) -> None:
    seed_history(session, world.clock.now(), count=COUNT)
    month_ago = world.clock.now() - timedelta(days=30)
    old = session.scalars(sa.select(Dossier.status).where(Dossier.accepted_at < month_ago)).all()
    assert old and all(s == DossierStatus.DELIVERED for s in old)
    channels = session.scalars(sa.select(Dossier.channel)).all()
    assert channels.count("counter") > channels.count("pickup") > channels.count("api") > 0


def test_after_a_refresh_the_dashboards_count_every_generated_dossier(world: World, session: Session) -> None:
    now = world.clock.now()
    made = seed_history(session, now, count=COUNT)
    refresh(session, now, full=True)
    period = Filters(start=window_start(now), end=to_local(now).date())
    summed = totals(session, Scope(), period)
    assert summed["dossiers"] == made == COUNT
    assert summed["closed"] + summed["open"] == made
    assert summed["late_carriage"] + summed["late_unit"] > 0  # the dual clock has something to attribute
    counted = sum(t["tasks"] for _key, t in task_summed(session, Scope(), period, ["task_type"], now))
    in_period = sa.select(sa.func.count()).where(
        Task.status != TaskStatus.CANCELLED.value,
        Task.created_at >= local_midnight_utc(period.start),
        Task.created_at < local_midnight_utc(period.end + timedelta(days=1)),
    )
    assert counted == session.scalar(in_period)
