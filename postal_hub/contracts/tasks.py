"""Tasks: created under the covering contract, due by its SLA and working calendar, escalated once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.contracts.coverage import require_coverage
from postal_hub.contracts.status import TASK_MACHINE, TASK_TYPE_LABELS, TaskStatus, TaskType
from postal_hub.contracts.task_models import Task
from postal_hub.core import audit
from postal_hub.core.clock import to_local
from postal_hub.core.notifications import Notifier
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.users.models import Role, User
from postal_hub.core.validation import FieldErrors
from postal_hub.core.working_calendar import WorkingCalendar, due_at

DEFAULT_WARN_FRACTION = 0.8


def create_task(
    session: Session,
    task_type: TaskType,
    unit: Organization,
    office: PostOffice,
    now: datetime,
    procedure: Procedure | None = None,
    dossier_code: str | None = None,
    assigned_user: User | None = None,
    actor: User | None = None,
    warn_fraction: float = DEFAULT_WARN_FRACTION,
    calendar: WorkingCalendar | None = None,
    unit_price: int | None = None,
) -> Task:
    """Refused unless an active contract covers the work; priced and timed by the version in force now
    (a home pickup's price may come from the version's distance band instead: `unit_price`)."""
    coverage = require_coverage(session, task_type, procedure, unit, office, now)
    hours = coverage.term.sla_hours
    working = coverage.version.working_hours
    task = Task(
        contract_id=coverage.contract.id,
        version_id=coverage.version.id,
        task_type=task_type.value,
        status=TaskStatus.OPEN.value,
        dossier_code=dossier_code,
        procedure_id=procedure.id if procedure else None,
        unit_id=unit.id,
        operator_id=office.operator_id,
        post_office_id=office.id,
        assigned_user_id=assigned_user.id if assigned_user else None,
        created_at=now,
        due_at=due_at(now, hours, working, calendar),
        warn_at=due_at(now, hours * warn_fraction, working, calendar),
        unit_price=coverage.term.unit_price if unit_price is None else unit_price,
        page_price=coverage.version.page_price,
        penalty=coverage.version.penalty_per_breach,
    )
    session.add(task)
    session.flush()
    audit.record(
        session,
        actor.id if actor else None,
        "task.created",
        "task",
        task.id,
        {"type": task_type.value, "contract": coverage.contract.number},
        at=now,
    )
    return task


def _set_status(session: Session, task: Task, target: TaskStatus, now: datetime, actor: User | None) -> None:
    """The only place a task's status changes."""
    TASK_MACHINE.check(TaskStatus(task.status), target)
    task.status = target.value
    if target == TaskStatus.IN_PROGRESS:
        task.started_at = now
    elif target in (TaskStatus.DONE, TaskStatus.CANCELLED):
        task.completed_at = now
        task.started_at = task.started_at or now
        task.sla_met = now <= task.due_at if target == TaskStatus.DONE else None
    audit.record(session, actor.id if actor else None, f"task.{target.value}", "task", task.id, at=now)
    session.flush()


def start_task(session: Session, task: Task, now: datetime, actor: User | None = None) -> None:
    _set_status(session, task, TaskStatus.IN_PROGRESS, now, actor)


def complete_task(
    session: Session, task: Task, now: datetime, outcome: str = "", pages: int = 0, actor: User | None = None
) -> None:
    """Done now; the SLA is met when done by the due time. Digitization reports its page count."""
    errors = FieldErrors()
    if pages < 0 or pages > 100_000:
        errors.add("pages", _l("Enter the number of pages, 0 or more."))
    if pages and task.task_type != TaskType.DIGITIZATION:
        errors.add("pages", _l("Only digitization counts pages."))
    errors.raise_if_any()
    task.outcome = (outcome or "").strip()[:255]
    task.pages = pages
    _set_status(session, task, TaskStatus.DONE, now, actor)


def cancel_task(session: Session, task: Task, now: datetime, reason: str, actor: User | None = None) -> None:
    task.outcome = (reason or "").strip()[:255]
    _set_status(session, task, TaskStatus.CANCELLED, now, actor)


def _managers(session: Session, task: Task) -> list[User]:
    """The office's postal managers, or the operator's when the office has none."""
    base = sa.select(User).where(
        User.role == Role.POSTAL_MANAGER, User.active.is_(True), User.organization_id == task.operator_id
    )
    at_office = list(session.scalars(base.where(User.post_office_id == task.post_office_id)))
    return at_office or list(session.scalars(base))


def escalate(session: Session, now: datetime, notifier: Notifier) -> tuple[int, int]:
    """Tell the responsible managers about tasks near their due time and overdue ones, once each."""
    running = Task.status.in_([TaskStatus.OPEN.value, TaskStatus.IN_PROGRESS.value])
    # Rows are locked, and skipped by a second worker running at the same time, so nobody is told twice.
    near_query = sa.select(Task).where(
        running, Task.warn_at <= now, Task.due_at > now, Task.near_due_notified_at.is_(None)
    )
    late_query = sa.select(Task).where(running, Task.due_at <= now, Task.overdue_notified_at.is_(None))
    near = list(session.scalars(near_query.with_for_update(skip_locked=True)))
    late = list(session.scalars(late_query.with_for_update(skip_locked=True)))
    for task in near:
        _notify(session, notifier, task, now, overdue=False)
        task.near_due_notified_at = now
    for task in late:
        _notify(session, notifier, task, now, overdue=True)
        task.overdue_notified_at = now
    session.flush()
    return len(near), len(late)


def _notify(session: Session, notifier: Notifier, task: Task, now: datetime, overdue: bool) -> None:
    work = TASK_TYPE_LABELS[TaskType(task.task_type)]
    due = to_local(task.due_at).strftime("%d/%m/%Y %H:%M")
    if overdue:
        subject = _l("Overdue: %(work)s task #%(id)d was due %(due)s", work=work, id=task.id, due=due)
    else:
        subject = _l("Due soon: %(work)s task #%(id)d is due %(due)s", work=work, id=task.id, due=due)
    body = _l(
        "Dossier %(code)s, contract %(number)s.", code=task.dossier_code or "—", number=task.contract.number
    )
    for manager in _managers(session, task):
        notifier.notify(session, manager, str(subject), str(body), f"/tasks?highlight={task.id}", now)
