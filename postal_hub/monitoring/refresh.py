"""Keeping the facts and summary tables up to date: each worker round rewrites what changed since the last.

A round reads the events, ratings and tasks written since the ids it last saw, plus the dossiers whose
running clock has just run out (they turn overdue with no event), rewrites those dossiers' facts, then
rebuilds the summary rows of the days and months they fall in, all in the caller's transaction. One
round at a time: the state row is locked for the round, so two workers never interleave.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.task_models import Task
from postal_hub.core.clock import to_local
from postal_hub.delivery.models import SatisfactionRating
from postal_hub.intake.models import Dossier, DossierEvent
from postal_hub.monitoring import rollups
from postal_hub.monitoring.facts import OPEN_TASK, Written, write_facts
from postal_hub.monitoring.models import (
    DailyStats,
    DossierFact,
    OfficeMonthStats,
    OfficeMonthTotals,
    RefreshState,
    TaskMonthTotals,
    UnitMonthStats,
    UnitMonthTotals,
)
from postal_hub.monitoring.models_rollups import ROLLUPS
from postal_hub.monitoring.summing import (
    insert_sums,
    month_start,
    next_month,
)

STATE_ID = 1
CHUNK = 5000


@dataclass(frozen=True)
class RefreshResult:
    dossiers: int
    days: int
    months: int
    task_months: int


def _state(session: Session) -> RefreshState:
    """The state row, locked for this round (created on the first round)."""
    locked = sa.select(RefreshState.id).where(RefreshState.id == STATE_ID).with_for_update()
    if session.scalar(locked) is None:
        dialect = session.get_bind().dialect.name
        values = {"id": STATE_ID, "last_event_id": 0, "last_rating_id": 0, "last_task_id": 0}
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            session.execute(pg_insert(RefreshState).values(**values).on_conflict_do_nothing())
        else:
            session.execute(sa.insert(RefreshState).prefix_with("OR IGNORE").values(**values))
        session.scalar(locked)
    state = session.get(RefreshState, STATE_ID, populate_existing=True)
    assert state is not None
    return state


def _max_id(session: Session, column: Any) -> int:
    return int(session.scalar(sa.select(sa.func.coalesce(sa.func.max(column), 0))) or 0)


def changed_dossiers(
    session: Session, state: RefreshState, ids: tuple[int, int, int], now: datetime
) -> set[int]:
    event_max, rating_max, task_max = ids
    changed: set[int] = set(
        session.scalars(
            sa.select(DossierEvent.dossier_id)
            .where(DossierEvent.id > state.last_event_id, DossierEvent.id <= event_max)
            .distinct()
        )
    )
    changed.update(
        session.scalars(
            sa.select(SatisfactionRating.dossier_id).where(
                SatisfactionRating.id > state.last_rating_id, SatisfactionRating.id <= rating_max
            )
        )
    )
    new_task_codes = (
        sa.select(Task.dossier_code)
        .where(Task.id > state.last_task_id, Task.id <= task_max, Task.dossier_code.is_not(None))
        .scalar_subquery()
    )
    changed.update(session.scalars(sa.select(Dossier.id).where(Dossier.code.in_(new_task_codes))))
    if state.refreshed_at is not None:
        # A task finished or cancelled with no event on the dossier (a citizen switching to collect at
        # the office cancels the delivery task): its clock still changes the dossier's figures.
        since = state.refreshed_at - timedelta(minutes=5)
        finished = (
            sa.select(Task.dossier_code)
            .where(Task.completed_at >= since, Task.dossier_code.is_not(None))
            .scalar_subquery()
        )
        changed.update(session.scalars(sa.select(Dossier.id).where(Dossier.code.in_(finished))))
    # A running clock that has run out since the last round: the dossier turns overdue without an event.
    changed.update(
        session.scalars(
            sa.select(DossierFact.dossier_id).where(
                DossierFact.next_due_at.is_not(None), DossierFact.next_due_at < now
            )
        )
    )
    return changed


def rebuild_days(
    session: Session,
    days: Iterable[date],
    offices: dict[date, set[int]] | None = None,
    units: dict[date, set[int]] | None = None,
) -> int:
    """DailyStats of these days, summed again from their facts, with the day roll-ups: of the offices
    and units given per day, or of every one."""
    dims = ("day", "province_code", "operator_id", "group_id", "channel")
    day_list = sorted(set(days))
    for start in range(0, len(day_list), 200):
        chunk = day_list[start : start + 200]
        session.execute(sa.delete(DailyStats).where(DailyStats.day.in_(chunk)))
        insert_sums(session, DailyStats, dims, DossierFact.day.in_(chunk))
    rollups.rebuild_fact_days(session, day_list, offices, units)
    return len(day_list)


OFFICE_DIMS = ("month", "office_id", "province_code", "operator_id", "group_id", "channel")
UNIT_DIMS = ("month", "unit_id", "province_code", "operator_id", "group_id", "channel")


def rebuild_months(
    session: Session,
    months: Iterable[date],
    offices: dict[date, set[int]] | None = None,
    units: dict[date, set[int]] | None = None,
) -> int:
    """The office and unit summaries of these months, summed again from their facts: for the offices
    and units given per month (a round touches few), or whole months when none are given."""
    month_list = sorted(set(months))
    for month in month_list:
        in_month = [DossierFact.day >= month, DossierFact.day < next_month(month)]
        for table, dims, column, touched in (
            (OfficeMonthStats, OFFICE_DIMS, "office_id", offices),
            (UnitMonthStats, UNIT_DIMS, "unit_id", units),
            (OfficeMonthTotals, OFFICE_DIMS[:4], "office_id", offices),
            (UnitMonthTotals, UNIT_DIMS[:4], "unit_id", units),
        ):
            if touched is None:
                session.execute(sa.delete(table).where(table.month == month))
                insert_sums(session, table, dims, sa.and_(*in_month))
                continue
            ids = sorted(touched.get(month, set()))
            for start in range(0, len(ids), 1000):
                chunk = ids[start : start + 1000]
                session.execute(
                    sa.delete(table).where(table.month == month, getattr(table, column).in_(chunk))
                )
                insert_sums(session, table, dims, sa.and_(*in_month, getattr(DossierFact, column).in_(chunk)))
    rollups.rebuild_office_unit_months(session, month_list, offices)
    return len(month_list)


def _task_days(
    session: Session, state: RefreshState, codes: list[str], task_max: int, now: datetime
) -> dict[date, set[int]]:
    """The (day opened, unit) of every task whose figures may have changed since the last round."""
    found: set[tuple[datetime, int]] = set()
    for start in range(0, len(codes), CHUNK):
        found.update(
            session.execute(
                sa.select(Task.created_at, Task.unit_id).where(
                    Task.dossier_code.in_(codes[start : start + CHUNK])
                )
            )
        )
    found.update(
        session.execute(
            sa.select(Task.created_at, Task.unit_id).where(Task.id > state.last_task_id, Task.id <= task_max)
        )
    )
    since = state.refreshed_at or datetime.min.replace(tzinfo=UTC)
    found.update(
        session.execute(
            sa.select(Task.created_at, Task.unit_id).where(
                Task.status.in_(list(OPEN_TASK)), Task.due_at >= since, Task.due_at < now
            )
        )
    )
    if state.refreshed_at is not None:
        # Finished or cancelled since the last round, with or without a dossier (see changed_dossiers).
        found.update(
            session.execute(
                sa.select(Task.created_at, Task.unit_id).where(
                    Task.completed_at >= state.refreshed_at - timedelta(minutes=5)
                )
            )
        )
    touched: dict[date, set[int]] = {}
    for created, unit_id in found:
        touched.setdefault(to_local(created).date(), set()).add(unit_id)
    return touched


def refresh(session: Session, now: datetime, full: bool = False) -> RefreshResult:
    """One round; `full` rewrites every fact and summary (after an upgrade, or to repair). The first
    round ever is a full one: summed in SQL, holding no more than a batch of facts in memory."""
    state = _state(session)
    maxima = (
        _max_id(session, DossierEvent.id),
        _max_id(session, SatisfactionRating.id),
        _max_id(session, Task.id),
    )
    first_round = state.refreshed_at is None
    if full or first_round:
        result = _rebuild_everything(session, now)
    else:
        result = _rewrite_changed(session, state, maxima, now)
    # The next round reads again from where this one's newest ids began (see RefreshState); the first
    # round, and a full one, have read everything committed.
    state.last_event_id, state.last_rating_id, state.last_task_id = (
        (maxima[0], maxima[1], maxima[2])
        if full or first_round
        else (state.seen_event_id, state.seen_rating_id, state.seen_task_id)
    )
    state.seen_event_id, state.seen_rating_id, state.seen_task_id = maxima
    state.refreshed_at = now
    session.flush()
    return result


def _rebuild_everything(session: Session, now: datetime) -> RefreshResult:
    for table in (
        DossierFact,
        DailyStats,
        OfficeMonthStats,
        UnitMonthStats,
        OfficeMonthTotals,
        UnitMonthTotals,
        TaskMonthTotals,
        *ROLLUPS,
    ):
        session.execute(sa.delete(table))
    count = 0
    last_id = 0
    while True:
        ids = list(
            session.scalars(
                sa.select(Dossier.id).where(Dossier.id > last_id).order_by(Dossier.id).limit(CHUNK)
            )
        )
        if not ids:
            break
        count += write_facts(session, ids, now).dossiers
        last_id = ids[-1]
    days = set(session.scalars(sa.select(DossierFact.day).distinct()))
    months = {month_start(d) for d in days}
    rebuild_days(session, days)
    rebuild_months(session, months)
    first = session.scalar(sa.select(sa.func.min(Task.created_at)))
    task_months = _all_months(to_local(first).date(), to_local(now).date()) if first else set()
    if first:
        first_day, last_day = to_local(first).date(), to_local(now).date()
        task_days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
        rollups.rebuild_task_days(session, task_days, now)
    return RefreshResult(count, len(days), len(months), len(task_months))


def _rewrite_changed(
    session: Session, state: RefreshState, maxima: tuple[int, int, int], now: datetime
) -> RefreshResult:
    ids = sorted(changed_dossiers(session, state, maxima, now))
    before = _touched(session, ids)  # where the facts counted before this round
    written = write_facts(session, ids, now)
    days = before.days | written.days
    offices = _merge(before.offices, written.offices)
    units = _merge(before.units, written.units)
    months = set(offices) | set(units)
    rebuild_days(
        session,
        days,
        _merge(before.day_offices, written.day_offices),
        _merge(before.day_units, written.day_units),
    )
    rebuild_months(session, months, offices, units)
    task_days = _task_days(session, state, written.codes, maxima[2], now)
    rollups.rebuild_task_days(session, task_days.keys(), now, task_days)
    task_months = {month_start(day) for day in task_days}
    return RefreshResult(written.dossiers, len(days), len(months), len(task_months))


def _merge(a: dict[date, set[int]], b: dict[date, set[int]]) -> dict[date, set[int]]:
    merged = {k: set(v) for k, v in a.items()}
    for key, values in b.items():
        merged.setdefault(key, set()).update(values)
    return merged


def _touched(session: Session, ids: list[int]) -> Written:
    """The days, and the offices and units per month, of these dossiers' current facts."""
    touched = Written()
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            sa.select(DossierFact.day, DossierFact.office_id, DossierFact.unit_id).where(
                DossierFact.dossier_id.in_(ids[start : start + CHUNK])
            )
        )
        for day, office_id, unit_id in rows:
            touched.add(day, office_id, unit_id)
    return touched


def _all_months(first: date, last: date) -> set[date]:
    months, month = set(), month_start(first)
    while month <= last:
        months.add(month)
        month = next_month(month)
    return months


def last_refreshed(session: Session) -> datetime | None:
    return session.scalar(sa.select(RefreshState.refreshed_at).where(RefreshState.id == STATE_ID))
