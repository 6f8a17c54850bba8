"""Rules that a review found missing: overlaps across amendments, who manages versus who reads,
sibling units' tasks, statements only after their month, and exported text never a formula."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts import exports, services, statements
from postal_hub.contracts.access import can_manage, scope_contracts, scope_tasks
from postal_hub.contracts.inputs import ScopeInput, TermInput
from postal_hub.contracts.models import Contract
from postal_hub.contracts.status import ContractStatus, TaskType
from postal_hub.contracts.task_models import Task
from postal_hub.contracts.tasks import create_task
from postal_hub.core.clock import LOCAL_TZ
from postal_hub.core.errors import Conflict, PermissionDenied, ValidationFailed
from postal_hub.core.users.models import Role
from tests import factories
from tests.fakes import FixedClock


def local(y: int, m: int, d: int, h: int = 9) -> datetime:
    return datetime(y, m, d, h, tzinfo=LOCAL_TZ)


def test_activation_is_refused_while_an_earlier_version_of_another_contract_still_overlaps(
    session: Session,
) -> None:
    first = factories.contract(session, nationwide=True, now=local(2026, 11, 2))
    services.amend(
        session,
        None,
        first,
        "PL-01",
        date(2026, 12, 1),
        ScopeInput(
            terms=[TermInput(t.value, 8, 10_000) for t in TaskType], nationwide=False, province_codes=["01"]
        ),
        "",
        local(2026, 11, 3),
    )
    second = factories.contract(
        session, first.unit, first.operator, activate=False, nationwide=False, province_codes=["79"]
    )
    factories.assess(session, second, local(2026, 11, 20))
    with pytest.raises(Conflict):
        services.activate(session, None, second, local(2026, 11, 20))  # the nationwide version runs to 30/11
    assert second.status == ContractStatus.DRAFT


def test_activation_is_allowed_once_the_periods_no_longer_meet(session: Session) -> None:
    first = factories.contract(session, nationwide=True, now=local(2026, 11, 2))
    services.amend(
        session,
        None,
        first,
        "PL-01",
        date(2026, 12, 1),
        ScopeInput(
            terms=[TermInput(t.value, 8, 10_000) for t in TaskType], nationwide=False, province_codes=["01"]
        ),
        "",
        local(2026, 11, 3),
    )
    second = factories.contract(
        session,
        first.unit,
        first.operator,
        nationwide=False,
        province_codes=["79"],
        valid_from=date(2026, 12, 1),
        now=local(2026, 11, 20),
    )
    assert second.status == ContractStatus.ACTIVE


def test_a_supervisor_at_a_unit_cannot_manage_the_agencys_contract(session: Session) -> None:
    agency = factories.agency(session)
    unit = factories.unit(session, agency)
    agency_contract = factories.contract(session, agency)
    unit_supervisor = factories.user(session, Role.AGENCY_SUPERVISOR, organization=unit)
    assert not can_manage(session, unit_supervisor, agency_contract)
    with pytest.raises(PermissionDenied):
        services.terminate(session, unit_supervisor, agency_contract, local(2026, 11, 20), "x")
    visible = session.scalars(scope_contracts(session, unit_supervisor, sa.select(Contract))).all()
    assert agency_contract in visible  # but it may still read the contract that covers it


def test_a_unit_does_not_see_its_sibling_units_tasks(session: Session, clock: FixedClock) -> None:
    agency = factories.agency(session)
    mine, sibling = factories.unit(session, agency), factories.unit(session, agency)
    shared = factories.contract(session, agency)
    office = factories.post_office(session, shared.operator)
    create_task(session, TaskType.CARRIAGE, sibling, office, clock.now(), dossier_code="SIBLING-0001")
    officer = factories.user(session, Role.UNIT_OFFICER, organization=mine)
    codes = session.scalars(scope_tasks(session, officer, sa.select(Task.dossier_code))).all()
    assert "SIBLING-0001" not in codes
    supervisor = factories.user(session, Role.AGENCY_SUPERVISOR, organization=agency)
    assert (
        "SIBLING-0001"
        in session.scalars(scope_tasks(session, supervisor, sa.select(Task.dossier_code))).all()
    )


def test_a_statement_cannot_be_submitted_before_its_month_ends(session: Session) -> None:
    made = factories.contract(session, now=local(2026, 11, 2))
    statement = statements.prepare(session, None, made, 2026, 11, local(2026, 11, 20))
    with pytest.raises(ValidationFailed):
        statements.submit(session, None, statement, local(2026, 11, 20))
    statements.prepare(session, None, made, 2026, 11, local(2026, 12, 1, 8))
    statements.submit(session, None, statement, local(2026, 12, 1, 8))
    assert statement.status == "submitted"


def test_text_that_looks_like_a_formula_is_exported_as_text(session: Session) -> None:
    made = factories.contract(session, number='=HYPERLINK("http://x")', now=local(2026, 10, 2))
    statement = statements.prepare(session, None, made, 2026, 10, local(2026, 11, 2))
    assert "'=HYPERLINK" in exports.to_csv(statement).decode("utf-8-sig")


def test_dates_outside_2000_to_2100_are_refused_by_name(session: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        factories.contract(session, activate=False, valid_from=date(1, 1, 1))
    assert "valid_from" in caught.value.fields
