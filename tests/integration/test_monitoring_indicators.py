"""Every indicator on a hand-built month where the right answer is known, read the way the dashboards
read them: through query.summed/totals and query.task_summed after a refresh round."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.monitoring import query
from postal_hub.monitoring.models import DossierFact
from postal_hub.monitoring.query import Filters, Scope, TaskTotals, Totals
from postal_hub.monitoring.refresh import refresh
from tests.factories_monitoring import MONDAY, Leg, past_dossier, second_world, trip, world
from tests.fakes import FixedClock

DAY = timedelta(days=1)
NOVEMBER = Filters(start=date(2026, 11, 1), end=date(2026, 11, 30))
ADMIN = Scope()


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


@dataclass
class Month:
    """Seven November dossiers (and one in October), each there for a reason; "now" is Friday 20/11."""

    world: dict[str, Any]
    codes: dict[str, str]


@pytest.fixture
def month(session: Session, clock: FixedClock) -> Month:
    w = world(session)
    d1, d2, d3, d4 = MONDAY, MONDAY + DAY, MONDAY + 2 * DAY, MONDAY + 7 * DAY
    d5, d6, d7 = MONDAY + 8 * DAY, MONDAY + 14 * DAY, MONDAY + 3 * DAY
    journeys = {
        # Monday 2/11, counter: every leg on time, delivered on day 7 of 10. Waited 15 min, served 10.
        "on_time": trip(
            d1,
            digitized=True,
            reused=1,
            queued_at=d1 - minutes(25),
            started_at=d1 - minutes(10),
            ratings={"postal": "very_satisfied", "unit": "satisfied"},
        ),
        # Tuesday 3/11, counter: carriage done after 12 h (SLA 8 h), result on time, delivered on day 11.
        "late_carriage": trip(
            d2,
            carriage_hours=12,
            delivered_after=11 * DAY,
            queued_at=d2 - minutes(40),
            started_at=d2 - minutes(15),
            ratings={"postal": "not_satisfied", "unit": "satisfied"},
        ),
        # Wednesday 4/11, home pickup: the unit's 5 days end Wednesday 11/11 15:00, result on 12/11.
        "late_unit": trip(
            d3,
            channel="pickup",
            result_after=8 * DAY,
            delivered_after=12 * DAY,
            digitized=True,
            reused=2,
            ratings={"postal": "satisfied", "unit": "not_satisfied"},
        ),
        # Monday 9/11, API: carriage late and the unit late (due Monday 16/11 17:00, result on 17/11).
        "late_both": trip(
            d4,
            channel="api",
            carriage_hours=10,
            result_after=8 * DAY,
            delivered_after=10 * DAY + timedelta(hours=1),
            digitized=True,
            ratings={"postal": "satisfied", "unit": "not_satisfied"},
        ),
        # Tuesday 10/11, counter: every leg on time, yet delivered after a 5-day appointment. No ticket.
        "late_unattributed": trip(
            d5,
            appointment_at=d5 + 5 * DAY,
            delivered_after=6 * DAY,
            started_at=d5 - minutes(40),
        ),
        # Monday 16/11, counter: at the unit, due Monday 23/11; appointment on 26/11.
        "open": trip(
            d6,
            result_after=None,
            delivered_after=None,
            digitized=True,
            queued_at=d6 - minutes(10),
            started_at=d6 - minutes(5),
        ),
        # Thursday 5/11, counter: at the unit since then, its clock ran out 12/11, the appointment 15/11.
        "overdue": trip(d7, result_after=None, delivered_after=None),
        # Monday 12/10: October's one dossier.
        "october": trip(datetime(2026, 10, 12, 2, 0, tzinfo=UTC)),
    }
    codes = {name: past_dossier(session, w, j).code for name, j in journeys.items()}
    refresh(session, clock.now())
    return Month(w, codes)


def november(session: Session, **filters: Any) -> Totals:
    return query.totals(session, ADMIN, Filters(start=NOVEMBER.start, end=NOVEMBER.end, **filters))


# --- volumes ------------------------------------------------------------------------------------------


def test_the_month_counts_its_own_dossiers_only(session: Session, month: Month) -> None:
    assert november(session)["dossiers"] == 7


def test_volumes_are_counted_per_channel(session: Session, month: Month) -> None:
    rows = query.summed(session, ADMIN, NOVEMBER, group_by=("channel",))
    assert {key[0]: t["dossiers"] for key, t in rows} == {"api": 1, "counter": 5, "pickup": 1}


def test_the_channel_filter_keeps_one_channel(session: Session, month: Month) -> None:
    assert november(session, channel="counter")["dossiers"] == 5


def test_the_daily_series_has_one_point_per_day_with_dossiers(session: Session, month: Month) -> None:
    rows = query.summed(session, ADMIN, NOVEMBER, time_grain="day")
    assert {key[0]: t["dossiers"] for key, t in rows} == {
        date(2026, 11, d): 1 for d in (2, 3, 4, 5, 9, 10, 16)
    }


def test_the_weekly_series_folds_days_into_weeks_starting_on_monday(session: Session, month: Month) -> None:
    rows = query.summed(session, ADMIN, NOVEMBER, time_grain="week")
    assert [(key[0], t["dossiers"]) for key, t in rows] == [
        (date(2026, 11, 2), 4),
        (date(2026, 11, 9), 2),
        (date(2026, 11, 16), 1),
    ]


def test_the_monthly_series_has_one_point_per_month(session: Session, month: Month) -> None:
    autumn = Filters(start=date(2026, 10, 1), end=date(2026, 11, 30))
    rows = query.summed(session, ADMIN, autumn, time_grain="month")
    assert [(key[0], t["dossiers"]) for key, t in rows] == [(date(2026, 10, 1), 1), (date(2026, 11, 1), 7)]


def test_a_series_can_be_split_by_channel(session: Session, month: Month) -> None:
    rows = query.summed(session, ADMIN, NOVEMBER, group_by=("channel",), time_grain="week")
    assert {key: t["dossiers"] for key, t in rows} == {
        (date(2026, 11, 2), "counter"): 3,
        (date(2026, 11, 2), "pickup"): 1,
        (date(2026, 11, 9), "api"): 1,
        (date(2026, 11, 9), "counter"): 1,
        (date(2026, 11, 16), "counter"): 1,
    }


# --- on time, late, open, overdue ---------------------------------------------------------------------


def test_closed_dossiers_are_split_into_on_time_and_late(session: Session, month: Month) -> None:
    t = november(session)
    assert (t["closed"], t["on_time"], t["late"], t.on_time_rate) == (5, 1, 4, 20.0)


def test_open_dossiers_past_their_appointment_count_overdue(session: Session, month: Month) -> None:
    t = november(session)
    assert (t["open"], t["overdue"]) == (2, 1)


# --- the dual clock -----------------------------------------------------------------------------------


def test_late_results_are_attributed_to_the_legs_that_were_late(session: Session, month: Month) -> None:
    t = november(session)
    attributed = {
        name: t[f"late_{name}"] for name in ("pickup", "carriage", "unit", "delivery", "unattributed")
    }
    # late_carriage, late_both; late_unit, late_both, and the overdue one (its unit clock ran out).
    assert attributed == {"pickup": 0, "carriage": 2, "unit": 3, "delivery": 0, "unattributed": 1}


def _attributed_to(session: Session, leg: str) -> set[str]:
    return set(session.scalars(sa.select(DossierFact.code).where(getattr(DossierFact, f"late_{leg}") == 1)))


def test_a_late_carriage_is_the_posts_fault_not_the_units(session: Session, month: Month) -> None:
    assert _attributed_to(session, "carriage") == {month.codes["late_carriage"], month.codes["late_both"]}


def test_a_late_statutory_leg_is_the_units_fault_not_the_posts(session: Session, month: Month) -> None:
    expected = {month.codes[n] for n in ("late_unit", "late_both", "overdue")}
    assert _attributed_to(session, "unit") == expected


def test_a_late_result_with_no_late_leg_is_left_unattributed(session: Session, month: Month) -> None:
    assert _attributed_to(session, "unattributed") == {month.codes["late_unattributed"]}


def test_the_units_statutory_clock_is_reported_on_its_own(session: Session, month: Month) -> None:
    t = november(session)
    assert (t["unit_done"], t["unit_on_time"], t["unit_overdue"], t.unit_on_time_rate) == (5, 3, 1, 60.0)


# --- counters -----------------------------------------------------------------------------------------


def test_waiting_time_is_averaged_over_the_visits_with_a_ticket(session: Session, month: Month) -> None:
    t = november(session)
    # 15 + 25 + 5 minutes over three tickets.
    assert (t["wait_timed"], t["wait_seconds"], t.wait_minutes) == (3, 2700, 15.0)


def test_the_share_waiting_within_target_counts_both_targets(session: Session, month: Month) -> None:
    t = november(session)
    assert (t.rate("wait_ok", "wait_timed"), t.rate("wait_ok_30", "wait_timed")) == (
        pytest.approx(200 / 3),
        100.0,
    )


def test_handling_time_is_averaged_over_the_counter_visits(session: Session, month: Month) -> None:
    t = november(session)
    # 10 + 15 + 40 + 5 minutes over four visits.
    assert (t["handle_timed"], t["handle_seconds"], t.handle_minutes) == (4, 4200, 17.5)


def test_the_share_handled_within_thirty_minutes(session: Session, month: Month) -> None:
    assert november(session).rate("handle_ok", "handle_timed") == 75.0


def test_a_channel_without_counters_has_no_counter_times(session: Session, month: Month) -> None:
    t = november(session, channel="pickup")
    assert (t.wait_minutes, t.handle_minutes) == (None, None)


# --- digitization and reuse ---------------------------------------------------------------------------


def test_the_digitization_rate_counts_digitized_dossiers(session: Session, month: Month) -> None:
    t = november(session)
    assert (t["digitized"], t.digitization_rate) == (4, pytest.approx(400 / 7))


def test_the_reuse_rate_counts_dossiers_with_a_document_not_asked_again(
    session: Session, month: Month
) -> None:
    t = november(session)
    assert (t["reused"], t["components"], t["components_reused"], t.reuse_rate) == (
        2,
        14,
        3,
        pytest.approx(200 / 7),
    )


# --- satisfaction -------------------------------------------------------------------------------------


def test_postal_satisfaction_counts_only_ratings_of_the_post(session: Session, month: Month) -> None:
    t = november(session)
    assert (t["postal_rated"], t["postal_satisfied"], t.postal_satisfaction) == (4, 3, 75.0)


def test_unit_satisfaction_counts_only_ratings_of_the_unit(session: Session, month: Month) -> None:
    t = november(session)
    assert (t["unit_rated"], t["unit_satisfied"], t.unit_satisfaction) == (4, 2, 50.0)


def test_rates_of_an_empty_period_are_none_not_zero(session: Session, month: Month) -> None:
    t = query.totals(session, ADMIN, Filters(start=date(2026, 9, 1), end=date(2026, 9, 30)))
    assert (t["dossiers"], t.on_time_rate, t.postal_satisfaction, t.wait_minutes) == (0, None, None, None)


# --- tasks: SLA compliance per task type and per contract ---------------------------------------------

T = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # Monday 16/11, 09:00 in Hanoi


@pytest.fixture
def task_worlds(session: Session, clock: FixedClock) -> tuple[dict[str, Any], dict[str, Any]]:
    """Contract A: digitization on time twice; carriage late, overdue; a delivery still running; a
    cancelled guidance. Contract B: digitization on time, carriage on time, pickup late."""
    a = world(session)
    b = second_world(session, a)
    h = timedelta(hours=1)
    past_dossier(session, a, trip(T, legs=[Leg("digitization", T, T + h), Leg("carriage", T, T + 9 * h)]))
    past_dossier(
        session,
        a,
        trip(
            T + DAY,
            result_after=None,
            delivered_after=None,
            legs=[
                Leg("digitization", T + DAY, T + DAY + h),
                Leg("carriage", T + 2 * DAY, None),  # due 18/11 10:00 UTC: overdue by now
                Leg("result_delivery", T + 3 * DAY, None, due_at=T + 5 * DAY),
                Leg("guidance", T, T, cancelled=True),
            ],
        ),
    )
    past_dossier(
        session,
        b,
        trip(
            T,
            channel="pickup",
            legs=[
                Leg("home_pickup", T - 3 * h, T + 9 * h, due_at=T),
                Leg("digitization", T, T + h),
                Leg("carriage", T, T + 6 * h),
            ],
        ),
    )
    refresh(session, clock.now())
    return a, b


def by(rows: list[tuple[tuple[Any, ...], TaskTotals]]) -> dict[Any, dict[str, Any]]:
    return {key[0]: {**t.values, "compliance": t.compliance} for key, t in rows}


def test_task_compliance_is_reported_per_task_type(
    session: Session, clock: FixedClock, task_worlds: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    rows = by(query.task_summed(session, ADMIN, NOVEMBER, ("task_type",), clock.now()))
    measures = {
        k: (
            v["tasks"],
            v["tasks_done"],
            v["tasks_on_time"],
            v["tasks_late"],
            v["tasks_open"],
            v["tasks_overdue"],
        )
        for k, v in rows.items()
    }
    assert measures == {
        "carriage": (3, 2, 1, 1, 1, 1),
        "digitization": (3, 3, 3, 0, 0, 0),
        "guidance": (0, 0, 0, 0, 0, 0),  # only a cancelled one: cancelled tasks are not counted
        "home_pickup": (1, 1, 0, 1, 0, 0),
        "result_delivery": (1, 0, 0, 0, 1, 0),
    }


def test_an_overdue_task_counts_against_compliance_like_a_late_one(
    session: Session, clock: FixedClock, task_worlds: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    rows = by(query.task_summed(session, ADMIN, NOVEMBER, ("task_type",), clock.now()))
    compliance = {k: v["compliance"] for k, v in rows.items()}
    assert compliance == {
        "carriage": pytest.approx(100 / 3),  # one on time of one late and one overdue
        "digitization": 100.0,
        "guidance": None,
        "home_pickup": 0.0,
        "result_delivery": None,  # nothing judged yet: still running
    }


def test_task_compliance_is_reported_per_contract(
    session: Session, clock: FixedClock, task_worlds: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    a, b = task_worlds
    rows = by(query.task_summed(session, ADMIN, NOVEMBER, ("contract_id",), clock.now()))
    summary = {k: (v["tasks"], v["tasks_done"], v["tasks_on_time"], v["compliance"]) for k, v in rows.items()}
    assert summary == {
        a["contract"].id: (5, 3, 2, 50.0),  # 2 on time of 3 done and 1 overdue
        b["contract"].id: (3, 3, 2, pytest.approx(200 / 3)),
    }


def test_task_compliance_can_be_split_by_contract_and_type(
    session: Session, clock: FixedClock, task_worlds: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    a, _b = task_worlds
    rows = query.task_summed(session, ADMIN, NOVEMBER, ("contract_id", "task_type"), clock.now())
    carriage = next(t for key, t in rows if key == (a["contract"].id, "carriage"))
    assert (carriage["tasks_late"], carriage["tasks_overdue"], carriage.compliance) == (1, 1, 0.0)
