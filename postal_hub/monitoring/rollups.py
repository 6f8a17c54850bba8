"""Rebuilding the roll-ups of `models_rollups` for the days a round touched.

Office and unit day rows, office-unit month rows and task day rows are rebuilt for the offices and
units touched on each day (a round touches few); the national roll-ups (MonthStats, the task tables by
type and by contract, and every task month table) are summed from those day tables, a few thousand
rows a day, never from the facts or tasks again. `None` for the touched ids rebuilds whole days (a
full rebuild).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.task_models import Task
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.procedures.models import Procedure
from postal_hub.monitoring.models import MEASURES, TASK_MEASURES, DailyStats, DossierFact, TaskMonthTotals
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
from postal_hub.monitoring.summing import (
    id_groups,
    insert_sums,
    local_midnight_utc,
    month_start,
    next_month,
    roll_up,
    task_group_id,
    task_sums,
)

Touched = dict[date, set[int]] | None

OFFICE_DAY = ("day", "office_id", "province_code", "operator_id")
UNIT_DAY = ("day", "unit_id", "province_code", "operator_id")
NATIONAL = ("province_code", "operator_id", "group_id", "channel")
OFFICE_UNIT = ("month", "office_id", "unit_id", "province_code", "operator_id")
TASK_DAY = ("day", "contract_id", "task_type", "unit_id", "operator_id", "province_code", "group_id")
TASK_TYPE = ("task_type", "operator_id", "province_code", "group_id")
TASK_CONTRACT = ("contract_id", "unit_id", "operator_id", "province_code", "group_id")


def rebuild_fact_days(
    session: Session, days: Iterable[date], offices: Touched = None, units: Touched = None
) -> None:
    """Office and unit day totals of these days from their facts, then the months' national roll-up
    from DailyStats (which the caller has rebuilt for the same days)."""
    day_list = sorted(set(days))
    for day in day_list:
        for table, dims, column, touched in (
            (OfficeDayTotals, OFFICE_DAY, "office_id", offices),
            (UnitDayTotals, UNIT_DAY, "unit_id", units),
        ):
            for ids in id_groups(None if touched is None else touched.get(day, set())):
                delete = [table.day == day]
                facts = [DossierFact.day == day]
                if ids is not None:
                    delete.append(getattr(table, column).in_(ids))
                    facts.append(getattr(DossierFact, column).in_(ids))
                session.execute(sa.delete(table).where(*delete))
                insert_sums(session, table, dims, sa.and_(*facts))
    for month in sorted({month_start(d) for d in day_list}):
        session.execute(sa.delete(MonthStats).where(MonthStats.month == month))
        in_month = sa.and_(DailyStats.day >= month, DailyStats.day < next_month(month))
        roll_up(session, MonthStats, DailyStats, NATIONAL, in_month, MEASURES, month)


def rebuild_office_unit_months(session: Session, months: Iterable[date], offices: Touched = None) -> None:
    """Office-unit month rows of these months, for the offices touched (or every office)."""
    for month in sorted(set(months)):
        in_month = [DossierFact.day >= month, DossierFact.day < next_month(month)]
        for ids in id_groups(None if offices is None else offices.get(month, set())):
            delete = [OfficeUnitMonth.month == month]
            facts = list(in_month)
            if ids is not None:
                delete.append(OfficeUnitMonth.office_id.in_(ids))
                facts.append(DossierFact.office_id.in_(ids))
            session.execute(sa.delete(OfficeUnitMonth).where(*delete))
            insert_sums(session, OfficeUnitMonth, OFFICE_UNIT, sa.and_(*facts))


def rebuild_task_days(session: Session, days: Iterable[date], now: datetime, units: Touched = None) -> None:
    """Task day totals of these days from the tasks (for the units touched), the day tables by contract
    and by type from them, and the month tables by type and contract from those."""
    day_list = sorted(set(days))
    keys = [
        Task.contract_id,
        Task.task_type,
        Task.unit_id,
        Task.operator_id,
        PostOffice.province_code,
        task_group_id(),
    ]
    months: dict[date, set[int] | None] = {}
    for day in day_list:
        ids_of_day = None if units is None else units.get(day, set())
        for ids in id_groups(ids_of_day):
            delete = [TaskDayTotals.day == day]
            select = (
                sa.select(sa.literal(day, sa.Date), *keys, *task_sums(now))
                .join(PostOffice, PostOffice.id == Task.post_office_id)
                .outerjoin(Procedure, Procedure.id == Task.procedure_id)
                .where(
                    Task.created_at >= local_midnight_utc(day),
                    Task.created_at < local_midnight_utc(day + timedelta(days=1)),
                )
                .group_by(*keys)
            )
            contract_delete = [TaskContractDay.day == day]
            from_totals = [TaskDayTotals.day == day]
            if ids is not None:
                delete.append(TaskDayTotals.unit_id.in_(ids))
                select = select.where(Task.unit_id.in_(ids))
                contract_delete.append(TaskContractDay.unit_id.in_(ids))
                from_totals.append(TaskDayTotals.unit_id.in_(ids))
            session.execute(sa.delete(TaskDayTotals).where(*delete))
            session.execute(sa.insert(TaskDayTotals).from_select([*TASK_DAY, *TASK_MEASURES], select))
            session.execute(sa.delete(TaskContractDay).where(*contract_delete))
            roll_up(
                session,
                TaskContractDay,
                TaskDayTotals,
                ("day", *TASK_CONTRACT),
                sa.and_(*from_totals),
                TASK_MEASURES,
            )
        session.execute(sa.delete(TaskTypeDay).where(TaskTypeDay.day == day))
        roll_up(
            session, TaskTypeDay, TaskDayTotals, ("day", *TASK_TYPE), TaskDayTotals.day == day, TASK_MEASURES
        )
        month = month_start(day)
        if ids_of_day is None or months.get(month, set()) is None:
            months[month] = None
        else:
            months.setdefault(month, set()).update(ids_of_day)  # type: ignore[union-attr]
    for month, ids_of_month in sorted(months.items()):
        _roll_task_totals(session, month, ids_of_month)
        in_month = [TaskTypeDay.day >= month, TaskTypeDay.day < next_month(month)]
        session.execute(sa.delete(TaskTypeMonth).where(TaskTypeMonth.month == month))
        roll_up(session, TaskTypeMonth, TaskTypeDay, TASK_TYPE, sa.and_(*in_month), TASK_MEASURES, month)
        for ids in id_groups(ids_of_month):
            delete = [TaskContractMonth.month == month]
            source = [TaskContractDay.day >= month, TaskContractDay.day < next_month(month)]
            if ids is not None:
                delete.append(TaskContractMonth.unit_id.in_(ids))
                source.append(TaskContractDay.unit_id.in_(ids))
            session.execute(sa.delete(TaskContractMonth).where(*delete))
            roll_up(
                session,
                TaskContractMonth,
                TaskContractDay,
                TASK_CONTRACT,
                sa.and_(*source),
                TASK_MEASURES,
                month,
            )


def _roll_task_totals(session: Session, month: date, units: set[int] | None) -> None:
    """TaskMonthTotals of the month (for these units) summed from the day totals, so a month less its
    edge days subtracts days of the same snapshot as the month."""
    for ids in id_groups(units):
        delete = [TaskMonthTotals.month == month]
        source = [TaskDayTotals.day >= month, TaskDayTotals.day < next_month(month)]
        if ids is not None:
            delete.append(TaskMonthTotals.unit_id.in_(ids))
            source.append(TaskDayTotals.unit_id.in_(ids))
        session.execute(sa.delete(TaskMonthTotals).where(*delete))
        roll_up(session, TaskMonthTotals, TaskDayTotals, TASK_DAY[1:], sa.and_(*source), TASK_MEASURES, month)
