"""Reads for the contract screens, eager-loading what each page shows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from postal_hub.contracts.access import managed_ids, scope_contracts, scope_tasks
from postal_hub.contracts.coverage import version_in_force
from postal_hub.contracts.models import Contract, ContractVersion
from postal_hub.contracts.statement_models import Statement
from postal_hub.contracts.status import TaskStatus
from postal_hub.contracts.task_models import Task
from postal_hub.core.orgs.models import Organization, OrgKind, PostOffice
from postal_hub.core.pagination import ListRequest, Page, paginate, record_number, search_filter
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.users.models import Role, User


def contracts_page(session: Session, actor: User, status: str | None, lr: ListRequest) -> Page[Contract]:
    stmt = scope_contracts(session, actor, sa.select(Contract))
    if status:
        stmt = stmt.where(Contract.status == status)
    party = search_filter(Organization.search_key, lr.q)
    if party is not None:
        matching = sa.select(Organization.id).where(party)
        stmt = stmt.where(
            sa.or_(
                Contract.number.contains(lr.q.strip(), autoescape=True),
                Contract.unit_id.in_(matching),
                Contract.operator_id.in_(matching),
            )
        )
    stmt = stmt.options(
        selectinload(Contract.unit),
        selectinload(Contract.operator),
        selectinload(Contract.versions).selectinload(ContractVersion.terms),
    )
    return paginate(
        session, stmt.order_by(Contract.valid_from.desc(), Contract.id.desc()), lr.page, lr.per_page
    )


def contract_detail(session: Session, contract: Contract, now: datetime) -> dict[str, Any]:
    current = version_in_force(contract, now) or contract.versions[0]
    task_counts = dict(
        session.execute(
            sa.select(Task.status, sa.func.count())
            .where(Task.contract_id == contract.id)
            .group_by(Task.status)
        ).all()
    )
    overdue = (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Task)
            .where(
                Task.contract_id == contract.id,
                Task.status.in_([TaskStatus.OPEN.value, TaskStatus.IN_PROGRESS.value]),
                Task.due_at < now,
            )
        )
        or 0
    )
    statements = list(
        session.scalars(
            sa.select(Statement)
            .where(Statement.contract_id == contract.id)
            .order_by(Statement.year.desc(), Statement.month.desc())
        )
    )
    return {"current": current, "task_counts": task_counts, "overdue": overdue, "statements": statements}


def party_choices(session: Session, actor: User) -> list[tuple[Any, str]]:
    stmt = sa.select(Organization).where(
        Organization.kind.in_([OrgKind.ONE_STOP_UNIT.value, OrgKind.AGENCY.value]),
        Organization.active.is_(True),
    )
    if not actor.has_role(Role.SYSTEM_ADMIN):
        stmt = stmt.where(Organization.id.in_(managed_ids(session, actor)))
    return [(o.id, f"{o.name} ({o.code})") for o in session.scalars(stmt.order_by(Organization.name))]


def procedure_choices(session: Session) -> list[tuple[int, str]]:
    rows = session.execute(
        sa.select(Procedure.id, Procedure.code, Procedure.name)
        .where(Procedure.active.is_(True))
        .order_by(Procedure.code)
    )
    return [(r.id, f"{r.code} · {r.name}") for r in rows]


def tasks_page(
    session: Session, actor: User, filters: dict[str, str], now: datetime, lr: ListRequest
) -> Page[Task]:
    stmt = scope_tasks(session, actor, sa.select(Task))
    if filters.get("status"):
        stmt = stmt.where(Task.status == filters["status"])
    if filters.get("type"):
        stmt = stmt.where(Task.task_type == filters["type"])
    if (office := record_number(filters.get("office"))) is not None:
        stmt = stmt.where(Task.post_office_id == office)
    if (contract := record_number(filters.get("contract"))) is not None:
        stmt = stmt.where(Task.contract_id == contract)
    running = Task.status.in_([TaskStatus.OPEN.value, TaskStatus.IN_PROGRESS.value])
    if filters.get("flag") == "overdue":
        stmt = stmt.where(running, Task.due_at < now)
    elif filters.get("flag") == "near_due":
        stmt = stmt.where(running, Task.warn_at <= now, Task.due_at >= now)
    if lr.q:
        stmt = stmt.where(Task.dossier_code.contains(lr.q.strip().upper(), autoescape=True))
    stmt = stmt.options(
        selectinload(Task.contract),
        selectinload(Task.post_office),
        selectinload(Task.unit),
        selectinload(Task.procedure),
    )
    return paginate(session, stmt.order_by(running.desc(), Task.due_at), lr.page, lr.per_page)


def office_filter_choices(session: Session, actor: User) -> list[tuple[str, str]]:
    with_tasks = scope_tasks(
        session, actor, sa.select(Task.post_office_id).where(Task.post_office_id.is_not(None))
    )
    offices = session.scalars(
        sa.select(PostOffice).where(PostOffice.id.in_(with_tasks)).order_by(PostOffice.name)
    )
    return [(str(o.id), o.name) for o in offices]


def operator_choices(session: Session) -> list[tuple[int, str]]:
    operators = session.scalars(
        sa.select(Organization)
        .where(Organization.kind == OrgKind.POSTAL_OPERATOR, Organization.active.is_(True))
        .order_by(Organization.name)
    )
    return [(o.id, o.name) for o in operators]


def author_names(session: Session, statement: Statement) -> dict[int, str]:
    ids = {c.author_id for c in statement.comments if c.author_id}
    if not ids:
        return {}
    return {u.id: u.full_name for u in session.scalars(sa.select(User).where(User.id.in_(ids)))}
