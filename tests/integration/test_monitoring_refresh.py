"""Refresh rounds: each rewrites what changed since the last one (an event, a rating, a task, a clock that
ran out), nothing else; a full rebuild agrees with the rounds; two rounds at once never double a row."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub import create_app
from postal_hub.contracts.task_models import Task
from postal_hub.core.places.services import sync_places
from postal_hub.delivery.models import SatisfactionRating
from postal_hub.extensions import db
from postal_hub.intake.models import Dossier, DossierEvent
from postal_hub.monitoring import query
from postal_hub.monitoring.models import (
    MEASURES,
    TASK_MEASURES,
    DailyStats,
    DossierFact,
    OfficeMonthStats,
    OfficeMonthTotals,
    RefreshState,
    TaskMonthTotals,
    UnitMonthStats,
    UnitMonthTotals,
)
from postal_hub.monitoring.models_rollups import ROLLUPS, TaskDayTotals
from postal_hub.monitoring.query import Filters, Scope
from postal_hub.monitoring.refresh import RefreshResult, refresh
from tests.conftest import ENGINE, TEST_CONFIG
from tests.factories_monitoring import MONDAY, Leg, past_dossier, trip, world
from tests.fakes import FixedClock

DAY = timedelta(days=1)
NOVEMBER = Filters(start=date(2026, 11, 1), end=date(2026, 11, 30))
OCTOBER_12 = datetime(2026, 10, 12, 2, 0, tzinfo=UTC)
NOVEMBER_16 = MONDAY + 14 * DAY
SUMMARIES = (
    DailyStats,
    OfficeMonthStats,
    UnitMonthStats,
    OfficeMonthTotals,
    UnitMonthTotals,
    TaskMonthTotals,
    *ROLLUPS,
)


def snapshot(session: Session, table: Any, with_id: bool = True) -> set[tuple[Any, ...]]:
    columns = [c for c in table.__table__.columns if with_id or c.name != "id"]
    return {tuple(row) for row in session.execute(sa.select(*columns))}


def summaries(session: Session, with_id: bool = True) -> dict[str, set[tuple[Any, ...]]]:
    return {t.__tablename__: snapshot(session, t, with_id) for t in (DossierFact, *SUMMARIES)}


def rows_of(session: Session, table: Any, where: Any) -> set[tuple[Any, ...]]:
    return {tuple(r) for r in session.execute(sa.select(*table.__table__.columns).where(where))}


def november(session: Session) -> query.Totals:
    return query.totals(session, Scope(), NOVEMBER)


@pytest.fixture
def w(session: Session) -> dict[str, Any]:
    return world(session)


@pytest.fixture
def dossiers(session: Session, clock: FixedClock, w: dict[str, Any]) -> dict[str, Dossier]:
    """October's delivered dossier, November's delivered one, and one at the unit since 16/11 whose
    appointment is Saturday 21/11 09:00 (Hanoi); then a first round."""
    made = {
        "october": past_dossier(session, w, trip(OCTOBER_12)),
        "delivered": past_dossier(session, w, trip(MONDAY)),
        "at_unit": past_dossier(
            session,
            w,
            trip(NOVEMBER_16, result_after=None, delivered_after=None, appointment_at=NOVEMBER_16 + 5 * DAY),
        ),
    }
    refresh(session, clock.now())
    return made


def fact_of(session: Session, dossier: Dossier) -> DossierFact:
    fact = session.get(DossierFact, dossier.id, populate_existing=True)
    assert fact is not None
    return fact


def result_ready(session: Session, dossier: Dossier, at: datetime) -> None:
    """What the unit's result leaves behind: its event, and the dossier's new status."""
    session.add(DossierEvent(dossier_id=dossier.id, code="result_ready", at=at, place="UBND"))
    session.execute(sa.update(Dossier).where(Dossier.id == dossier.id).values(status="result_ready"))
    session.flush()


def test_a_first_round_writes_a_fact_per_dossier(
    session: Session, clock: FixedClock, w: dict[str, Any]
) -> None:
    for day in (MONDAY, MONDAY + DAY):
        past_dossier(session, w, trip(day))
    assert refresh(session, clock.now()).dossiers == 2


def test_a_new_event_rewrites_only_its_dossier_and_its_day_and_month(
    session: Session, clock: FixedClock, dossiers: dict[str, Dossier]
) -> None:
    result_ready(session, dossiers["at_unit"], clock.now() - timedelta(hours=1))
    assert refresh(session, clock.now()) == RefreshResult(dossiers=1, days=1, months=1, task_months=1)


def test_a_new_event_shows_in_the_next_rounds_figures(
    session: Session, clock: FixedClock, dossiers: dict[str, Dossier]
) -> None:
    result_ready(session, dossiers["at_unit"], clock.now() - timedelta(hours=1))
    refresh(session, clock.now())
    t = november(session)
    assert (fact_of(session, dossiers["at_unit"]).unit_state, t["unit_done"], t["unit_on_time"]) == (
        "on_time",
        2,
        2,
    )


def test_a_new_event_leaves_other_days_and_months_summaries_as_they_were(
    session: Session, clock: FixedClock, dossiers: dict[str, Dossier]
) -> None:
    other_days = DailyStats.day != date(2026, 11, 16)
    before = (
        rows_of(session, DailyStats, other_days),
        rows_of(session, UnitMonthStats, UnitMonthStats.month == date(2026, 10, 1)),
        rows_of(session, OfficeMonthStats, OfficeMonthStats.month == date(2026, 10, 1)),
    )
    result_ready(session, dossiers["at_unit"], clock.now() - timedelta(hours=1))
    refresh(session, clock.now())
    after = (
        rows_of(session, DailyStats, other_days),
        rows_of(session, UnitMonthStats, UnitMonthStats.month == date(2026, 10, 1)),
        rows_of(session, OfficeMonthStats, OfficeMonthStats.month == date(2026, 10, 1)),
    )
    assert after == before  # the same rows, ids included: not rewritten


def test_a_new_event_leaves_other_dossiers_facts_alone(
    session: Session, clock: FixedClock, dossiers: dict[str, Dossier]
) -> None:
    # A mark on another dossier's fact would be wiped by a rewrite of that fact.
    marked = dossiers["delivered"]
    session.execute(sa.update(DossierFact).where(DossierFact.dossier_id == marked.id).values(code="MARK"))
    result_ready(session, dossiers["at_unit"], clock.now() - timedelta(hours=1))
    refresh(session, clock.now())
    assert fact_of(session, marked).code == "MARK"


def test_a_rating_alone_triggers_a_rewrite(
    session: Session, clock: FixedClock, dossiers: dict[str, Dossier]
) -> None:
    rated = dossiers["delivered"]
    session.add(
        SatisfactionRating(
            dossier_id=rated.id,
            unit_id=rated.unit_id,
            operator_id=rated.operator_id,
            office_id=rated.office_id,
            subject="unit",
            level="satisfied",
            rated_at=clock.now(),
        )
    )
    session.flush()
    result = refresh(session, clock.now())
    assert (result.dossiers, november(session)["unit_rated"], november(session)["unit_satisfied"]) == (
        1,
        1,
        1,
    )


def test_a_new_task_alone_triggers_a_rewrite(
    session: Session, clock: FixedClock, dossiers: dict[str, Dossier]
) -> None:
    # A collection opened nine hours ago (SLA 8 hours): the leg is overdue with no dossier event.
    opened = clock.now() - timedelta(hours=9)
    add_task(session, dossiers["at_unit"], Leg("result_collection", opened))
    result = refresh(session, clock.now())
    assert (result.dossiers, fact_of(session, dossiers["at_unit"]).delivery_state) == (1, "overdue")


def add_task(session: Session, dossier: Dossier, leg: Leg) -> None:
    """A task on the dossier under the contract its other tasks were priced by."""
    template = session.scalar(sa.select(Task).where(Task.dossier_code == dossier.code).limit(1))
    assert template is not None
    due = leg.due_at or leg.created_at + timedelta(hours=8)
    session.add(
        Task(
            contract_id=template.contract_id,
            version_id=template.version_id,
            task_type=leg.task_type,
            status="open",
            dossier_code=dossier.code,
            procedure_id=dossier.procedure_id,
            unit_id=dossier.unit_id,
            operator_id=dossier.operator_id,
            post_office_id=dossier.office_id,
            created_at=leg.created_at,
            warn_at=due,
            due_at=due,
            unit_price=1000,
        )
    )
    session.flush()


def test_a_running_clock_that_passes_turns_the_dossier_overdue_on_the_next_round(
    session: Session, clock: FixedClock, dossiers: dict[str, Dossier]
) -> None:
    before = november(session)["overdue"]
    clock.advance(days=2)  # Sunday 22/11: the appointment of 21/11 has passed, nothing else happened
    refresh(session, clock.now())
    assert (before, november(session)["overdue"], fact_of(session, dossiers["at_unit"]).overdue) == (0, 1, 1)


def test_a_task_clock_that_passes_turns_the_task_overdue_on_the_next_round(
    session: Session, clock: FixedClock, dossiers: dict[str, Dossier]
) -> None:
    opened = clock.now() - timedelta(hours=1)
    add_task(session, dossiers["at_unit"], Leg("result_collection", opened))
    refresh(session, clock.now())
    before = query.task_summed(session, Scope(), NOVEMBER, (), clock.now())[0][1]["tasks_overdue"]
    clock.advance(hours=8)
    refresh(session, clock.now())
    after = query.task_summed(session, Scope(), NOVEMBER, (), clock.now())[0][1]["tasks_overdue"]
    assert (before, after) == (0, 1)


def test_a_round_with_nothing_new_changes_nothing(
    session: Session, clock: FixedClock, dossiers: dict[str, Dossier]
) -> None:
    before = summaries(session)
    result = refresh(session, clock.now())
    assert (result, summaries(session)) == (RefreshResult(0, 0, 0, 0), before)


def test_a_later_round_with_nothing_new_and_no_clock_run_out_changes_nothing(
    session: Session, clock: FixedClock, dossiers: dict[str, Dossier]
) -> None:
    before = summaries(session)
    clock.advance(hours=12)  # Friday 21:00: the appointment (Saturday 09:00) has not passed yet
    assert (refresh(session, clock.now()), summaries(session)) == (RefreshResult(0, 0, 0, 0), before)


def test_a_full_rebuild_gives_the_summaries_the_rounds_gave(
    session: Session, clock: FixedClock, w: dict[str, Any], dossiers: dict[str, Dossier]
) -> None:
    result_ready(session, dossiers["at_unit"], clock.now() - timedelta(hours=1))
    refresh(session, clock.now())
    past_dossier(session, w, trip(MONDAY + 3 * DAY, carriage_hours=12, delivered_after=11 * DAY))
    past_dossier(session, w, trip(MONDAY + 17 * DAY, result_after=None, delivered_after=None))
    clock.advance(days=2)
    refresh(session, clock.now())
    incremental = summaries(session, with_id=False)
    refresh(session, clock.now(), full=True)
    assert summaries(session, with_id=False) == incremental


def test_a_full_rebuild_reads_everything_again(
    session: Session, clock: FixedClock, dossiers: dict[str, Dossier]
) -> None:
    assert refresh(session, clock.now(), full=True).dossiers == 3


# --- two rounds at once (PostgreSQL: SQLite serialises writers anyway) --------------------------------

RACERS = 4
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)

# Each summary's dimensions: every column but its id and measures.
SUMMARY_KEYS: dict[Any, tuple[str, ...]] = {
    table: tuple(
        c.name
        for c in table.__table__.columns
        if c.name != "id" and c.name not in (*MEASURES, *TASK_MEASURES)
    )
    for table in SUMMARIES
}


def _race(app: Any) -> tuple[list[RefreshResult], list[BaseException]]:
    barrier = threading.Barrier(RACERS, timeout=30)
    results: list[RefreshResult] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context():
                barrier.wait()
                results.append(refresh(db.session, NOW))
                db.session.commit()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, failures


def _duplicates(session: Session) -> dict[str, int]:
    found = {}
    for table, keys in SUMMARY_KEYS.items():
        cols = [getattr(table, k) for k in keys]
        dup = sa.select(*cols).group_by(*cols).having(sa.func.count() > 1).subquery()
        found[table.__tablename__] = int(session.scalar(sa.select(sa.func.count()).select_from(dup)) or 0)
    return found


def _fill(session: Session, w: dict[str, Any], days: range) -> int:
    """Two dossiers a day accepted `days` after MONDAY: one delivered (or still at the unit if it came
    in the last week), carried late every few days; one picked up and still at the unit."""
    made = 0
    for d in days:
        start = MONDAY + d * DAY
        recent = start + 7 * DAY > NOW
        past_dossier(
            session,
            w,
            trip(
                start,
                carriage_hours=6 + d % 5,
                result_after=None if recent else 3 * DAY,
                delivered_after=None if recent else 7 * DAY,
            ),
        )
        past_dossier(session, w, trip(start, channel="pickup", result_after=None, delivered_after=None))
        made += 2
    return made


@pytest.mark.skipif(ENGINE != "postgresql", reason="concurrency is proven on PostgreSQL")
def test_first_rounds_racing_write_each_summary_row_once(own_schema: str) -> None:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": own_schema, "DATABASE_POOL_SIZE": RACERS + 2})
    with app.app_context():
        sync_places(db.session)
        made = _fill(db.session, world(db.session), range(-30, 17))
        db.session.commit()
    results, failures = _race(app)
    with app.app_context():
        counts = (
            _duplicates(db.session),
            int(db.session.scalar(sa.select(sa.func.count()).select_from(DossierFact)) or 0),
            int(db.session.scalar(sa.select(sa.func.count()).select_from(RefreshState)) or 0),
        )
    app.extensions["postal_hub_db"]["engine"].dispose()
    assert failures == []
    # The state row lock let one round do the work; the others, serialised behind it, found nothing new.
    assert sorted(r.dossiers for r in results) == [0] * (RACERS - 1) + [made]
    assert counts == (dict.fromkeys((t.__tablename__ for t in SUMMARY_KEYS), 0), made, 1)


@pytest.mark.skipif(ENGINE != "postgresql", reason="concurrency is proven on PostgreSQL")
def test_later_rounds_racing_write_each_summary_row_once(own_schema: str) -> None:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": own_schema, "DATABASE_POOL_SIZE": RACERS + 2})
    with app.app_context():
        sync_places(db.session)
        w = world(db.session)
        _fill(db.session, w, range(-30, 0))
        refresh(db.session, NOW - DAY)
        db.session.commit()
        _fill(db.session, w, range(-30, 17))  # as many again, new since that round
        db.session.commit()
    results, failures = _race(app)
    with app.app_context():
        duplicates = _duplicates(db.session)
        totals = query.totals(db.session, Scope(), NOVEMBER)["dossiers"]
        db.session.rollback()
        before = summaries(db.session, with_id=False)
        refresh(db.session, NOW, full=True)
        rebuilt = summaries(db.session, with_id=False)
        db.session.rollback()
    app.extensions["postal_hub_db"]["engine"].dispose()
    assert failures == []
    # Serialised: one round did the work, the next read the same ids again (each round re-reads the
    # previous round's newest ids, for transactions that commit late), the others found nothing.
    worked = sorted(r.dossiers for r in results)
    assert worked[: RACERS - 2] == [0] * (RACERS - 2) and worked[-2] == worked[-1] > 0
    assert duplicates == dict.fromkeys((t.__tablename__ for t in SUMMARY_KEYS), 0)
    assert totals == 2 + 2 * 18  # 1/11 from the first fill; 1/11 to 18/11 from the second
    assert rebuilt == before


def test_an_event_committed_after_a_round_saw_a_higher_id_is_read_by_the_next_round(
    session: Session, clock: FixedClock, dossiers: dict[str, Dossier]
) -> None:
    """Ids are handed out at insert and seen at commit: a slow transaction's lower id must not be lost."""
    newest = session.scalar(sa.select(sa.func.max(DossierEvent.id))) or 0
    session.add(
        DossierEvent(
            id=newest + 2, dossier_id=dossiers["delivered"].id, code="note", at=clock.now(), place="x"
        )
    )
    session.flush()
    refresh(session, clock.now())
    late = dossiers["at_unit"]
    session.add(
        DossierEvent(id=newest + 1, dossier_id=late.id, code="result_ready", at=clock.now(), place="x")
    )
    late.status = "result_ready"
    session.flush()
    refresh(session, clock.now())
    fact = session.get(DossierFact, late.id, populate_existing=True)
    assert fact is not None and fact.status == "result_ready"


