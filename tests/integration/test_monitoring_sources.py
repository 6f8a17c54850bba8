"""Whichever table answers a question, the answer is the same: the daily, unit-month and office-month
summaries and the facts agree on whole months, day ranges fall back to day-grain tables, and the task
summary agrees with the tasks themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.task_models import Task
from postal_hub.monitoring import query, sources
from postal_hub.monitoring.models import (
    MEASURES,
    TASK_MEASURES,
    DailyStats,
    DossierFact,
    OfficeMonthStats,
    OfficeMonthTotals,
    UnitMonthStats,
    UnitMonthTotals,
)
from postal_hub.monitoring.models_rollups import (
    MonthStats,
    OfficeDayTotals,
    OfficeUnitMonth,
    UnitDayTotals,
)
from postal_hub.monitoring.query import Filters, Scope
from postal_hub.monitoring.refresh import refresh
from tests import factories
from tests.factories_monitoring import MONDAY, past_dossier, second_world, trip, world
from tests.factories_training import procedure_group
from tests.fakes import FixedClock

DAY = timedelta(days=1)
NOVEMBER = Filters(start=date(2026, 11, 1), end=date(2026, 11, 30))
MID_NOVEMBER = Filters(start=date(2026, 11, 3), end=date(2026, 11, 17))
ADMIN = Scope()


@dataclass
class Spread:
    a: dict[str, Any]
    b: dict[str, Any]
    other_group_id: int


@pytest.fixture
def spread(session: Session, clock: FixedClock) -> Spread:
    """Two operators' offices (provinces 79 and 48) serving two units, three channels, two procedure
    groups, across October and November, with the month boundary taken in Hanoi time."""
    a = world(session)
    b = second_world(session, a, office_province="48")
    other = factories.procedure(session, group_id=procedure_group(session, "OTHER").id)
    open_: dict[str, Any] = {"result_after": None, "delivered_after": None}
    for journey in (
        trip(datetime(2026, 10, 31, 17, 30, tzinfo=UTC), digitized=True),  # 1/11 00:30 in Hanoi
        trip(MONDAY + DAY, carriage_hours=12, delivered_after=11 * DAY, started_at=MONDAY + DAY),
        trip(MONDAY + 2 * DAY, channel="pickup", result_after=8 * DAY, delivered_after=12 * DAY, reused=1),
        trip(MONDAY + 15 * DAY, **open_),
        trip(datetime(2026, 10, 31, 16, 30, tzinfo=UTC)),  # 31/10 23:30 in Hanoi: October's
        trip(datetime(2026, 10, 20, 2, 0, tzinfo=UTC), ratings={"postal": "satisfied"}),
    ):
        past_dossier(session, a, journey)
    past_dossier(
        session, a, trip(MONDAY + 8 * DAY, channel="api", ratings={"unit": "satisfied"}), procedure=other
    )
    for journey in (
        trip(
            MONDAY,
            queued_at=MONDAY - timedelta(minutes=20),
            started_at=MONDAY - timedelta(minutes=5),
            ratings={"postal": "not_satisfied", "unit": "very_satisfied"},
        ),
        trip(MONDAY + 10 * DAY, appointment_at=MONDAY + 15 * DAY, **open_),
        trip(MONDAY + 17 * DAY, channel="api", **open_),
    ):
        past_dossier(session, b, journey)
    refresh(session, clock.now())
    return Spread(a, b, other.group_id or 0)


def table_sums(session: Session, table: Any, where: Any) -> dict[str, int]:
    row = session.execute(
        sa.select(*[sa.func.coalesce(sa.func.sum(getattr(table, m)), 0) for m in MEASURES]).where(where)
    ).one()
    return {m: int(v) for m, v in zip(MEASURES, row, strict=True)}


def facts_sums(session: Session, filters: Filters) -> dict[str, int]:
    """The reference: the facts themselves, filtered by hand."""
    where = [DossierFact.day >= filters.start, DossierFact.day <= filters.end]
    for column in query.FILTER_COLUMNS:
        if getattr(filters, column) is not None:
            where.append(getattr(DossierFact, column) == getattr(filters, column))
    return table_sums(session, DossierFact, sa.and_(*where))


NOVEMBER_MONTH = date(2026, 11, 1)


def test_the_daily_summary_sums_to_the_facts_of_the_month(session: Session, spread: Spread) -> None:
    daily = table_sums(session, DailyStats, DailyStats.day.between(NOVEMBER.start, NOVEMBER.end))
    assert daily == facts_sums(session, NOVEMBER)


def test_the_unit_month_summary_sums_to_the_facts_of_the_month(session: Session, spread: Spread) -> None:
    assert table_sums(session, UnitMonthStats, UnitMonthStats.month == NOVEMBER_MONTH) == facts_sums(
        session, NOVEMBER
    )


def test_the_office_month_summary_sums_to_the_facts_of_the_month(session: Session, spread: Spread) -> None:
    assert table_sums(session, OfficeMonthStats, OfficeMonthStats.month == NOVEMBER_MONTH) == facts_sums(
        session, NOVEMBER
    )


@pytest.mark.parametrize("table", [UnitMonthTotals, OfficeMonthTotals], ids=["unit", "office"])
def test_the_monthly_totals_over_groups_and_channels_sum_to_the_facts_of_the_month(
    session: Session, spread: Spread, table: Any
) -> None:
    assert table_sums(session, table, table.month == NOVEMBER_MONTH) == facts_sums(session, NOVEMBER)


def test_the_month_boundary_is_midnight_in_hanoi(session: Session, spread: Spread) -> None:
    first = Filters(start=date(2026, 11, 1), end=date(2026, 11, 1))
    last = Filters(start=date(2026, 10, 31), end=date(2026, 10, 31))
    assert (
        query.totals(session, ADMIN, first)["dossiers"],
        query.totals(session, ADMIN, last)["dossiers"],
    ) == (
        1,
        1,
    )


def test_november_totals_match_the_hand_count(session: Session, spread: Spread) -> None:
    t = query.totals(session, ADMIN, NOVEMBER)
    assert (t["dossiers"], t["closed"], t["late"], t["open"], t["overdue"], t["postal_rated"]) == (
        8,
        5,
        2,
        3,
        1,
        1,
    )


# The tables each question is read from, and that answer checked against the facts.
LATE_OCTOBER_TO_TODAY = Filters(start=date(2026, 10, 20), end=date(2026, 11, 17), today=date(2026, 11, 17))
MOST_OF_NOVEMBER = Filters(start=date(2026, 11, 3), end=date(2026, 11, 30))
CASES: list[tuple[str, dict[str, Any], Filters, str | None, list[Any]]] = [
    ("national month", {}, NOVEMBER, None, [MonthStats]),
    ("province month", {"province_code": "79"}, NOVEMBER, None, [MonthStats]),
    ("channel month", {"channel": "counter"}, NOVEMBER, None, [MonthStats]),
    ("group month", {"group_id": "other"}, NOVEMBER, None, [MonthStats]),
    ("national month by day", {}, NOVEMBER, "day", [DailyStats]),
    ("unit month", {"unit_id": "a"}, NOVEMBER, None, [UnitMonthTotals]),
    ("unit month by month", {"unit_id": "a"}, NOVEMBER, "month", [UnitMonthTotals]),
    ("unit month, one channel", {"unit_id": "a", "channel": "counter"}, NOVEMBER, None, [UnitMonthStats]),
    ("office month", {"office_id": "b"}, NOVEMBER, None, [OfficeMonthTotals]),
    ("office month, one group", {"office_id": "b", "group_id": "other"}, NOVEMBER, None, [OfficeMonthStats]),
    ("unit and office month", {"unit_id": "a", "office_id": "a"}, NOVEMBER, None, [OfficeUnitMonth]),
    ("unit month by day", {"unit_id": "a"}, NOVEMBER, "day", [UnitDayTotals]),
    ("unit month by week", {"unit_id": "a"}, NOVEMBER, "week", [UnitDayTotals]),
    ("national days", {}, MID_NOVEMBER, None, [DailyStats]),
    ("unit days", {"unit_id": "a"}, MID_NOVEMBER, None, [UnitDayTotals]),
    ("office days", {"office_id": "b"}, MID_NOVEMBER, None, [OfficeDayTotals]),
    ("unit and office days", {"unit_id": "a", "office_id": "a"}, MID_NOVEMBER, None, [DossierFact]),
    ("province days, by channel", {"province_code": "48"}, MID_NOVEMBER, None, [DailyStats]),
    ("national, most of a month", {}, MOST_OF_NOVEMBER, None, [MonthStats, DailyStats]),
    ("unit, most of a month", {"unit_id": "a"}, MOST_OF_NOVEMBER, None, [UnitMonthTotals, UnitDayTotals]),
    (
        "unit and channel, most of a month",
        {"unit_id": "a", "channel": "counter"},
        MOST_OF_NOVEMBER,
        None,
        [UnitMonthStats, DossierFact],
    ),
    (
        "national, late October to today",
        {},
        LATE_OCTOBER_TO_TODAY,
        None,
        [DailyStats, MonthStats, DailyStats],
    ),
    (
        "office, late October to today, by month",
        {"office_id": "a"},
        LATE_OCTOBER_TO_TODAY,
        "month",
        [OfficeDayTotals, OfficeMonthTotals, OfficeDayTotals],
    ),
]


def _filters(spread: Spread, period: Filters, given: dict[str, Any]) -> Filters:
    worlds = {"a": spread.a, "b": spread.b}
    values: dict[str, Any] = {}
    for name, value in given.items():
        if name == "unit_id":
            values[name] = worlds[value]["unit"].id
        elif name == "office_id":
            values[name] = worlds[value]["office"].id
        elif name == "group_id":
            values[name] = spread.other_group_id
        else:
            values[name] = value
    return Filters(start=period.start, end=period.end, today=period.today, **values)


@pytest.mark.parametrize(
    ("given", "period", "grain", "table"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_the_smallest_tables_that_can_answer_are_read(
    session: Session, spread: Spread, given: dict[str, Any], period: Filters, grain: str | None, table: Any
) -> None:
    assert query.tables_read(ADMIN, _filters(spread, period, given), (), grain) == table


@pytest.mark.parametrize(
    ("given", "period", "grain", "table"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_whichever_table_answers_the_totals_are_those_of_the_facts(
    session: Session, spread: Spread, given: dict[str, Any], period: Filters, grain: str | None, table: Any
) -> None:
    filters = _filters(spread, period, given)
    rows = query.summed(session, ADMIN, filters, time_grain=grain)
    summed = query.Totals()
    for _key, totals in rows:
        summed.add(totals)
    assert summed.values == facts_sums(session, filters)


def test_grouping_by_unit_needs_a_unit_table(session: Session, spread: Spread) -> None:
    assert query.tables_read(ADMIN, NOVEMBER, ("unit_id",)) == [UnitMonthTotals]


def test_a_unit_scope_on_a_day_range_is_answered_from_the_unit_days(session: Session, spread: Spread) -> None:
    assert query.tables_read(Scope(unit_ids=(1,)), MID_NOVEMBER) == [UnitDayTotals]


def test_a_unit_scope_with_a_group_on_a_day_range_is_answered_from_the_facts(
    session: Session, spread: Spread
) -> None:
    filters = Filters(start=MID_NOVEMBER.start, end=MID_NOVEMBER.end, group_id=spread.other_group_id)
    assert query.tables_read(Scope(unit_ids=(1,)), filters) == [DossierFact]


def test_a_day_range_matches_the_hand_count(session: Session, spread: Spread) -> None:
    # 3/11, 4/11, 10/11 and 17/11 for unit A; 12/11 for unit B.
    assert query.totals(session, ADMIN, MID_NOVEMBER)["dossiers"] == 5


def test_a_day_range_for_one_unit_matches_the_hand_count(session: Session, spread: Spread) -> None:
    filters = _filters(spread, MID_NOVEMBER, {"unit_id": "a"})
    t = query.totals(session, ADMIN, filters)
    assert (t["dossiers"], t["late"], t["late_carriage"], t["late_unit"], t["open"]) == (4, 2, 1, 1, 1)


def test_a_day_range_for_one_office_matches_the_hand_count(session: Session, spread: Spread) -> None:
    t = query.totals(session, ADMIN, _filters(spread, MID_NOVEMBER, {"office_id": "b"}))
    assert (t["dossiers"], t["open"], t["overdue"]) == (1, 1, 1)


def test_units_ranked_from_the_month_table_match_the_facts(session: Session, spread: Spread) -> None:
    rows = query.summed(session, ADMIN, NOVEMBER, group_by=("unit_id",))
    got = {key[0]: t.values for key, t in rows}
    expected = {
        w["unit"].id: facts_sums(session, _filters(spread, NOVEMBER, {"unit_id": name}))
        for name, w in (("a", spread.a), ("b", spread.b))
    }
    assert got == expected


# --- tasks --------------------------------------------------------------------------------------------

NOVEMBER_BUT_THE_LAST_DAY = Filters(start=date(2026, 11, 1), end=date(2026, 11, 29))  # no task on 30/11


def _task_rows(rows: list[tuple[tuple[Any, ...], query.TaskTotals]]) -> dict[tuple[Any, ...], dict[str, int]]:
    return {key: t.values for key, t in rows}


def _answer(
    session: Session, family: sources.Family, period: Filters, keys: tuple[str, ...], now: datetime
) -> dict[tuple[Any, ...], dict[str, int]]:
    """What a family answers grouped by `keys`, rows that count nothing left out (a month less its
    edge days may leave a row of zeros)."""
    measures = TASK_MEASURES if family in sources.TASK_FAMILIES else MEASURES
    stmt = sources.grouped(
        family, period.start, period.end, period.today, keys, measures, sources.Where(()), now=now
    )
    answer = {}
    for row in session.execute(stmt):
        values = {m: int(v) for m, v in zip(measures, row[len(keys) :], strict=True)}
        if any(values.values()):
            answer[tuple(row[: len(keys)])] = values
    return answer


PERIODS = [NOVEMBER, MID_NOVEMBER, MOST_OF_NOVEMBER, LATE_OCTOBER_TO_TODAY]
PERIOD_IDS = ["month", "days", "month less days", "days, month less days to today"]


@pytest.mark.parametrize("period", PERIODS, ids=PERIOD_IDS)
@pytest.mark.parametrize("family", sources.TASK_FAMILIES[:-1], ids=lambda f: f.month.__tablename__)
def test_every_task_table_answers_as_the_tasks_themselves(
    session: Session, clock: FixedClock, spread: Spread, family: sources.Family, period: Filters
) -> None:
    keys = tuple(sorted(family.columns))
    expected = _answer(session, sources.TASK_FAMILIES[-1], period, keys, clock.now())
    assert _answer(session, family, period, keys, clock.now()) == expected
    assert expected


@pytest.mark.parametrize("period", PERIODS, ids=PERIOD_IDS)
@pytest.mark.parametrize("family", sources.FACT_FAMILIES[:-1], ids=lambda f: f.month.__tablename__)
def test_every_summary_table_answers_as_the_facts_themselves(
    session: Session, clock: FixedClock, spread: Spread, family: sources.Family, period: Filters
) -> None:
    keys = tuple(sorted(family.columns))
    expected = _answer(session, sources.FACT_FAMILIES[-1], period, keys, clock.now())
    assert _answer(session, family, period, keys, clock.now()) == expected
    assert expected


def test_an_office_filter_answers_tasks_from_the_tasks(
    session: Session, clock: FixedClock, spread: Spread
) -> None:
    # Each unit is served by one office here, so the unit's month row is the office's tasks.
    for w in (spread.a, spread.b):
        by_office = Filters(start=NOVEMBER.start, end=NOVEMBER.end, office_id=w["office"].id)
        by_unit = Filters(start=NOVEMBER.start, end=NOVEMBER.end, unit_id=w["unit"].id)
        assert _task_rows(
            query.task_summed(session, ADMIN, by_office, ("task_type",), clock.now())
        ) == _task_rows(query.task_summed(session, ADMIN, by_unit, ("task_type",), clock.now()))


def test_the_task_summary_counts_tasks_in_the_month_they_were_created(
    session: Session, clock: FixedClock, spread: Spread
) -> None:
    october = Filters(start=date(2026, 10, 1), end=date(2026, 10, 31))
    rows = query.task_summed(session, ADMIN, october, ("task_type",), clock.now())
    # 20/10 and 31/10 23:30 (Hanoi): acceptance, digitization and carriage each; their results came in
    # November (20/10's on 23/10, so two result legs in October too).
    assert {k[0]: t["tasks"] for k, t in rows} == {
        "carriage": 2,
        "counter_acceptance": 2,
        "digitization": 2,
        "result_collection": 1,
        "result_delivery": 1,
    }


def test_the_contracts_lowest_in_compliance_come_first_with_how_many_there_are(
    session: Session, clock: FixedClock, spread: Spread
) -> None:
    every = query.task_summed(session, ADMIN, NOVEMBER, ("contract_id",), clock.now())
    worst = min(every, key=lambda item: (item[1].compliance is None, item[1].compliance or 0.0))
    lowest, count = query.task_lowest(session, ADMIN, NOVEMBER, "contract_id", clock.now(), limit=1)
    assert (count, [key for key, _t in lowest]) == (len(every), [worst[0][0]])
    assert len(every) == 2


def test_a_task_changed_since_the_refresh_outside_the_run_leaves_the_groups_figures_alone(
    session: Session, clock: FixedClock, spread: Spread
) -> None:
    """By procedure group the tasks are read as a month less its edge days, both of one snapshot: never
    a month snapshot less live days, which would count a task finished since the refresh that lies
    outside the run."""
    before = _task_rows(query.task_summed(session, ADMIN, MOST_OF_NOVEMBER, ("group_id",), clock.now()))
    first_days = sa.select(Task).where(
        Task.created_at >= datetime(2026, 10, 31, 17, 0, tzinfo=UTC),
        Task.created_at < datetime(2026, 11, 2, 17, 0, tzinfo=UTC),
    )
    changed = list(session.scalars(first_days))
    assert changed
    for task in changed:
        task.status = "cancelled"
    session.flush()
    after = _task_rows(query.task_summed(session, ADMIN, MOST_OF_NOVEMBER, ("group_id",), clock.now()))
    assert after == before
