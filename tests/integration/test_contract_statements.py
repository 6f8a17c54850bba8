"""Monthly statements, checked against a bill computed by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from postal_hub.contracts import exports, statements
from postal_hub.contracts.inputs import TermInput
from postal_hub.contracts.status import StatementStatus, TaskType
from postal_hub.contracts.tasks import complete_task, create_task
from postal_hub.core.clock import LOCAL_TZ
from postal_hub.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from postal_hub.core.users.models import Role
from tests import factories


def local(y: int, m: int, d: int, h: int) -> datetime:
    return datetime(y, m, d, h, tzinfo=LOCAL_TZ)


@pytest.fixture
def october(session: Session) -> Any:
    """October 2026 under a contract: pickups 30,000 (SLA 8h), digitization 2,000 + 500/page (SLA 16h),
    penalty 20,000 per breach."""
    made = factories.contract(
        session,
        terms=[TermInput("home_pickup", 8, 30_000), TermInput("digitization", 16, 2_000)],
        page_price=500,
        penalty_per_breach=20_000,
        now=local(2026, 10, 1, 8),
    )
    office = factories.post_office(session, made.operator)

    def task(kind: TaskType, created: datetime, done: datetime | None, pages: int = 0) -> None:
        t = create_task(session, kind, made.unit, office, created)
        if done:
            complete_task(session, t, done, pages=pages)

    task(TaskType.HOME_PICKUP, local(2026, 10, 5, 9), local(2026, 10, 5, 15))  # on time
    task(TaskType.HOME_PICKUP, local(2026, 10, 6, 9), local(2026, 10, 6, 10))  # on time
    task(TaskType.HOME_PICKUP, local(2026, 10, 7, 9), local(2026, 10, 9, 9))  # late: a breach
    task(TaskType.DIGITIZATION, local(2026, 10, 12, 9), local(2026, 10, 12, 11), pages=40)
    task(TaskType.DIGITIZATION, local(2026, 10, 13, 9), local(2026, 10, 13, 11), pages=25)
    task(TaskType.HOME_PICKUP, local(2026, 10, 29, 9), None)  # due 30/10 09:00, never done: a breach
    task(TaskType.HOME_PICKUP, local(2026, 9, 30, 16), local(2026, 9, 30, 17))  # September: not billed
    return made


def test_statement_totals_match_the_hand_computed_bill(session: Session, october: Any) -> None:
    statement = statements.prepare(session, None, october, 2026, 10, local(2026, 11, 3, 9))
    # Services: 3 pickups x 30,000 = 90,000; 2 digitizations x 2,000 = 4,000.
    # Pages: 65 x 500 = 32,500. Penalties: 2 breaches x 20,000 = 40,000.
    # Total: 90,000 + 4,000 + 32,500 - 40,000 = 86,500.
    assert [(line.kind, line.quantity, line.unit_price, line.amount) for line in statement.lines] == [
        ("task", 3, 30_000, 90_000),
        ("task", 2, 2_000, 4_000),
        ("pages", 65, 500, 32_500),
        ("penalty", 2, 20_000, 40_000),
    ]
    assert (statement.services_total, statement.pages_total, statement.penalties_total, statement.total) == (
        94_000,
        32_500,
        40_000,
        86_500,
    )


def test_a_submitted_statement_is_approved_by_the_agency(session: Session, october: Any) -> None:
    statement = statements.prepare(session, None, october, 2026, 10, local(2026, 11, 3, 9))
    statements.submit(session, None, statement, local(2026, 11, 3, 10))
    statements.approve(session, None, statement, local(2026, 11, 4, 10), "Đồng ý")
    assert statement.status == StatementStatus.APPROVED
    assert [c.action for c in statement.comments] == ["submitted", "approved"]


def test_a_dispute_needs_a_comment_and_sends_the_statement_back(session: Session, october: Any) -> None:
    statement = statements.prepare(session, None, october, 2026, 10, local(2026, 11, 3, 9))
    statements.submit(session, None, statement, local(2026, 11, 3, 10))
    with pytest.raises(ValidationFailed):
        statements.dispute(session, None, statement, local(2026, 11, 4, 10), "")
    statements.dispute(session, None, statement, local(2026, 11, 4, 10), "Phạt thiếu một trường hợp")
    statements.reopen(session, None, statement, local(2026, 11, 5, 10))
    assert statement.status == StatementStatus.DRAFT


def test_a_submitted_statement_cannot_be_recalculated_or_approved_twice(
    session: Session, october: Any
) -> None:
    statement = statements.prepare(session, None, october, 2026, 10, local(2026, 11, 3, 9))
    statements.submit(session, None, statement, local(2026, 11, 3, 10))
    with pytest.raises(Conflict):
        statements.prepare(session, None, october, 2026, 10, local(2026, 11, 3, 11))
    statements.approve(session, None, statement, local(2026, 11, 4, 10))
    with pytest.raises(InvalidTransition):
        statements.approve(session, None, statement, local(2026, 11, 4, 11))


def test_only_the_operators_manager_prepares_and_only_the_agency_approves(
    session: Session, october: Any
) -> None:
    manager = factories.user(session, Role.POSTAL_MANAGER, organization=october.operator)
    stranger = factories.user(session, Role.POSTAL_MANAGER)
    with pytest.raises(PermissionDenied):
        statements.prepare(session, stranger, october, 2026, 10, local(2026, 11, 3, 9))
    statement = statements.prepare(session, manager, october, 2026, 10, local(2026, 11, 3, 9))
    statements.submit(session, manager, statement, local(2026, 11, 3, 10))
    with pytest.raises(PermissionDenied):
        statements.approve(session, manager, statement, local(2026, 11, 4, 10))


def test_a_month_that_has_not_begun_has_no_statement(session: Session, october: Any) -> None:
    with pytest.raises(ValidationFailed):
        statements.prepare(session, None, october, 2026, 12, local(2026, 11, 3, 9))


def test_the_exports_carry_the_same_amounts(session: Session, october: Any) -> None:
    import io

    statement = statements.prepare(session, None, october, 2026, 10, local(2026, 11, 3, 9))
    text = exports.to_csv(statement).decode("utf-8-sig")
    assert "86500" in text and "-40000" in text
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(statement))).active
    assert sheet is not None
    assert [row[3] for row in sheet.iter_rows(min_row=3, values_only=True)] == [
        90_000,
        4_000,
        32_500,
        -40_000,
        86_500,
    ]
