"""Which tables answer a question, and the SQL that sums them.

A family is a set of dimensions with a month table and a day table holding the same measures summed
over just those dimensions; the smallest family holding every dimension a question needs answers it.
A question over whole months reads the month table; other days come from the family's day table, or
from the facts (and, for an office's tasks, from the tasks themselves) where a family keeps no day
table because it would be nearly as big as the facts. The pieces are summed with their signs in one
statement (see `spans`), so the database returns only the grouped rows, never the facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from postal_hub.contracts.task_models import Task
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.procedures.models import Procedure
from postal_hub.monitoring.models import (
    DailyStats,
    DossierFact,
    OfficeMonthStats,
    OfficeMonthTotals,
    TaskMonthTotals,
    UnitMonthStats,
    UnitMonthTotals,
)
from postal_hub.monitoring.models_rollups import (
    MonthStats,
    OfficeDayTotals,
    OfficeUnitMonth,
    TaskContractDay,
    TaskContractMonth,
    TaskDayTotals,
    TaskTypeDay,
    TaskTypeMonth,
    UnitDayTotals,
)
from postal_hub.monitoring.spans import Span, spans
from postal_hub.monitoring.summing import local_midnight_utc, task_group_id, task_sums

FACT_COLUMNS = ("province_code", "operator_id", "office_id", "unit_id", "group_id", "channel")
TASK_COLUMNS = (
    "task_type",
    "contract_id",
    "unit_id",
    "operator_id",
    "province_code",
    "group_id",
    "office_id",
)


class RawTasks:
    """The tasks themselves, as a source: the last resort for questions no task table can answer."""


@dataclass(frozen=True)
class Family:
    columns: frozenset[str]
    month: Any | None
    day: Any  # a day table, DossierFact or RawTasks


def _family(columns: Sequence[str], month: Any | None, day: Any) -> Family:
    return Family(frozenset(columns), month, day)


# Smallest first. Where a family keeps no day table, its odd days are read from the facts.
FACT_FAMILIES = (
    _family(("province_code", "operator_id", "group_id", "channel"), MonthStats, DailyStats),
    _family(("unit_id", "province_code", "operator_id"), UnitMonthTotals, UnitDayTotals),
    _family(("office_id", "province_code", "operator_id"), OfficeMonthTotals, OfficeDayTotals),
    _family(("unit_id", "province_code", "operator_id", "group_id", "channel"), UnitMonthStats, DossierFact),
    _family(
        ("office_id", "province_code", "operator_id", "group_id", "channel"), OfficeMonthStats, DossierFact
    ),
    _family(("office_id", "unit_id", "province_code", "operator_id"), OfficeUnitMonth, DossierFact),
    _family(FACT_COLUMNS, None, DossierFact),
)

# Every task table keeps the procedure group; only an office's tasks are counted from the tasks
# themselves (by the index on office and day opened): by office there would be nearly a row per task.
TASK_FAMILIES = (
    _family(("task_type", "province_code", "operator_id", "group_id"), TaskTypeMonth, TaskTypeDay),
    _family(
        ("contract_id", "unit_id", "operator_id", "province_code", "group_id"),
        TaskContractMonth,
        TaskContractDay,
    ),
    _family(TASK_COLUMNS[:-1], TaskMonthTotals, TaskDayTotals),
    _family(TASK_COLUMNS, None, RawTasks),
)


def choose(families: Sequence[Family], needed: set[str]) -> Family:
    for family in families:
        if needed <= family.columns:
            return family
    return families[-1]


def pieces(family: Family, start: Any, end: Any, today: Any, by_day: bool) -> list[tuple[Any, Span]]:
    """(table, span) pairs whose signed sum is the days start..end."""
    if by_day or family.month is None:
        return [(family.day, Span("day", start, end))]
    # A family's month and day tables are the same snapshot (the month summed from the days), so a
    # month less its edge days is exact. The tasks themselves are live and have no month table.
    return [(family.month if s.grain == "month" else family.day, s) for s in spans(start, end, today)]


@dataclass(frozen=True)
class Where:
    """The conditions of a question, by dimension: the viewer's scope and the filters chosen."""

    equal: tuple[tuple[str, Any], ...]
    within: tuple[tuple[str, tuple[int, ...]], ...] = ()
    nothing: bool = False


