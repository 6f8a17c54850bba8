"""Contract lifecycle: every allowed transition, every refused one, and the rules around them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from postal_hub.contracts import services
from postal_hub.contracts.inputs import ContractInput, ScopeInput, TermInput
from postal_hub.contracts.status import CONTRACT_MACHINE, ContractStatus
from postal_hub.core.errors import Conflict, InvalidTransition, ValidationFailed
from tests import factories
from tests.fakes import FixedClock

ALLOWED = [(a, b) for a in ContractStatus for b in ContractStatus if CONTRACT_MACHINE.can(a, b)]
REFUSED = [
    (a, b) for a in ContractStatus for b in ContractStatus if a != b and not CONTRACT_MACHINE.can(a, b)
]


def _move(session: Session, contract: Any, target: ContractStatus, clock: FixedClock) -> None:
    if target == ContractStatus.ACTIVE:
        if not contract.assessments:
            factories.assess(session, contract, clock.now())
        services.activate(session, None, contract, clock.now())
    elif target == ContractStatus.SUSPENDED:
        services.suspend(session, None, contract, clock.now(), "Tạm dừng để rà soát")
    elif target == ContractStatus.TERMINATED:
        services.terminate(session, None, contract, clock.now(), "Chấm dứt theo thỏa thuận")
    elif target == ContractStatus.EXPIRED:
        clock.advance(days=800)
        assert contract in services.expire_ended(session, clock.now())
    else:
        services.change_status(session, None, contract, target, clock.now())


def _contract_in(session: Session, status: ContractStatus, clock: FixedClock) -> Any:
    contract = factories.contract(session, activate=False)
    path = {
        ContractStatus.DRAFT: [],
        ContractStatus.ACTIVE: [ContractStatus.ACTIVE],
        ContractStatus.SUSPENDED: [ContractStatus.ACTIVE, ContractStatus.SUSPENDED],
        ContractStatus.EXPIRED: [ContractStatus.ACTIVE, ContractStatus.EXPIRED],
        ContractStatus.TERMINATED: [ContractStatus.TERMINATED],
    }[status]
    for step in path:
        _move(session, contract, step, clock)
    return contract


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed_transition_changes_status_and_records_who_and_when(
    session: Session, clock: FixedClock, current: ContractStatus, target: ContractStatus
) -> None:
    contract = _contract_in(session, current, clock)
    _move(session, contract, target, clock)
    assert contract.status == target
    last = contract.status_changes[-1]
    assert (last.from_status, last.to_status, last.at) == (current, target, clock.now())


@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_refused_transition_leaves_the_contract_as_it_was(
    session: Session, clock: FixedClock, current: ContractStatus, target: ContractStatus
) -> None:
    contract = _contract_in(session, current, clock)
    with pytest.raises((InvalidTransition, ValidationFailed, AssertionError)):
        _move(session, contract, target, clock)  # AssertionError: expiry did not pick it up
    assert contract.status == current


def test_activation_without_a_capacity_assessment_is_refused(session: Session, clock: FixedClock) -> None:
    contract = factories.contract(session, activate=False)
    with pytest.raises(ValidationFailed) as caught:
        services.activate(session, None, contract, clock.now())
    assert "assessment" in caught.value.fields
    assert contract.status == ContractStatus.DRAFT


def test_activating_a_contract_that_overlaps_an_active_one_is_refused(
    session: Session, clock: FixedClock
) -> None:
    first = factories.contract(session, nationwide=False, province_codes=["01", "79"])
    second = factories.contract(
        session, first.unit, first.operator, activate=False, nationwide=False, province_codes=["79", "48"]
    )
    factories.assess(session, second, clock.now())
    with pytest.raises(Conflict, match=first.number):
        services.activate(session, None, second, clock.now())
    assert second.status == ContractStatus.DRAFT


def test_contracts_for_different_provinces_may_both_be_active(session: Session, clock: FixedClock) -> None:
    first = factories.contract(session, nationwide=False, province_codes=["01"])
    second = factories.contract(session, first.unit, first.operator, nationwide=False, province_codes=["79"])
    assert second.status == ContractStatus.ACTIVE


def test_an_end_date_before_the_start_is_refused_and_nothing_is_saved(session: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        factories.contract(session, activate=False, valid_from=date(2026, 6, 1), valid_to=date(2026, 5, 1))
    assert "valid_to" in caught.value.fields


@pytest.mark.parametrize("field", ["page_price", "penalty_per_breach"])
def test_a_negative_price_is_refused(session: Session, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        factories.contract(session, activate=False, **{field: -1})
    assert field in caught.value.fields


def test_a_negative_unit_price_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        factories.contract(session, activate=False, terms=[TermInput("home_pickup", 8, -500)])
    assert "terms-home_pickup-unit_price" in caught.value.fields


def test_a_contract_needs_at_least_one_task_type_with_a_positive_sla(session: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        factories.contract(session, activate=False, terms=[])
    assert "terms" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        factories.contract(session, activate=False, terms=[TermInput("home_pickup", 0, 1000)])
    assert "terms-home_pickup-sla_hours" in caught.value.fields


def test_editing_an_active_contract_in_place_is_refused(session: Session, clock: FixedClock) -> None:
    contract = factories.contract(session)
    data = ContractInput(
        number=contract.number,
        unit_id=contract.unit_id,
        operator_id=contract.operator_id,
        procurement_method="open_bidding",
        award_decision="QĐ khác",
        signed_on=contract.signed_on,
        valid_from=contract.valid_from,
        valid_to=contract.valid_to,
        scope=ScopeInput(terms=[TermInput("home_pickup", 8, 1)], nationwide=True),
    )
    with pytest.raises(Conflict):
        services.save_draft(session, None, data, clock.now(), contract)
    assert contract.procurement_method == "direct_appointment"


def test_a_backdated_amendment_before_the_contract_start_is_refused(
    session: Session, clock: FixedClock
) -> None:
    contract = factories.contract(session)
    with pytest.raises(ValidationFailed) as caught:
        services.amend(
            session,
            None,
            contract,
            "PL-01",
            contract.valid_from - timedelta(days=1),
            ScopeInput(terms=[TermInput("home_pickup", 8, 1)], nationwide=True),
            "",
            clock.now(),
        )
    assert "effective_on" in caught.value.fields
    assert len(contract.versions) == 1


def test_a_draft_cannot_be_amended(session: Session, clock: FixedClock) -> None:
    contract = factories.contract(session, activate=False)
    with pytest.raises(Conflict):
        services.amend(
            session,
            None,
            contract,
            "PL-01",
            date(2026, 12, 1),
            ScopeInput(terms=[TermInput("home_pickup", 8, 1)], nationwide=True),
            "",
            clock.now(),
        )


def test_suspending_needs_a_reason(session: Session, clock: FixedClock) -> None:
    contract = factories.contract(session)
    with pytest.raises(ValidationFailed):
        services.suspend(session, None, contract, clock.now(), "  ")
    assert contract.status == ContractStatus.ACTIVE


def test_contracts_expire_by_themselves_after_their_end_date(session: Session, clock: FixedClock) -> None:
    contract = factories.contract(session, valid_to=date(2026, 11, 30))
    assert services.expire_ended(session, clock.now()) == []
    clock.advance(days=11)  # 1 December
    assert services.expire_ended(session, clock.now()) == [contract]
    assert contract.status == ContractStatus.EXPIRED
