"""Which task tables answer a question: every task table keeps the procedure group, so only an office's
tasks are counted from the tasks themselves."""

from __future__ import annotations

from datetime import date

from postal_hub.monitoring import sources
from postal_hub.monitoring.models import TaskMonthTotals
from postal_hub.monitoring.models_rollups import (
    TaskContractDay,
    TaskContractMonth,
    TaskDayTotals,
    TaskTypeDay,
    TaskTypeMonth,
)

TODAY = date(2027, 1, 4)
LAST_30 = (date(2026, 12, 6), TODAY)


def _tables(needed: set[str], start: date, end: date) -> set[object]:
    family = sources.choose(sources.TASK_FAMILIES, needed)
    return {table for table, _span in sources.pieces(family, start, end, TODAY, by_day=False)}


def test_tasks_by_type_under_a_group_filter_over_a_run_of_days_read_the_type_tables() -> None:
    assert _tables({"task_type", "group_id"}, *LAST_30) == {TaskTypeMonth, TaskTypeDay}


def test_contracts_under_a_group_filter_over_a_run_of_days_read_the_contract_tables() -> None:
    assert _tables({"contract_id", "group_id"}, *LAST_30) == {TaskContractMonth, TaskContractDay}


def test_a_unit_viewers_tasks_by_type_under_a_group_filter_read_the_day_totals() -> None:
    assert _tables({"task_type", "unit_id", "group_id"}, *LAST_30) == {TaskMonthTotals, TaskDayTotals}


def test_a_whole_quarter_under_a_group_filter_reads_the_month_table_alone() -> None:
    assert _tables({"task_type", "group_id"}, date(2026, 10, 1), date(2026, 12, 31)) == {TaskTypeMonth}


def test_an_offices_tasks_are_counted_from_the_tasks_themselves() -> None:
    assert _tables({"task_type", "office_id"}, date(2026, 10, 1), date(2026, 12, 31)) == {sources.RawTasks}


def test_no_task_table_but_the_last_resort_reads_the_tasks_themselves() -> None:
    assert [f.day is sources.RawTasks for f in sources.TASK_FAMILIES] == [False] * (
        len(sources.TASK_FAMILIES) - 1
    ) + [True]
