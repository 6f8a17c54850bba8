"""The lists behind the dashboard's numbers: the dossiers a measure counted, the tasks behind an SLA rate."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from postal_hub.contracts.status import TaskStatus
from postal_hub.contracts.task_models import Task
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.pagination import Page, paginate
from postal_hub.core.procedures.models import Procedure
from postal_hub.monitoring.models import MEASURES, DossierFact
from postal_hub.monitoring.query import Filters, Scope
from postal_hub.monitoring.summing import local_midnight_utc, task_group_id

# The measures that count dossiers one by one (0 or 1 on each fact): a list can stand behind them.
COUNTABLE = frozenset(MEASURES) - {"components", "components_reused", "wait_seconds", "handle_seconds"}
# A "not" list (value 0) only makes sense among the dossiers the rate was taken over.
DENOMINATOR = {
    "postal_satisfied": "postal_rated",
    "unit_satisfied": "unit_rated",
    "wait_ok": "wait_timed",
    "wait_ok_30": "wait_timed",
    "handle_ok": "handle_timed",
    "on_time": "closed",
    "unit_on_time": "unit_done",
}
TASK_STATES = ("on_time", "late", "open", "overdue")


def _scoped(stmt: Any, scope: Scope, filters: Filters) -> Any:
    stmt = stmt.where(DossierFact.day >= filters.start, DossierFact.day <= filters.end)
    if scope.nothing:
        stmt = stmt.where(sa.false())
    if scope.operator_id is not None:
        stmt = stmt.where(DossierFact.operator_id == scope.operator_id)
    if scope.province_code is not None:
        stmt = stmt.where(DossierFact.province_code == scope.province_code)
    if scope.unit_ids is not None:
        stmt = stmt.where(DossierFact.unit_id.in_(scope.unit_ids))
    for column in filters.columns:
        stmt = stmt.where(getattr(DossierFact, column) == getattr(filters, column))
    return stmt


def dossiers_page(
    session: Session, scope: Scope, filters: Filters, measure: str, value: int, page: int, per_page: int
) -> Page[DossierFact]:
    """The facts counted by `measure` (value 1), or not counted among those it was taken over (0)."""
    stmt = _scoped(sa.select(DossierFact), scope, filters)
    if measure != "dossiers":
        column = getattr(DossierFact, measure)
        if value:
            stmt = stmt.where(column > 0)
        else:
            stmt = stmt.where(column == 0)
            if measure in DENOMINATOR:
                stmt = stmt.where(getattr(DossierFact, DENOMINATOR[measure]) > 0)
    return paginate(
        session, stmt.order_by(DossierFact.day.desc(), DossierFact.dossier_id.desc()), page, per_page
    )


def tasks_page(
    session: Session,
    scope: Scope,
    filters: Filters,
    now: datetime,
    task_type: str | None,
    contract_id: int | None,
    state: str | None,
    page: int,
    per_page: int,
) -> Page[Task]:
    stmt = (
        sa.select(Task)
        .join(PostOffice, PostOffice.id == Task.post_office_id)
        .outerjoin(Procedure, Procedure.id == Task.procedure_id)
        .where(
            Task.created_at >= local_midnight_utc(filters.start),
            Task.created_at < local_midnight_utc(filters.end + timedelta(days=1)),
            Task.status != TaskStatus.CANCELLED.value,
        )
    )
    if scope.nothing:
        stmt = stmt.where(sa.false())
    if scope.operator_id is not None:
        stmt = stmt.where(Task.operator_id == scope.operator_id)
    for province in (scope.province_code, filters.province_code):
        if province is not None:
            stmt = stmt.where(PostOffice.province_code == province)
    if scope.unit_ids is not None:
        stmt = stmt.where(Task.unit_id.in_(scope.unit_ids))
    if filters.unit_id is not None:
        stmt = stmt.where(Task.unit_id == filters.unit_id)
    if filters.office_id is not None:
        stmt = stmt.where(Task.post_office_id == filters.office_id)
    if filters.group_id is not None:
        stmt = stmt.where(task_group_id() == filters.group_id)
    if task_type:
        stmt = stmt.where(Task.task_type == task_type)
    if contract_id is not None:
        stmt = stmt.where(Task.contract_id == contract_id)
    running = Task.status.in_([TaskStatus.OPEN.value, TaskStatus.IN_PROGRESS.value])
    done = Task.status == TaskStatus.DONE.value
    if state == "on_time":
        stmt = stmt.where(done, Task.sla_met.is_not(False))
    elif state == "late":
        stmt = stmt.where(done, Task.sla_met.is_(False))
    elif state == "open":
        stmt = stmt.where(running, Task.due_at >= now)
    elif state == "overdue":
        stmt = stmt.where(running, Task.due_at < now)
    stmt = stmt.options(selectinload(Task.contract), selectinload(Task.post_office), selectinload(Task.unit))
    return paginate(session, stmt.order_by(Task.created_at.desc(), Task.id.desc()), page, per_page)


def names(session: Session, facts: list[DossierFact]) -> dict[str, dict[int, str]]:
    """Office, unit and procedure names for one page of facts (three small queries)."""
    from postal_hub.core.orgs.models import Organization

    def lookup(model: Any, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        return {
            row[0]: row[1]
            for row in session.execute(sa.select(model.id, model.name).where(model.id.in_(ids)))
        }

    return {
        "office": lookup(PostOffice, {f.office_id for f in facts}),
        "unit": lookup(Organization, {f.unit_id for f in facts}),
        "procedure": lookup(Procedure, {f.procedure_id for f in facts}),
    }
