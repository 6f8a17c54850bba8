"""The coverage question: which active contract covers task T for procedure P of unit U at office O, now?"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from postal_hub.contracts.coverage import find_coverage, require_coverage
from postal_hub.contracts.inputs import TermInput
from postal_hub.contracts.status import TaskType
from postal_hub.core.errors import ValidationFailed
from tests import factories
from tests.fakes import FixedClock


def test_a_nationwide_contract_covers_an_office_in_any_province(session: Session, clock: FixedClock) -> None:
    made = factories.contract(session, nationwide=True)
    office = factories.post_office(session, made.operator, province_code="96")  # Cà Mau
    coverage = find_coverage(session, TaskType.HOME_PICKUP, None, made.unit, office, clock.now())
    assert coverage is not None and coverage.contract == made


def test_a_contract_for_listed_provinces_covers_an_office_inside_them(
    session: Session, clock: FixedClock
) -> None:
    made = factories.contract(session, nationwide=False, province_codes=["01", "79"])
    office = factories.post_office(session, made.operator, province_code="79")
    assert find_coverage(session, TaskType.HOME_PICKUP, None, made.unit, office, clock.now()) is not None


def test_an_office_outside_the_listed_provinces_is_not_covered(session: Session, clock: FixedClock) -> None:
    made = factories.contract(session, nationwide=False, province_codes=["01", "79"])
    office = factories.post_office(session, made.operator, province_code="48")
    with pytest.raises(ValidationFailed) as caught:
        require_coverage(session, TaskType.HOME_PICKUP, None, made.unit, office, clock.now())
    assert "Đà Nẵng" in caught.value.message


def test_a_task_type_outside_the_scope_is_not_covered(session: Session, clock: FixedClock) -> None:
    made = factories.contract(session, terms=[TermInput("counter_acceptance", 4, 15_000)])
    office = factories.post_office(session, made.operator)
    assert find_coverage(session, TaskType.RESULT_DELIVERY, None, made.unit, office, clock.now()) is None


def test_a_procedure_outside_the_contracts_list_is_not_covered(session: Session, clock: FixedClock) -> None:
    listed, other = factories.procedure(session), factories.procedure(session)
    made = factories.contract(session, all_procedures=False, procedure_ids=[listed.id])
    office = factories.post_office(session, made.operator)
    assert find_coverage(session, TaskType.DIGITIZATION, listed, made.unit, office, clock.now()) is not None
    assert find_coverage(session, TaskType.DIGITIZATION, other, made.unit, office, clock.now()) is None


def test_another_operators_office_is_not_covered(session: Session, clock: FixedClock) -> None:
    made = factories.contract(session)
    office = factories.post_office(session)  # a different operator
    with pytest.raises(ValidationFailed) as caught:
        require_coverage(session, TaskType.HOME_PICKUP, None, made.unit, office, clock.now())
    assert made.unit.name in caught.value.message and office.operator.name in caught.value.message


def test_a_contract_with_the_agency_covers_its_one_stop_units(session: Session, clock: FixedClock) -> None:
    agency = factories.agency(session)
    child = factories.unit(session, agency)
    made = factories.contract(session, unit_org=agency)
    office = factories.post_office(session, made.operator)
    assert find_coverage(session, TaskType.CARRIAGE, None, child, office, clock.now()) is not None


def test_a_draft_contract_covers_nothing(session: Session, clock: FixedClock) -> None:
    made = factories.contract(session, activate=False)
    office = factories.post_office(session, made.operator)
    assert find_coverage(session, TaskType.HOME_PICKUP, None, made.unit, office, clock.now()) is None


def test_nothing_is_covered_after_the_validity_period(session: Session, clock: FixedClock) -> None:
    made = factories.contract(session, valid_to=date(2026, 12, 31))
    office = factories.post_office(session, made.operator)
    later = clock.now() + timedelta(days=60)
    assert find_coverage(session, TaskType.HOME_PICKUP, None, made.unit, office, later) is None
