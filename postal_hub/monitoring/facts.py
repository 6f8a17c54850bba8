"""A dossier's fact row: its dimensions, and every measure the dashboards sum, with the dual clock.

The dual clock: the post's legs (pickup; digitization and carriage to the unit; collection and delivery
of the result) run against the contract's SLA, through their tasks; the unit's leg runs from receipt to
result against the procedure's statutory processing time. A result later than the citizen's appointment
is attributed to every leg whose own clock ran out, so the post answers for its legs and the unit for its.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.status import TaskStatus, TaskType
from postal_hub.contracts.task_models import Task
from postal_hub.core.clock import to_local
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.working_calendar import WorkingCalendar
from postal_hub.delivery.models import SatisfactionRating
from postal_hub.delivery.status import SATISFIED_LEVELS, RatingSubject
from postal_hub.intake.models import Dossier, DossierComponent, DossierEvent
from postal_hub.intake.status import Channel, DossierStatus
from postal_hub.monitoring.models import MEASURES, DossierFact

HOURS_PER_WORKING_DAY = 8
WAIT_TARGET_S = 15 * 60
WAIT_TARGET_2022_S = 30 * 60
HANDLE_TARGET_S = 30 * 60
BATCH = 500

# The post's legs and the task types whose clocks make them up.
POSTAL_LEGS: dict[str, frozenset[str]] = {
    "pickup": frozenset({TaskType.HOME_PICKUP.value}),
    "carriage": frozenset({TaskType.DIGITIZATION.value, TaskType.CARRIAGE.value}),
    "delivery": frozenset({TaskType.RESULT_COLLECTION.value, TaskType.RESULT_DELIVERY.value}),
}
LEGS = ("pickup", "carriage", "unit", "delivery")
CLOSED = frozenset({DossierStatus.DELIVERED.value, DossierStatus.RETURNED.value})
OPEN_TASK = frozenset({TaskStatus.OPEN.value, TaskStatus.IN_PROGRESS.value})

# Leg states, worst first: a leg is late when any of its clocks ran out, finished or not.
LATE, OVERDUE, OPEN, ON_TIME = "late", "overdue", "open", "on_time"


@dataclass(frozen=True)
class TaskClock:
    task_type: str
    status: str
    due_at: datetime
    sla_met: bool | None


def leg_state(clocks: Iterable[TaskClock], now: datetime) -> str:
    """The state of one postal leg from its tasks' clocks; "" when the dossier has no such leg."""
    states = set()
    for clock in clocks:
        if clock.status == TaskStatus.CANCELLED.value:
            continue
        if clock.status in OPEN_TASK:
            states.add(OVERDUE if now > clock.due_at else OPEN)
        else:
            states.add(ON_TIME if clock.sla_met is not False else LATE)
    for state in (LATE, OVERDUE, OPEN, ON_TIME):
        if state in states:
            return state
    return ""


def is_late(state: str) -> bool:
    return state in (LATE, OVERDUE)


@dataclass
class DossierTimes:
    """What the timeline says: the last receipt by the unit, the result after it, and the end."""

    received_at: datetime | None = None
    result_ready_at: datetime | None = None
    finished_at: datetime | None = None


def times_from_events(events: Sequence[tuple[str, datetime]]) -> DossierTimes:
    times = DossierTimes()
    for code, at in sorted(events, key=lambda e: e[1]):
        if code == "received":
            # Re-routed or sent again: the unit's clock starts at the last receipt.
            times.received_at, times.result_ready_at = at, None
        elif code == "result_ready" and times.received_at is not None and times.result_ready_at is None:
            times.result_ready_at = at
        elif code in ("delivered", "returned"):
            times.finished_at = at
    return times


def unit_leg(
    times: DossierTimes, processing_days: int, now: datetime, calendar: WorkingCalendar
) -> tuple[str, datetime | None]:
    """The unit's statutory clock: processing days of working time from receipt to result ready."""
    if times.received_at is None:
        return "", None
    due = calendar.add_working_hours(times.received_at, processing_days * HOURS_PER_WORKING_DAY)
    if times.result_ready_at is not None:
        return (ON_TIME if times.result_ready_at <= due else LATE), due
    return (OVERDUE if now > due else OPEN), due


