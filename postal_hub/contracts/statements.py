"""Monthly statements: tasks done x unit price + digitized pages x page price - SLA breaches x penalty."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.contracts.access import can_bill, can_decide
from postal_hub.contracts.models import Contract
from postal_hub.contracts.services import start_of_day
from postal_hub.contracts.statement_models import Statement, StatementComment, StatementLine
from postal_hub.contracts.status import (
    STATEMENT_MACHINE,
    STATEMENT_STATUS_LABELS,
    StatementStatus,
    TaskStatus,
    TaskType,
)
from postal_hub.contracts.task_models import Task
from postal_hub.core import audit
from postal_hub.core.errors import Conflict, PermissionDenied, ValidationFailed
from postal_hub.core.users.models import User

TASK_ORDER = {t.value: i for i, t in enumerate(TaskType)}


def period(year: int, month: int) -> tuple[datetime, datetime]:
    """The month in Vietnam time, as [start, end) instants."""
    start = start_of_day(date(year, month, 1))
    end = start_of_day(date(year + (month == 12), month % 12 + 1, 1))
    return start, end


def compute_lines(
    session: Session, contract: Contract, year: int, month: int, now: datetime
) -> list[StatementLine]:
    start, end = period(year, month)
    done = list(
        session.scalars(
            sa.select(Task).where(
                Task.contract_id == contract.id,
                Task.status == TaskStatus.DONE,
                Task.completed_at >= start,
                Task.completed_at < end,
            )
        )
    )
    services: dict[tuple[str, int], int] = defaultdict(int)
    pages: dict[int, int] = defaultdict(int)
    for task in done:
        services[(task.task_type, task.unit_price)] += 1
        if task.pages:
            pages[task.page_price] += task.pages
    # A breach belongs to the month the task fell due, once that moment has passed unmet.
    cutoff = min(end, now)
    breached = session.scalars(
        sa.select(Task).where(
            Task.contract_id == contract.id,
            Task.status != TaskStatus.CANCELLED,
            Task.due_at >= start,
            Task.due_at < cutoff,
            sa.or_(Task.completed_at.is_(None), Task.completed_at > Task.due_at),
        )
    )
    penalties: dict[int, int] = defaultdict(int)
    for task in breached:
        penalties[task.penalty] += 1
    lines: list[StatementLine] = []
    for (task_type, price), count in sorted(
        services.items(), key=lambda kv: (TASK_ORDER[kv[0][0]], kv[0][1])
    ):
        lines.append(
            StatementLine(
                kind="task", task_type=task_type, quantity=count, unit_price=price, amount=count * price
            )
        )
    for price, count in sorted(pages.items()):
        lines.append(StatementLine(kind="pages", quantity=count, unit_price=price, amount=count * price))
    for price, count in sorted(penalties.items()):
        lines.append(StatementLine(kind="penalty", quantity=count, unit_price=price, amount=count * price))
    for position, line in enumerate(lines, start=1):
        line.position = position
    return lines


def _fill(statement: Statement, lines: list[StatementLine], now: datetime) -> None:
    statement.lines = lines
    statement.services_total = sum(line.amount for line in lines if line.kind == "task")
    statement.pages_total = sum(line.amount for line in lines if line.kind == "pages")
    statement.penalties_total = sum(line.amount for line in lines if line.kind == "penalty")
    statement.total = statement.services_total + statement.pages_total - statement.penalties_total
    statement.generated_at = now


def prepare(
    session: Session, actor: User | None, contract: Contract, year: int, month: int, now: datetime
) -> Statement:
    """Create or refresh the month's draft from the tasks; a submitted or approved one is not touched."""
    if not can_bill(actor, contract):
        raise PermissionDenied(str(_l("Only the operator's postal manager prepares statements.")))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValidationFailed(str(_l("Choose a month.")), {"month": str(_l("Choose a month."))})
    if start_of_day(date(year, month, 1)) > now:
        raise ValidationFailed(
            str(_l("A statement covers a month that has begun.")),
            {"month": str(_l("This month has not begun."))},
        )
    statement = session.scalar(
        sa.select(Statement).where(
            Statement.contract_id == contract.id, Statement.year == year, Statement.month == month
        )
    )
    if statement is None:
        statement = Statement(
            contract_id=contract.id, year=year, month=month, status=StatementStatus.DRAFT.value
        )
        session.add(statement)
    elif statement.status != StatementStatus.DRAFT:
        raise Conflict(
            str(
                _l(
                    "This statement is %(status)s; it can no longer be recalculated.",
                    status=STATEMENT_STATUS_LABELS[StatementStatus(statement.status)],
                )
            )
        )
    _fill(statement, compute_lines(session, contract, year, month, now), now)
    session.flush()
    return statement


