"""The pure part of a dossier's fact: leg clocks, the unit's statutory clock, counter timings and the
attribution of a late result to the legs that were late."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from postal_hub.core.clock import LOCAL_TZ
from postal_hub.core.working_calendar import WorkingCalendar
from postal_hub.monitoring.facts import (
    DossierTimes,
    TaskClock,
    fact_row,
    leg_state,
    times_from_events,
    unit_leg,
)
from postal_hub.monitoring.models import MEASURES

# Monday 2 November 2026, 09:00 in Hanoi.
T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
H = timedelta(hours=1)
CALENDAR = WorkingCalendar()


def local(y: int, m: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=LOCAL_TZ)


def done(due: datetime, met: bool, task_type: str = "carriage") -> TaskClock:
    return TaskClock(task_type, "done", due, met)


def running(due: datetime, task_type: str = "carriage", status: str = "open") -> TaskClock:
    return TaskClock(task_type, status, due, None)


def cancelled(due: datetime, task_type: str = "carriage") -> TaskClock:
    return TaskClock(task_type, "cancelled", due, None)


# --- leg_state ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clocks", "expected"),
    [
        pytest.param([done(T0, True)], "on_time", id="done on time"),
        pytest.param([done(T0, False)], "late", id="done late"),
        pytest.param([running(T0 + H)], "open", id="open before its due time"),
        pytest.param([running(T0 - H)], "overdue", id="open past its due time"),
        pytest.param([running(T0 - H, status="in_progress")], "overdue", id="in progress past due"),
        pytest.param([cancelled(T0 - H)], "", id="cancelled only: no leg"),
        pytest.param([cancelled(T0 - H), done(T0, True)], "on_time", id="cancelled ignored"),
        pytest.param([], "", id="no task: no leg"),
        pytest.param([done(T0, True), running(T0 + H)], "open", id="on time and open: open"),
        pytest.param([running(T0 + H), running(T0 - H)], "overdue", id="open and overdue: overdue"),
        pytest.param([running(T0 - H), done(T0, False)], "late", id="overdue and late: late"),
        pytest.param(
            [done(T0, True), running(T0 + H), running(T0 - H), done(T0, False)], "late", id="mixed: worst"
        ),
    ],
)
def test_a_leg_takes_the_worst_state_of_its_tasks(clocks: list[TaskClock], expected: str) -> None:
    assert leg_state(clocks, T0) == expected


def test_a_task_done_without_a_recorded_sla_counts_on_time() -> None:
    assert leg_state([TaskClock("carriage", "done", T0, None)], T0) == "on_time"


# --- times_from_events --------------------------------------------------------------------------------


def test_the_timeline_gives_receipt_result_and_end() -> None:
    times = times_from_events([("delivered", T0 + 9 * H), ("received", T0 + H), ("result_ready", T0 + 5 * H)])
    assert times == DossierTimes(T0 + H, T0 + 5 * H, T0 + 9 * H)


def test_a_second_receipt_restarts_the_unit_clock() -> None:
    times = times_from_events([("received", T0), ("result_ready", T0 + 2 * H), ("received", T0 + 4 * H)])
    assert (times.received_at, times.result_ready_at) == (T0 + 4 * H, None)


def test_the_result_after_a_second_receipt_is_the_one_that_counts() -> None:
    times = times_from_events(
        [
            ("received", T0),
            ("result_ready", T0 + 2 * H),
            ("received", T0 + 4 * H),
            ("result_ready", T0 + 6 * H),
        ]
    )
    assert (times.received_at, times.result_ready_at) == (T0 + 4 * H, T0 + 6 * H)


def test_a_result_before_any_receipt_is_ignored() -> None:
    times = times_from_events([("result_ready", T0), ("received", T0 + H)])
    assert (times.received_at, times.result_ready_at) == (T0 + H, None)


def test_a_second_result_after_the_first_does_not_move_it() -> None:
    times = times_from_events([("received", T0), ("result_ready", T0 + H), ("result_ready", T0 + 3 * H)])
    assert times.result_ready_at == T0 + H


# --- unit_leg -----------------------------------------------------------------------------------------


def test_five_processing_days_are_forty_working_hours_over_a_weekend() -> None:
    # Monday 09:00: 7 h that day, 8 h Tuesday to Friday (39 h), the last hour next Monday morning.
    _state, due = unit_leg(DossierTimes(received_at=local(2026, 11, 2, 9)), 5, T0, CALENDAR)
    assert due == local(2026, 11, 9, 9)


def test_the_statutory_clock_skips_public_holidays() -> None:
    # Wednesday 29/4/2026 09:00; 30/4 and 1/5 are holidays, then the weekend: due Friday 8/5 09:00.
    received = local(2026, 4, 29, 9)
    _state, due = unit_leg(DossierTimes(received_at=received), 5, received, CALENDAR)
    assert due == local(2026, 5, 8, 9)


@pytest.mark.parametrize(
    ("result_ready_at", "now", "expected"),
    [
        pytest.param(local(2026, 11, 9, 9), local(2026, 11, 20, 9), "on_time", id="result at the deadline"),
        pytest.param(local(2026, 11, 9, 9, 1), local(2026, 11, 20, 9), "late", id="result after it"),
        pytest.param(None, local(2026, 11, 9, 9), "open", id="no result, deadline not passed"),
        pytest.param(None, local(2026, 11, 9, 9, 1), "overdue", id="no result, deadline passed"),
    ],
)
def test_the_unit_leg_is_judged_against_its_deadline(
    result_ready_at: datetime | None, now: datetime, expected: str
) -> None:
    times = DossierTimes(received_at=local(2026, 11, 2, 9), result_ready_at=result_ready_at)
    assert unit_leg(times, 5, now, CALENDAR)[0] == expected


def test_a_dossier_not_yet_received_has_no_unit_leg() -> None:
    assert unit_leg(DossierTimes(), 5, T0, CALENDAR) == ("", None)


# --- fact_row -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """The columns fact_row reads from a dossier row."""

    id: int = 7
    code: str = "HS-7"
    status: str = "accepted"
    channel: str = "counter"
    unit_id: int = 11
    operator_id: int = 12
    office_id: int = 13
    procedure_id: int = 14
    accepted_at: datetime = T0
    appointment_at: datetime = T0 + timedelta(days=10)
    digitized_at: datetime | None = None
    counter_queued_at: datetime | None = None
    counter_started_at: datetime | None = None
    group_id: int | None = 15
    processing_days: int = 5
    province_code: str = "79"


NOW = T0 + timedelta(days=5)  # Saturday 7 November: the appointment (12 November) still ahead
RECEIVED = T0 + 6 * H  # Monday 15:00: the unit's five days end Monday 9 November 15:00
UNIT_DUE = local(2026, 11, 9, 15)
ON_TIME_RESULT = T0 + timedelta(days=3)
LATE_RESULT = T0 + timedelta(days=9)
DELIVERED_ON_TIME = T0 + timedelta(days=7)
DELIVERED_LATE = T0 + timedelta(days=11)


def fact(
    row: Row | None = None,
    times: DossierTimes | None = None,
    clocks: tuple[TaskClock, ...] = (),
    ratings: dict[str, str] | None = None,
    components: tuple[int, int] = (2, 0),
    now: datetime = NOW,
) -> dict[str, Any]:
    return fact_row(
        row or Row(), components, times or DossierTimes(), list(clocks), ratings or {}, now, CALENDAR
    )


def closed(result_at: datetime, delivered_at: datetime) -> tuple[Row, DossierTimes]:
    return Row(status="delivered"), DossierTimes(RECEIVED, result_at, delivered_at)


def test_a_fact_carries_its_dimensions_and_counts_one_dossier() -> None:
    row = fact(Row(accepted_at=datetime(2026, 10, 31, 18, 0, tzinfo=UTC)))  # 1 November 01:00 in Hanoi
    assert (row["day"], row["month"], row["dossiers"]) == (date(2026, 11, 1), date(2026, 11, 1), 1)
    assert (row["province_code"], row["unit_id"], row["office_id"], row["group_id"]) == ("79", 11, 13, 15)


def test_a_procedure_without_a_group_is_group_zero() -> None:
    assert fact(Row(group_id=None))["group_id"] == 0


@pytest.mark.parametrize(
    ("wait", "handle", "expected"),
    [
        pytest.param(10, 20, (600, 1, 1, 1200, 1), id="within both targets"),
        pytest.param(15, 30, (900, 1, 1, 1800, 1), id="exactly at both targets"),
        pytest.param(16, 31, (960, 0, 1, 1860, 0), id="past 15 min waiting, past 30 min handling"),
        pytest.param(31, 5, (1860, 0, 0, 300, 1), id="past the 2022 waiting target too"),
    ],
)
def test_counter_waiting_and_handling_are_timed_against_their_targets(
    wait: int, handle: int, expected: tuple[int, ...]
) -> None:
    started = T0 - timedelta(minutes=handle)
    row = fact(Row(counter_queued_at=started - timedelta(minutes=wait), counter_started_at=started))
    timed = (row["wait_timed"], row["handle_timed"])
    got = (row["wait_seconds"], row["wait_ok"], row["wait_ok_30"], row["handle_seconds"], row["handle_ok"])
    assert (timed, got) == ((1, 1), expected)


def test_a_counter_visit_without_a_ticket_times_handling_only() -> None:
    row = fact(Row(counter_started_at=T0 - timedelta(minutes=12)))
    assert (row["wait_timed"], row["handle_timed"], row["handle_seconds"]) == (0, 1, 720)


@pytest.mark.parametrize("channel", ["pickup", "api"])
def test_pickup_and_api_dossiers_have_no_counter_timings(channel: str) -> None:
    started = T0 - timedelta(minutes=10)
    row = fact(Row(channel=channel, counter_queued_at=started - H, counter_started_at=started))
    timings = (row["wait_timed"], row["wait_seconds"], row["handle_timed"], row["handle_seconds"])
    assert timings == (0, 0, 0, 0)


def test_digitization_and_reuse_are_counted_per_dossier() -> None:
    row = fact(Row(digitized_at=T0 + H), components=(3, 2))
    assert (row["digitized"], row["components"], row["components_reused"], row["reused"]) == (1, 3, 2, 1)


def test_a_dossier_with_nothing_reused_is_not_counted_as_reused() -> None:
    assert fact(components=(3, 0))["reused"] == 0


@pytest.mark.parametrize(
    ("status", "delivered_at", "now", "expected"),
    [
        pytest.param("delivered", DELIVERED_ON_TIME, NOW, (1, 1, 0, 0, 0), id="closed on time"),
        pytest.param("delivered", DELIVERED_LATE, NOW, (1, 0, 1, 0, 0), id="closed late"),
        pytest.param("returned", DELIVERED_ON_TIME, NOW, (1, 1, 0, 0, 0), id="returned on time"),
        pytest.param("result_ready", None, NOW, (0, 0, 0, 1, 0), id="open"),
        pytest.param("result_ready", None, T0 + timedelta(days=10, hours=1), (0, 0, 0, 1, 1), id="overdue"),
    ],
)
def test_a_dossier_is_closed_on_time_late_open_or_overdue(
    status: str, delivered_at: datetime | None, now: datetime, expected: tuple[int, ...]
) -> None:
    row = fact(Row(status=status), DossierTimes(RECEIVED, ON_TIME_RESULT, delivered_at), now=now)
    assert (row["closed"], row["on_time"], row["late"], row["open"], row["overdue"]) == expected


def test_a_closed_dossier_without_its_closing_event_counts_late() -> None:
    row = fact(Row(status="delivered"), DossierTimes(RECEIVED, ON_TIME_RESULT, None))
    assert (row["closed"], row["late"], row["finished_at"]) == (1, 1, None)


ATTRIBUTION = ("late_pickup", "late_carriage", "late_unit", "late_delivery", "late_unattributed")
CARRIAGE_LATE = done(T0 + 8 * H, False, "carriage")
CARRIAGE_ON_TIME = done(T0 + 8 * H, True, "carriage")


@pytest.mark.parametrize(
    ("result_at", "delivered_at", "clocks", "expected"),
    [
        pytest.param(
            ON_TIME_RESULT, DELIVERED_LATE, (CARRIAGE_LATE,), (0, 1, 0, 0, 0), id="late carriage only"
        ),
        pytest.param(LATE_RESULT, DELIVERED_LATE, (CARRIAGE_ON_TIME,), (0, 0, 1, 0, 0), id="late unit only"),
        pytest.param(LATE_RESULT, DELIVERED_LATE, (CARRIAGE_LATE,), (0, 1, 1, 0, 0), id="carriage and unit"),
        pytest.param(ON_TIME_RESULT, DELIVERED_LATE, (CARRIAGE_ON_TIME,), (0, 0, 0, 0, 1), id="unattributed"),
        pytest.param(
            LATE_RESULT, DELIVERED_ON_TIME, (CARRIAGE_LATE,), (0, 0, 0, 0, 0), id="on time: nothing"
        ),
        pytest.param(
            ON_TIME_RESULT,
            DELIVERED_LATE,
            (done(T0, False, "home_pickup"), done(T0 + 4 * H, False, "result_delivery")),
            (1, 0, 0, 1, 0),
            id="late pickup and delivery",
        ),
        pytest.param(
            ON_TIME_RESULT,
            DELIVERED_LATE,
            (done(T0, True, "counter_acceptance"), done(T0, False, "guidance")),
            (0, 0, 0, 0, 1),
            id="tasks outside the legs attribute nothing",
        ),
    ],
)
def test_a_late_result_is_attributed_to_the_legs_that_were_late(
    result_at: datetime, delivered_at: datetime, clocks: tuple[TaskClock, ...], expected: tuple[int, ...]
) -> None:
    row_, times = closed(result_at, delivered_at)
    row = fact(row_, times, clocks)
    assert tuple(row[name] for name in ATTRIBUTION) == expected


def test_an_overdue_open_dossier_is_attributed_to_its_overdue_leg() -> None:
    now = T0 + timedelta(days=11)
    row = fact(Row(status="dispatched"), clocks=(running(T0 + 8 * H),), now=now)
    assert (row["overdue"], row["late_carriage"], row["late_unattributed"]) == (1, 1, 0)


@pytest.mark.parametrize(
    ("times", "now", "expected"),
    [
        pytest.param(DossierTimes(RECEIVED, ON_TIME_RESULT), NOW, ("on_time", 1, 1, 0), id="on time"),
        pytest.param(DossierTimes(RECEIVED, LATE_RESULT), LATE_RESULT, ("late", 1, 0, 0), id="late"),
        pytest.param(DossierTimes(RECEIVED), NOW, ("open", 0, 0, 0), id="running"),
        pytest.param(DossierTimes(RECEIVED), UNIT_DUE + H, ("overdue", 0, 0, 1), id="overdue"),
        pytest.param(DossierTimes(), NOW, ("", 0, 0, 0), id="not received"),
    ],
)
def test_the_units_statutory_clock_is_counted_on_the_fact(
    times: DossierTimes, now: datetime, expected: tuple[Any, ...]
) -> None:
    row = fact(Row(status="received"), times, now=now)
    assert (row["unit_state"], row["unit_done"], row["unit_on_time"], row["unit_overdue"]) == expected


def test_the_units_deadline_is_kept_on_the_fact() -> None:
    assert fact(Row(status="received"), DossierTimes(RECEIVED))["unit_due_at"] == UNIT_DUE


def test_the_leg_states_are_kept_on_the_fact() -> None:
    row = fact(*closed(ON_TIME_RESULT, DELIVERED_LATE), (CARRIAGE_LATE, done(T0, True, "result_delivery")))
    legs = (row["pickup_state"], row["carriage_state"], row["unit_state"], row["delivery_state"])
    assert legs == ("", "late", "on_time", "on_time")


def test_postal_and_unit_ratings_are_counted_separately() -> None:
    row = fact(ratings={"postal": "very_satisfied", "unit": "not_satisfied"})
    got = (row["postal_rated"], row["postal_satisfied"], row["unit_rated"], row["unit_satisfied"])
    assert got == (1, 1, 1, 0)


def test_next_due_at_is_the_earliest_running_clock() -> None:
    row = fact(
        Row(status="received"),
        DossierTimes(RECEIVED),
        (running(NOW + 30 * H, "result_collection"), running(NOW - H, "carriage"), done(NOW + H, True)),
    )
    # The open task (8/11 15:00) runs out before the unit's clock (9/11 15:00) and the appointment (12/11);
    # the overdue carriage has already run out and the done task runs no more.
    assert row["next_due_at"] == NOW + 30 * H


def test_next_due_at_follows_the_unit_clock_when_it_runs_first() -> None:
    row = fact(Row(status="received"), DossierTimes(RECEIVED), (running(NOW + 100 * H, "result_collection"),))
    assert row["next_due_at"] == UNIT_DUE


def test_next_due_at_falls_back_to_the_appointment() -> None:
    times = DossierTimes(RECEIVED, ON_TIME_RESULT)
    assert fact(Row(status="result_ready"), times)["next_due_at"] == T0 + timedelta(days=10)


def test_a_closed_dossier_has_no_running_clock() -> None:
    assert fact(*closed(ON_TIME_RESULT, DELIVERED_ON_TIME))["next_due_at"] is None


def test_an_overdue_dossier_with_every_clock_run_out_has_no_next_due() -> None:
    now = T0 + timedelta(days=11)
    row = fact(Row(status="received"), DossierTimes(RECEIVED), (running(T0 + 8 * H),), now=now)
    assert row["next_due_at"] is None


def test_every_measure_of_a_fact_is_an_integer() -> None:
    row = fact(Row(counter_started_at=T0 - H), DossierTimes(RECEIVED))
    assert all(isinstance(row[m], int) for m in MEASURES)