def _raw_column(name: str) -> Any:
    return {
        "task_type": Task.task_type,
        "contract_id": Task.contract_id,
        "unit_id": Task.unit_id,
        "operator_id": Task.operator_id,
        "province_code": PostOffice.province_code,
        "group_id": task_group_id(),
        "office_id": Task.post_office_id,
    }[name]


def column(source: Any, name: str) -> Any:
    return _raw_column(name) if source is RawTasks else getattr(source, name)


def _signed(value: Any, sign: int) -> Any:
    return value if sign == 1 else -value


def piece_select(
    source: Any,
    span: Span,
    keys: Sequence[str],
    measures: Sequence[str],
    where: Where,
    with_time: bool,
    raw_sums: Sequence[Any] = (),
) -> Any:
    """One signed piece: its keys (and its day or month as `t`) and its measures.

    Summary rows pass through with their sign and are summed once, by `grouped`: summing each piece
    first would have PostgreSQL sum the pieces' bigint sums in numeric, several times slower and wide
    enough to spill to disk. The tasks are counted here (per key), each count cast back to an integer
    for the same reason."""
    cols = [column(source, k).label(k) for k in keys]
    if source is RawTasks:
        sums = [sa.cast(_signed(s, span.sign), sa.Integer) for s in raw_sums]
        stmt = (
            sa.select(*cols, *[s.label(m) for s, m in zip(sums, measures, strict=True)])
            .select_from(Task)
            .join(PostOffice, PostOffice.id == Task.post_office_id)
            .outerjoin(Procedure, Procedure.id == Task.procedure_id)
            .where(
                Task.created_at >= local_midnight_utc(span.start),
                Task.created_at < local_midnight_utc(span.end + timedelta(days=1)),
            )
        )
        time_col = None
    else:
        signed = [_signed(getattr(source, m), span.sign) for m in measures]
        stmt = sa.select(*cols, *[s.label(m) for s, m in zip(signed, measures, strict=True)])
        if span.grain == "month":
            time_col = source.month
            stmt = stmt.where(source.month == span.start)
        else:
            time_col = source.day
            stmt = stmt.where(source.day >= span.start, source.day <= span.end)
    if with_time:
        if time_col is None:
            raise ValueError("the tasks themselves have no series")
        stmt = stmt.add_columns(time_col.label("t"))
    if where.nothing:
        stmt = stmt.where(sa.false())
    for name, value in where.equal:
        stmt = stmt.where(column(source, name) == value)
    for name, values in where.within:
        stmt = stmt.where(column(source, name).in_(values))
    if source is not RawTasks:
        return stmt
    group = [column(source, k) for k in keys]
    return stmt.group_by(*group) if group else stmt


def grouped(
    family: Family,
    start: Any,
    end: Any,
    today: Any,
    keys: Sequence[str],
    measures: Sequence[str],
    where: Where,
    time_grain: str | None = None,
    now: datetime | None = None,
) -> Any:
    """A subquery: one row per key (and per day or month as `t` when a series is asked for)."""
    raw_sums: list[Any] = []
    if family.day is RawTasks:
        assert now is not None
        raw_sums = task_sums(now)
    with_time = time_grain is not None
    selects: list[Any] = [
        piece_select(source, span, keys, measures, where, with_time, raw_sums)
        for source, span in pieces(family, start, end, today, by_day=time_grain in ("day", "week"))
    ]
    union: Any = selects[0] if len(selects) == 1 else sa.union_all(*selects)
    u = union.subquery("pieces")
    outer_keys = [u.c[k] for k in keys] + ([u.c.t] if with_time else [])
    stmt = sa.select(*outer_keys, *[sa.func.coalesce(sa.func.sum(u.c[m]), 0).label(m) for m in measures])
    return stmt.group_by(*outer_keys) if outer_keys else stmt