def _set_status(
    session: Session,
    statement: Statement,
    target: StatementStatus,
    actor: User | None,
    now: datetime,
    comment: str = "",
) -> None:
    """The only place a statement's status changes; the move and its comment are one record."""
    STATEMENT_MACHINE.check(StatementStatus(statement.status), target)
    statement.status = target.value
    if target == StatementStatus.SUBMITTED:
        statement.submitted_at, statement.submitted_by_id = now, actor.id if actor else None
    elif target in (StatementStatus.APPROVED, StatementStatus.DISPUTED):
        statement.decided_at, statement.decided_by_id = now, actor.id if actor else None
    statement.comments.append(
        StatementComment(
            author_id=actor.id if actor else None,
            at=now,
            action=target.value,
            body=(comment or "").strip()[:5000],
        )
    )
    audit.record(
        session,
        actor.id if actor else None,
        f"statement.{target.value}",
        "statement",
        statement.id,
        {"total": statement.total},
        at=now,
    )
    session.flush()


def submit(
    session: Session, actor: User | None, statement: Statement, now: datetime, comment: str = ""
) -> None:
    if not can_bill(actor, statement.contract):
        raise PermissionDenied(str(_l("Only the operator's postal manager submits statements.")))
    if period(statement.year, statement.month)[1] > now:
        # A month billed before it ends would leave the rest of its work unbilled for good.
        raise ValidationFailed(
            str(_l("A statement is submitted once its month has ended.")),
            {"month": str(_l("This month has not ended yet."))},
        )
    _set_status(session, statement, StatementStatus.SUBMITTED, actor, now, comment)


def approve(
    session: Session, actor: User | None, statement: Statement, now: datetime, comment: str = ""
) -> None:
    if not can_decide(session, actor, statement.contract):
        raise PermissionDenied(str(_l("Only the agency supervisor approves statements.")))
    _set_status(session, statement, StatementStatus.APPROVED, actor, now, comment)


def dispute(session: Session, actor: User | None, statement: Statement, now: datetime, comment: str) -> None:
    if not can_decide(session, actor, statement.contract):
        raise PermissionDenied(str(_l("Only the agency supervisor disputes statements.")))
    if not (comment or "").strip():
        raise ValidationFailed(
            str(_l("Say what is disputed.")), {"comment": str(_l("This field is required."))}
        )
    _set_status(session, statement, StatementStatus.DISPUTED, actor, now, comment)


def reopen(
    session: Session, actor: User | None, statement: Statement, now: datetime, comment: str = ""
) -> None:
    """After a dispute the operator reopens the draft, recalculates or explains, and submits again."""
    if not can_bill(actor, statement.contract):
        raise PermissionDenied(str(_l("Only the operator's postal manager reopens statements.")))
    _set_status(session, statement, StatementStatus.DRAFT, actor, now, comment)


def add_comment(session: Session, actor: User, statement: Statement, now: datetime, body: str) -> None:
    if not (can_bill(actor, statement.contract) or can_decide(session, actor, statement.contract)):
        raise PermissionDenied(str(_l("You may not comment on this statement.")))
    text = (body or "").strip()
    if not text:
        raise ValidationFailed(str(_l("Write a comment.")), {"comment": str(_l("This field is required."))})
    statement.comments.append(
        StatementComment(author_id=actor.id, at=now, action="comment", body=text[:5000])
    )
    session.flush()