def fact_row(
    dossier: Any,
    components: tuple[int, int],
    times: DossierTimes,
    clocks: Sequence[TaskClock],
    ratings: dict[str, str],
    now: datetime,
    calendar: WorkingCalendar,
) -> dict[str, Any]:
    """The fact for one dossier (`dossier` is a row with the columns selected in `_dossier_rows`)."""
    row: dict[str, Any] = dict.fromkeys(MEASURES, 0)
    local_day = to_local(dossier.accepted_at).date()
    row.update(
        dossier_id=dossier.id,
        code=dossier.code,
        day=local_day,
        month=local_day.replace(day=1),
        province_code=dossier.province_code,
        operator_id=dossier.operator_id,
        office_id=dossier.office_id,
        unit_id=dossier.unit_id,
        group_id=dossier.group_id or 0,
        procedure_id=dossier.procedure_id,
        channel=dossier.channel,
        status=dossier.status,
        appointment_at=dossier.appointment_at,
        dossiers=1,
        digitized=int(dossier.digitized_at is not None),
        components=components[0],
        components_reused=components[1],
        reused=int(components[1] > 0),
    )
    if dossier.channel == Channel.COUNTER.value and dossier.counter_started_at is not None:
        handle = max(0, int((dossier.accepted_at - dossier.counter_started_at).total_seconds()))
        row.update(handle_timed=1, handle_seconds=handle, handle_ok=int(handle <= HANDLE_TARGET_S))
        if dossier.counter_queued_at is not None:
            wait = max(0, int((dossier.counter_started_at - dossier.counter_queued_at).total_seconds()))
            row.update(
                wait_timed=1,
                wait_seconds=wait,
                wait_ok=int(wait <= WAIT_TARGET_S),
                wait_ok_30=int(wait <= WAIT_TARGET_2022_S),
            )

    # Dispatched without being scanned, a dossier's digitization task may stay open: once the unit
    # has the dossier, that breach stays on the task list but no longer holds its result back.
    live = [
        c
        for c in clocks
        if not (
            times.received_at is not None
            and c.task_type == TaskType.DIGITIZATION.value
            and c.status in OPEN_TASK
        )
    ]
    states = {
        leg: leg_state((c for c in live if c.task_type in types), now) for leg, types in POSTAL_LEGS.items()
    }
    states["unit"], unit_due = unit_leg(times, dossier.processing_days, now, calendar)
    row.update({f"{leg}_state": states[leg] for leg in LEGS}, unit_due_at=unit_due)
    if states["unit"] in (ON_TIME, LATE):
        row.update(unit_done=1, unit_on_time=int(states["unit"] == ON_TIME))
    row["unit_overdue"] = int(states["unit"] == OVERDUE)

    closed = dossier.status in CLOSED
    finished = times.finished_at if closed else None
    row["finished_at"] = finished
    if closed:
        on_time = finished is not None and finished <= dossier.appointment_at
        row.update(closed=1, on_time=int(on_time), late=int(not on_time))
    else:
        row.update(open=1, overdue=int(now > dossier.appointment_at))
    if row["late"] or row["overdue"]:
        late_legs = [leg for leg in LEGS if is_late(states[leg])]
        for leg in late_legs:
            row[f"late_{leg}"] = 1
        row["late_unattributed"] = int(not late_legs)

    for subject, level in ratings.items():
        row[f"{subject}_rated"] = 1
        row[f"{subject}_satisfied"] = int(level in SATISFIED_LEVELS)

    running = [c.due_at for c in live if c.status in OPEN_TASK and c.due_at >= now]
    if not closed and dossier.appointment_at >= now:
        running.append(dossier.appointment_at)
    if states["unit"] == OPEN and unit_due is not None:
        running.append(unit_due)
    row["next_due_at"] = min(running) if running else None
    return row