def test_a_task_cancelled_without_an_event_is_counted_by_the_next_round(
    session: Session, clock: FixedClock, w: dict[str, Any]
) -> None:
    """A citizen switching to collect at the office cancels the delivery task and writes no event."""
    journey = trip(MONDAY, delivered_after=None)
    journey.legs = [leg for leg in journey.legs if leg.task_type != "result_delivery"]
    journey.legs.append(Leg("result_delivery", MONDAY + 3 * DAY))
    dossier = past_dossier(session, w, journey)
    refresh(session, clock.now())
    fact = session.get(DossierFact, dossier.id)
    assert fact is not None and fact.delivery_state == "overdue"
    task = session.scalar(
        sa.select(Task).where(Task.dossier_code == dossier.code, Task.task_type == "result_delivery")
    )
    assert task is not None
    task.status, task.completed_at = "cancelled", clock.now()
    session.flush()
    refresh(session, clock.now())
    fact = session.get(DossierFact, dossier.id, populate_existing=True)
    assert fact is not None and fact.delivery_state != "overdue"


def test_an_open_digitization_task_does_not_hold_back_a_dossier_the_unit_has_received(
    session: Session, clock: FixedClock, w: dict[str, Any]
) -> None:
    """Dispatched unscanned: the task stays overdue on the task list, the carriage leg is on time."""
    journey = trip(MONDAY, delivered_after=timedelta(days=20))
    journey.legs = [leg for leg in journey.legs if leg.task_type != "digitization"]
    journey.legs.append(Leg("digitization", MONDAY))
    dossier = past_dossier(session, w, journey)
    refresh(session, clock.now())
    fact = session.get(DossierFact, dossier.id)
    assert fact is not None and (fact.carriage_state, fact.late_carriage) == ("on_time", 0)


def test_a_task_without_a_dossier_finished_without_an_event_reaches_the_day_and_month_tables(
    session: Session, clock: FixedClock, w: dict[str, Any]
) -> None:
    """A guidance task has no dossier: its completion writes no event, yet its day row must follow,
    or a month less its edge days would count it in the month and not take it out with its day."""
    journey = trip(MONDAY, delivered_after=None)
    journey.legs = [leg for leg in journey.legs if leg.task_type != "result_delivery"]
    journey.legs.append(Leg("result_delivery", MONDAY + 3 * DAY))
    dossier = past_dossier(session, w, journey)
    refresh(session, clock.now())
    task = session.scalar(
        sa.select(Task).where(Task.dossier_code == dossier.code, Task.task_type == "result_delivery")
    )
    assert task is not None
    task.dossier_code, task.status, task.completed_at = None, "cancelled", clock.now()
    session.flush()
    refresh(session, clock.now())
    incremental = (snapshot(session, TaskMonthTotals, False), snapshot(session, TaskDayTotals, False))
    refresh(session, clock.now(), full=True)
    assert (snapshot(session, TaskMonthTotals, False), snapshot(session, TaskDayTotals, False)) == incremental
