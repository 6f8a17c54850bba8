"""The questions a dashboard asks: a scope (what the viewer may see), filters, and the dimensions to
group by, answered by summing the smallest tables that hold them (see `sources`). Weeks and months of
a series are folded from days here, over at most a few hundred summed rows, never over dossiers.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.monitoring.models import MEASURES, TASK_MEASURES
from postal_hub.monitoring.sources import (
    FACT_FAMILIES,
    TASK_FAMILIES,
    Family,
    Where,
    choose,
    grouped,
    pieces,
)

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
    # The viewer's today: days after it hold nothing yet, which lets a run of days that ends today be
    # read as whole months (see `spans`). It changes how a question is read, never its answer.
    today: date | None = field(default=None, compare=False)

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


def where_of(scope: Scope, filters: Filters, skip: Sequence[str] = ()) -> Where:
    equal = [
        (c, getattr(filters, c)) for c in FILTER_COLUMNS if c not in skip and getattr(filters, c) is not None
    ]
    if scope.operator_id is not None:
        equal.append(("operator_id", scope.operator_id))
    if scope.province_code is not None:
        equal.append(("province_code", scope.province_code))
    within = (("unit_id", scope.unit_ids),) if scope.unit_ids is not None else ()
    return Where(tuple(equal), within, scope.nothing)


def choose_source(
    scope: Scope, filters: Filters, group_by: Sequence[str], time_grain: str | None = None
) -> Family:
    """The family of tables that answers (time_grain is accepted for symmetry: every family has days)."""
    return choose(FACT_FAMILIES, scope.columns | filters.columns | set(group_by))


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


def tables_read(
    scope: Scope, filters: Filters, group_by: Sequence[str] = (), time_grain: str | None = None
) -> list[Any]:
    """The tables a question is read from, in the order of its pieces (for tests and the benchmark)."""
    family = choose_source(scope, filters, group_by)
    by_day = time_grain in ("day", "week")
    return [table for table, _span in pieces(family, filters.start, filters.end, filters.today, by_day)]


def summed_select(
    scope: Scope,
    filters: Filters,
    group_by: Sequence[str] = (),
    time_grain: str | None = None,
    measures: Sequence[str] = MEASURES,
) -> Any:
    """The grouped subquery behind `summed`, for callers that rank or limit in SQL."""
    family = choose_source(scope, filters, group_by)
    where = where_of(scope, filters)
    return grouped(family, filters.start, filters.end, filters.today, group_by, measures, where, time_grain)


def summed(
    session: Session,
    scope: Scope,
    filters: Filters,
    group_by: Sequence[str] = (),
    time_grain: str | None = None,
    measures: Sequence[str] = MEASURES,
) -> list[tuple[tuple[Any, ...], Totals]]:
    """Rows of (group values, totals); `time_grain` ("day", "week", "month") adds the period first."""
    stmt = summed_select(scope, filters, group_by, time_grain, measures)
    folded: dict[tuple[Any, ...], Totals] = {}
    width = len(group_by)
    for row in session.execute(stmt):
        key = tuple(row[:width])
        if time_grain is not None:
            key = (bucket(_as_date(row[width]), time_grain), *key)
            values = row[width + 1 :]
        else:
            values = row[width:]
        totals = Totals()
        totals.values.update({m: int(v) for m, v in zip(measures, values, strict=True)})
        if key in folded:
            folded[key].add(totals)
        else:
            folded[key] = totals
    if not group_by and time_grain is None and not folded:
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


def task_select(scope: Scope, filters: Filters, group_by: Sequence[str], now: datetime) -> Any:
    """Task measures grouped by the given dimensions, from the smallest task table that can answer
    (the tasks themselves for an office). The channel filter does not apply: a task's type already
    says which service it was."""
    where = where_of(scope, filters, skip=("channel",))
    needed = {name for name, _v in where.equal} | {name for name, _v in where.within} | set(group_by)
    family = choose(TASK_FAMILIES, needed)
    return grouped(family, filters.start, filters.end, filters.today, group_by, TASK_MEASURES, where, now=now)


def task_summed(
    session: Session, scope: Scope, filters: Filters, group_by: Sequence[str], now: datetime
) -> list[tuple[tuple[Any, ...], TaskTotals]]:
    result = []
    for row in session.execute(task_select(scope, filters, group_by, now)):
        totals = TaskTotals()
        totals.values.update({m: int(v) for m, v in zip(TASK_MEASURES, row[len(group_by) :], strict=True)})
        result.append((tuple(row[: len(group_by)]), totals))
    return sorted(result, key=lambda item: tuple(_sortable(v) for v in item[0]))


def task_lowest(
    session: Session, scope: Scope, filters: Filters, key: str, now: datetime, limit: int
) -> tuple[list[tuple[Any, TaskTotals]], int]:
    """The `limit` keys (contracts) with the lowest SLA compliance, and how many keys there are."""
    g = task_select(scope, filters, (key,), now).subquery("by_key")
    judged = g.c.tasks_done + g.c.tasks_overdue
    compliance = sa.case((judged > 0, sa.cast(g.c.tasks_on_time, sa.Float) / judged), else_=None)
    stmt = (
        sa.select(g, sa.func.count().over().label("how_many"))
        .order_by(sa.nulls_last(compliance.asc()), g.c.tasks.desc(), g.c[key])
        .limit(limit)
    )
    rows, how_many = [], 0
    for row in session.execute(stmt):
        totals = TaskTotals()
        totals.values.update({m: int(getattr(row, m)) for m in TASK_MEASURES})
        rows.append((row[0], totals))
        how_many = int(row.how_many)
    return rows, how_many
