"""Tasks: refused without coverage, timed by the SLA, priced by the version in force, escalated once."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts import services
from postal_hub.contracts.inputs import ScopeInput, TermInput
from postal_hub.contracts.status import TaskStatus, TaskType
from postal_hub.contracts.tasks import cancel_task, complete_task, create_task, escalate, start_task
from postal_hub.core.clock import LOCAL_TZ
from postal_hub.core.errors import InvalidTransition, ValidationFailed
from postal_hub.core.notifications import InboxNotifier, Notification
from postal_hub.core.users.models import Role
from tests import factories
from tests.fakes import FixedClock


def local(y: int, m: int, d: int, h: int) -> datetime:
    return datetime(y, m, d, h, tzinfo=LOCAL_TZ)


def test_a_task_is_due_by_the_sla_in_working_hours(session: Session) -> None:
    made = factories.contract(session, terms=[TermInput("home_pickup", 8, 30_000)])
    office = factories.post_office(session, made.operator)
    task = create_task(session, TaskType.HOME_PICKUP, made.unit, office, local(2026, 11, 20, 16))
    assert task.due_at == local(2026, 11, 23, 16)
    assert task.unit_price == 30_000


def test_a_task_under_a_calendar_hours_contract_runs_through_the_weekend(session: Session) -> None:
    made = factories.contract(session, terms=[TermInput("carriage", 24, 5_000)], working_hours=False)
    office = factories.post_office(session, made.operator)
    task = create_task(session, TaskType.CARRIAGE, made.unit, office, local(2026, 11, 20, 16))
    assert task.due_at == local(2026, 11, 21, 16)


def test_uncovered_work_is_refused_and_no_task_is_created(session: Session, clock: FixedClock) -> None:
    made = factories.contract(session, terms=[TermInput("counter_acceptance", 4, 15_000)])
    office = factories.post_office(session, made.operator)
    with pytest.raises(ValidationFailed):
        create_task(session, TaskType.HOME_PICKUP, made.unit, office, clock.now())
    assert session.scalar(sa.select(sa.func.count()).select_from(sa.text("tasks"))) == 0


def test_tasks_are_priced_by_the_version_in_force_when_created(session: Session) -> None:
    made = factories.contract(session, terms=[TermInput("home_pickup", 8, 30_000)], now=local(2026, 11, 2, 9))
    office = factories.post_office(session, made.operator)
    before = create_task(session, TaskType.HOME_PICKUP, made.unit, office, local(2026, 11, 20, 9))
    services.amend(
        session,
        None,
        made,
        "PL-01/2026",
        date(2026, 12, 1),
        ScopeInput(terms=[TermInput("home_pickup", 4, 35_000)], nationwide=True),
        "Tăng giá",
        local(2026, 11, 25, 9),
    )
    still_old = create_task(session, TaskType.HOME_PICKUP, made.unit, office, local(2026, 11, 30, 9))
    after = create_task(session, TaskType.HOME_PICKUP, made.unit, office, local(2026, 12, 2, 9))
    assert (before.unit_price, still_old.unit_price, after.unit_price) == (30_000, 30_000, 35_000)
    assert after.due_at == local(2026, 12, 2, 14)  # the amended 4-hour SLA
    assert before.unit_price == 30_000  # earlier tasks keep their price


def test_completing_on_time_meets_the_sla_and_late_does_not(session: Session) -> None:
    made = factories.contract(session)
    office = factories.post_office(session, made.operator)
    on_time = create_task(session, TaskType.GUIDANCE, made.unit, office, local(2026, 11, 19, 9))
    late = create_task(session, TaskType.GUIDANCE, made.unit, office, local(2026, 11, 19, 9))
    complete_task(session, on_time, local(2026, 11, 19, 17))
    complete_task(session, late, local(2026, 11, 20, 10))
    assert (on_time.sla_met, late.sla_met) == (True, False)


def test_only_digitization_reports_pages(session: Session, clock: FixedClock) -> None:
    made = factories.contract(session)
    office = factories.post_office(session, made.operator)
    task = create_task(session, TaskType.GUIDANCE, made.unit, office, clock.now())
    with pytest.raises(ValidationFailed):
        complete_task(session, task, clock.now(), pages=12)
    assert task.status == TaskStatus.OPEN


def test_a_finished_task_cannot_be_started_again(session: Session, clock: FixedClock) -> None:
    made = factories.contract(session)
    office = factories.post_office(session, made.operator)
    task = create_task(session, TaskType.GUIDANCE, made.unit, office, clock.now())
    start_task(session, task, clock.now())
    cancel_task(session, task, clock.now(), "Công dân rút hồ sơ")
    with pytest.raises(InvalidTransition):
        start_task(session, task, clock.now())


def test_escalation_notifies_the_manager_once_near_due_and_once_overdue(session: Session) -> None:
    made = factories.contract(session, terms=[TermInput("home_pickup", 10, 30_000)])
    office = factories.post_office(session, made.operator)
    manager = factories.user(
        session, Role.POSTAL_MANAGER, organization=made.operator, post_office_id=office.id
    )
    task = create_task(session, TaskType.HOME_PICKUP, made.unit, office, local(2026, 11, 19, 8))
    notifier = InboxNotifier()
    # 80 % of 10 working hours: Thursday 08:00 + 8 h = Friday 08:00; due Friday 10:00.
    assert escalate(session, local(2026, 11, 19, 16), notifier) == (0, 0)
    assert escalate(session, local(2026, 11, 20, 8), notifier) == (1, 0)
    assert escalate(session, local(2026, 11, 20, 9), notifier) == (0, 0)
    assert escalate(session, local(2026, 11, 20, 11), notifier) == (0, 1)
    assert escalate(session, local(2026, 11, 21, 11), notifier) == (0, 0)
    inbox = session.scalars(sa.select(Notification).where(Notification.user_id == manager.id)).all()
    assert len(inbox) == 2
    assert str(task.id) in inbox[1].subject


def test_a_finished_task_is_not_escalated(session: Session) -> None:
    made = factories.contract(session)
    office = factories.post_office(session, made.operator)
    factories.user(session, Role.POSTAL_MANAGER, organization=made.operator)
    task = create_task(session, TaskType.GUIDANCE, made.unit, office, local(2026, 11, 19, 8))
    complete_task(session, task, local(2026, 11, 19, 9))
    assert escalate(session, local(2026, 11, 25, 9), InboxNotifier()) == (0, 0)
