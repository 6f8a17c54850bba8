"""Summing the measures over whichever table can answer a question, coarsest first.

A question is a scope (what the viewer may see), filters, and the dimensions to group by. The daily
table answers national and provincial questions for any run of days; the monthly office and unit
tables answer questions about offices or units over whole months; anything else (a custom run of days
for one unit, an office and a unit together) falls back to the facts, which are indexed by unit and
by office and day, so those narrow questions stay small. Weeks and months are folded from days here,
over at most a few hundred summed rows, never over dossiers.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.task_models import Task
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.procedures.models import Procedure
from postal_hub.monitoring.models import (
    MEASURES,
    TASK_MEASURES,
    DailyStats,
    DossierFact,
    OfficeMonthStats,
    OfficeMonthTotals,
    TaskMonthStats,
    TaskMonthTotals,
    UnitMonthStats,
    UnitMonthTotals,
)
from postal_hub.monitoring.refresh import local_midnight_utc, task_sums

FILTER_COLUMNS = ("province_code", "unit_id", "office_id", "group_id", "channel")


@dataclass(frozen=True)
class Scope:
    """What a viewer may see; None everywhere is everything (a system administrator)."""

    operator_id: int | None = None
    province_code: str | None = None
    unit_ids: tuple[int, ...] | None = None
    nothing: bool = False

    @property
    def columns(self) -> set[str]:
        cols = set()
        if self.operator_id is not None:
            cols.add("operator_id")
        if self.province_code is not None:
            cols.add("province_code")
        if self.unit_ids is not None:
            cols.add("unit_id")
        return cols


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    province_code: str | None = None
    unit_id: int | None = None
    office_id: int | None = None
    group_id: int | None = None
    channel: str | None = None

    @property
    def columns(self) -> set[str]:
        return {c for c in FILTER_COLUMNS if getattr(self, c) is not None}

    @property
    def whole_months(self) -> bool:
        last = calendar.monthrange(self.end.year, self.end.month)[1]
        return self.start.day == 1 and self.end.day == last

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Filters:
        """The same length of time just before (the previous quarter for a quarter)."""
        if self.whole_months:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            start = _add_months(self.start, -months)
            end = _add_months(self.start, 0) - timedelta(days=1)
            return replace(self, start=start, end=end)
        return replace(self, start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1))


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Source:
    table: Any
    columns: frozenset[str]
    grain: str  # "day" or "month"


SOURCES = (
    Source(DailyStats, frozenset({"day", "province_code", "operator_id", "group_id", "channel"}), "day"),
    # Every group and channel together: one row per unit (or office) and month, for rankings.
    Source(UnitMonthTotals, frozenset({"month", "unit_id", "province_code", "operator_id"}), "month"),
    Source(OfficeMonthTotals, frozenset({"month", "office_id", "province_code", "operator_id"}), "month"),
    Source(
        UnitMonthStats,
        frozenset({"month", "unit_id", "province_code", "operator_id", "group_id", "channel"}),
        "month",
    ),
    Source(
        OfficeMonthStats,
        frozenset({"month", "office_id", "province_code", "operator_id", "group_id", "channel"}),
        "month",
    ),
    Source(
        DossierFact,
        frozenset(
            {"day", "month", "province_code", "operator_id", "office_id", "unit_id", "group_id", "channel"}
        ),
        "day",
    ),
)


def choose_source(scope: Scope, filters: Filters, group_by: Sequence[str], time_grain: str | None) -> Source:
    needed = scope.columns | filters.columns | set(group_by)
    for source in SOURCES:
        if not needed <= source.columns:
            continue
        if source.grain == "month" and (not filters.whole_months or time_grain in ("day", "week")):
            continue
        return source
    return SOURCES[-1]


@dataclass
class Totals:
    """Summed measures with the rates the dashboards show; a rate is None when nothing was counted."""

    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEASURES, 0))

    def __getitem__(self, name: str) -> int:
        return self.values[name]

    def add(self, other: Totals) -> None:
        for name, value in other.values.items():
            self.values[name] = self.values.get(name, 0) + value

    def rate(self, part: str, whole: str) -> float | None:
        return 100.0 * self.values[part] / self.values[whole] if self.values[whole] else None

    def mean(self, total: str, count: str) -> float | None:
        return self.values[total] / self.values[count] if self.values[count] else None

    @property
    def on_time_rate(self) -> float | None:
        return self.rate("on_time", "closed")

    @property
    def digitization_rate(self) -> float | None:
        return self.rate("digitized", "dossiers")

    @property
    def reuse_rate(self) -> float | None:
        return self.rate("reused", "dossiers")

    @property
    def postal_satisfaction(self) -> float | None:
        return self.rate("postal_satisfied", "postal_rated")

    @property
    def unit_satisfaction(self) -> float | None:
        return self.rate("unit_satisfied", "unit_rated")

    @property
    def wait_minutes(self) -> float | None:
        mean = self.mean("wait_seconds", "wait_timed")
        return None if mean is None else mean / 60

    @property
    def handle_minutes(self) -> float | None:
        mean = self.mean("handle_seconds", "handle_timed")
        return None if mean is None else mean / 60

    @property
    def unit_on_time_rate(self) -> float | None:
        return self.rate("unit_on_time", "unit_done")


def _apply(stmt: Any, table: Any, grain: str, scope: Scope, filters: Filters) -> Any:
    if grain == "day":
        stmt = stmt.where(table.day >= filters.start, table.day <= filters.end)
    else:
        stmt = stmt.where(
            table.month >= filters.start.replace(day=1), table.month <= filters.end.replace(day=1)
        )
    if scope.nothing:
        stmt = stmt.where(sa.false())
    if scope.operator_id is not None:
        stmt = stmt.where(table.operator_id == scope.operator_id)
    if scope.province_code is not None:
        stmt = stmt.where(table.province_code == scope.province_code)
    if scope.unit_ids is not None:
        stmt = stmt.where(table.unit_id.in_(scope.unit_ids))
    for column in filters.columns:
        stmt = stmt.where(getattr(table, column) == getattr(filters, column))
    return stmt


def summed(
    session: Session,
    scope: Scope,
    filters: Filters,
    group_by: Sequence[str] = (),
    time_grain: str | None = None,
    measures: Sequence[str] = MEASURES,
) -> list[tuple[tuple[Any, ...], Totals]]:
    """Rows of (group values, totals); `time_grain` ("day", "week", "month") adds the period first."""
    source = choose_source(scope, filters, group_by, time_grain)
    table = source.table
    time_column = None
    if time_grain is not None:
        time_column = "month" if time_grain == "month" and "month" in source.columns else source.grain
        if time_column == "month" and "month" not in source.columns:
            time_column = "day"
    keys = ([time_column] if time_column else []) + list(group_by)
    group = [getattr(table, k) for k in keys]
    sums = [sa.func.coalesce(sa.func.sum(getattr(table, m)), 0) for m in measures]
    stmt = _apply(sa.select(*group, *sums), table, source.grain, scope, filters)
    if group:
        stmt = stmt.group_by(*group)
    folded: dict[tuple[Any, ...], Totals] = {}
    for row in session.execute(stmt):
        key = tuple(row[: len(keys)])
        if time_column:
            key = (bucket(_as_date(key[0]), time_grain or "day"), *key[1:])
        totals = Totals()
        totals.values.update({m: int(v) for m, v in zip(measures, row[len(keys) :], strict=True)})
        if key in folded:
            folded[key].add(totals)
        else:
            folded[key] = totals
    if not keys and not folded:
        folded[()] = Totals()
    return sorted(folded.items(), key=lambda item: tuple(_sortable(v) for v in item[0]))


def _sortable(value: Any) -> Any:
    return (value is None, str(value) if not isinstance(value, date | int) else value)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def bucket(day: date, grain: str) -> date:
    """The first day of the day's week (Monday) or month."""
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def totals(session: Session, scope: Scope, filters: Filters) -> Totals:
    return summed(session, scope, filters)[0][1]


