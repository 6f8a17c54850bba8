"""The SQL the summaries are rebuilt with: facts summed into a table, tasks counted by their clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.status import TaskStatus
from postal_hub.contracts.task_models import Task
from postal_hub.core.clock import LOCAL_TZ
from postal_hub.core.procedures.models import Procedure
from postal_hub.monitoring.facts import OPEN_TASK
from postal_hub.monitoring.models import MEASURES, DossierFact


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), LOCAL_TZ).astimezone(UTC)


def measure_sums() -> list[Any]:
    return [sa.func.coalesce(sa.func.sum(getattr(DossierFact, m)), 0) for m in MEASURES]


def insert_sums(session: Session, table: Any, dims: tuple[str, ...], where: Any) -> None:
    group = [getattr(DossierFact, d) for d in dims]
    select = sa.select(*group, *measure_sums()).where(where).group_by(*group)
    session.execute(sa.insert(table).from_select([*dims, *MEASURES], select))


def task_group_id() -> Any:
    """A task's procedure group, 0 for none (as the facts count it). A literal 0, not a bound
    parameter: the expression is grouped by, and PostgreSQL must see the same text in both places."""
    return sa.func.coalesce(Procedure.group_id, sa.literal_column("0"))


def task_sums(now: datetime) -> list[Any]:
    """The task measures as SQL aggregates over `tasks` (also used by the dashboards' narrow views)."""
    done = Task.status == TaskStatus.DONE.value
    running = Task.status.in_(list(OPEN_TASK))

    def count(condition: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    return [
        count(Task.status != TaskStatus.CANCELLED.value),
        count(done),
        count(sa.and_(done, Task.sla_met.is_not(False))),
        count(sa.and_(done, Task.sla_met.is_(False))),
        count(running),
        count(sa.and_(running, Task.due_at < now)),
    ]


def roll_up(
    session: Session,
    target: Any,
    source: Any,
    dims: tuple[str, ...],
    where: Any,
    measures: tuple[str, ...],
    month: date | None = None,
) -> None:
    """Sum a finer summary table into a coarser one (as the month given, when the target is monthly)."""
    group = [getattr(source, d) for d in dims]
    sums = [sa.func.coalesce(sa.func.sum(getattr(source, m)), 0) for m in measures]
    head = [sa.literal(month, sa.Date)] if month is not None else []
    select = sa.select(*head, *group, *sums).where(where)
    if group:
        select = select.group_by(*group)
    columns = (["month"] if month is not None else []) + list(dims) + list(measures)
    session.execute(sa.insert(target).from_select(columns, select))


def chunks(ids: set[int] | list[int], size: int = 1000) -> list[list[int]]:
    ordered = sorted(ids)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def id_groups(ids: set[int] | None) -> list[list[int] | None]:
    """Ids in chunks for IN lists; [None] (every id) when none are given: a full rebuild."""
    return [None] if ids is None else list(chunks(ids))