def _dossier_rows(session: Session, ids: Sequence[int]) -> list[Any]:
    return list(
        session.execute(
            sa.select(
                Dossier.id,
                Dossier.code,
                Dossier.status,
                Dossier.channel,
                Dossier.unit_id,
                Dossier.operator_id,
                Dossier.office_id,
                Dossier.procedure_id,
                Dossier.accepted_at,
                Dossier.appointment_at,
                Dossier.digitized_at,
                Dossier.counter_queued_at,
                Dossier.counter_started_at,
                Procedure.group_id,
                Procedure.processing_days,
                PostOffice.province_code,
            )
            .join(Procedure, Procedure.id == Dossier.procedure_id)
            .join(PostOffice, PostOffice.id == Dossier.office_id)
            .where(Dossier.id.in_(ids))
        )
    )


def build_facts(session: Session, ids: Sequence[int], now: datetime) -> list[dict[str, Any]]:
    """The facts of these dossiers, read with five queries whatever their number."""
    calendar = WorkingCalendar()
    dossiers = _dossier_rows(session, ids)
    components: dict[int, tuple[int, int]] = {
        r[0]: (int(r[1]), int(r[2] or 0))
        for r in session.execute(
            sa.select(
                DossierComponent.dossier_id,
                sa.func.count(),
                sa.func.count(DossierComponent.reused_file_id),
            )
            .where(DossierComponent.dossier_id.in_(ids))
            .group_by(DossierComponent.dossier_id)
        )
    }
    events: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for dossier_id, code, at in session.execute(
        sa.select(DossierEvent.dossier_id, DossierEvent.code, DossierEvent.at).where(
            DossierEvent.dossier_id.in_(ids),
            DossierEvent.code.in_(("received", "result_ready", "delivered", "returned")),
        )
    ):
        events[dossier_id].append((code, at))
    codes = [d.code for d in dossiers]
    clocks: dict[str, list[TaskClock]] = defaultdict(list)
    for task_code, task_type, status, due, met in session.execute(
        sa.select(Task.dossier_code, Task.task_type, Task.status, Task.due_at, Task.sla_met).where(
            Task.dossier_code.in_(codes)
        )
    ):
        clocks[task_code or ""].append(TaskClock(task_type, status, due, met))
    ratings: dict[int, dict[str, str]] = defaultdict(dict)
    for dossier_id, subject, level in session.execute(
        sa.select(SatisfactionRating.dossier_id, SatisfactionRating.subject, SatisfactionRating.level).where(
            SatisfactionRating.dossier_id.in_(ids)
        )
    ):
        if subject in (RatingSubject.POSTAL.value, RatingSubject.UNIT.value):
            ratings[dossier_id][subject] = level
    return [
        fact_row(
            d,
            components.get(d.id, (0, 0)),
            times_from_events(events.get(d.id, [])),
            clocks.get(d.code, []),
            ratings.get(d.id, {}),
            now,
            calendar,
        )
        for d in dossiers
    ]


@dataclass
class Written:
    """Where a round's facts fall: their days, and their offices and units per month and per day."""

    dossiers: int = 0
    days: set[date] = field(default_factory=set)
    offices: dict[date, set[int]] = field(default_factory=dict)
    units: dict[date, set[int]] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)
    # The same per day, for the day tables.
    day_offices: dict[date, set[int]] = field(default_factory=dict)
    day_units: dict[date, set[int]] = field(default_factory=dict)

    def add(self, day: date, office_id: int, unit_id: int) -> None:
        month = day.replace(day=1)
        self.days.add(day)
        self.offices.setdefault(month, set()).add(office_id)
        self.units.setdefault(month, set()).add(unit_id)
        self.day_offices.setdefault(day, set()).add(office_id)
        self.day_units.setdefault(day, set()).add(unit_id)


def write_facts(session: Session, ids: Sequence[int], now: datetime) -> Written:
    """Rewrite the facts of these dossiers in batches; says where they fall, never keeping the rows."""
    written = Written()
    for start in range(0, len(ids), BATCH):
        batch = list(ids[start : start + BATCH])
        rows = build_facts(session, batch, now)
        session.execute(sa.delete(DossierFact).where(DossierFact.dossier_id.in_(batch)))
        if rows:
            session.execute(sa.insert(DossierFact), rows)
        for row in rows:
            written.add(row["day"], row["office_id"], row["unit_id"])
            written.codes.append(row["code"])
        written.dossiers += len(rows)
    return written