# --- Tasks: SLA compliance per task type and per contract ------------------------------------------


@dataclass
class TaskTotals:
    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TASK_MEASURES, 0))

    def __getitem__(self, name: str) -> int:
        return self.values[name]

    def add(self, other: TaskTotals) -> None:
        for name, value in other.values.items():
            self.values[name] = self.values.get(name, 0) + value

    @property
    def compliance(self) -> float | None:
        """Done on time, of the tasks done or already overdue (an overdue task has missed its SLA)."""
        judged = self.values["tasks_done"] + self.values["tasks_overdue"]
        return 100.0 * self.values["tasks_on_time"] / judged if judged else None


TASK_GROUPS = ("task_type", "contract_id", "unit_id", "operator_id", "province_code", "group_id")


def task_summed(
    session: Session, scope: Scope, filters: Filters, group_by: Sequence[str], now: datetime
) -> list[tuple[tuple[Any, ...], TaskTotals]]:
    """Task measures by the given dimensions, from the monthly table when it can answer (whole months,
    no office), otherwise from the tasks themselves. The channel filter does not apply: a task's type
    already says which service it was."""
    province: Any
    unit: Any
    operator: Any
    group: Any
    if filters.whole_months and filters.office_id is None:
        # Without a group, the totals over groups answer with a fraction of the rows.
        grouped = filters.group_id is not None or "group_id" in group_by
        table = TaskMonthStats if grouped else TaskMonthTotals
        cols = [getattr(table, g) for g in group_by]
        stmt = sa.select(*cols, *[sa.func.coalesce(sa.func.sum(getattr(table, m)), 0) for m in TASK_MEASURES])
        stmt = stmt.where(
            table.month >= filters.start.replace(day=1), table.month <= filters.end.replace(day=1)
        )
        province, unit, operator = table.province_code, table.unit_id, table.operator_id
        group = TaskMonthStats.group_id if grouped else None
    else:
        group_id = sa.func.coalesce(Procedure.group_id, 0)
        columns = {
            "task_type": Task.task_type,
            "contract_id": Task.contract_id,
            "unit_id": Task.unit_id,
            "operator_id": Task.operator_id,
            "province_code": PostOffice.province_code,
            "group_id": group_id,
        }
        cols = [columns[g] for g in group_by]
        stmt = (
            sa.select(*cols, *task_sums(now))
            .join(PostOffice, PostOffice.id == Task.post_office_id)
            .outerjoin(Procedure, Procedure.id == Task.procedure_id)
            .where(
                Task.created_at >= local_midnight_utc(filters.start),
                Task.created_at < local_midnight_utc(filters.end + timedelta(days=1)),
            )
        )
        if filters.office_id is not None:
            stmt = stmt.where(Task.post_office_id == filters.office_id)
        province, unit, operator, group = PostOffice.province_code, Task.unit_id, Task.operator_id, group_id
    if scope.nothing:
        stmt = stmt.where(sa.false())
    if scope.operator_id is not None:
        stmt = stmt.where(operator == scope.operator_id)
    if scope.province_code is not None:
        stmt = stmt.where(province == scope.province_code)
    if scope.unit_ids is not None:
        stmt = stmt.where(unit.in_(scope.unit_ids))
    if filters.province_code is not None:
        stmt = stmt.where(province == filters.province_code)
    if filters.unit_id is not None:
        stmt = stmt.where(unit == filters.unit_id)
    if filters.group_id is not None and group is not None:
        stmt = stmt.where(group == filters.group_id)
    if cols:
        stmt = stmt.group_by(*cols)
    result = []
    for row in session.execute(stmt):
        totals = TaskTotals()
        totals.values.update({m: int(v) for m, v in zip(TASK_MEASURES, row[len(cols) :], strict=True)})
        result.append((tuple(row[: len(cols)]), totals))
    return sorted(result, key=lambda item: tuple(_sortable(v) for v in item[0]))
