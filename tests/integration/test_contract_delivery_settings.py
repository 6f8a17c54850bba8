"""A contract sets how many door attempts a result gets and how long it waits at a post office."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.contracts import services
from postal_hub.contracts.inputs import ScopeInput, TermInput
from postal_hub.contracts.models import Contract
from postal_hub.contracts.status import TaskType
from postal_hub.core.errors import ValidationFailed
from postal_hub.core.users.models import Role
from tests import factories
from tests.conftest import AuthActions
from tests.fakes import FixedClock


def _scope(**settings: Any) -> ScopeInput:
    return ScopeInput(terms=[TermInput(t.value, 8, 10_000) for t in TaskType], nationwide=True, **settings)


def test_a_contract_without_delivery_settings_gets_three_attempts_and_fifteen_days(session: Session) -> None:
    version = factories.contract(session).versions[-1]
    assert (version.delivery_attempts, version.collection_hold_days) == (3, 15)


def test_a_contracts_delivery_settings_are_saved_on_its_version(session: Session) -> None:
    made = factories.contract(session, scope=_scope(delivery_attempts=5, collection_hold_days=30))
    assert (made.versions[-1].delivery_attempts, made.versions[-1].collection_hold_days) == (5, 30)


def test_delivery_settings_typed_as_text_digits_are_accepted(session: Session) -> None:
    made = factories.contract(session, scope=_scope(delivery_attempts=" 2 ", collection_hold_days="7"))
    assert (made.versions[-1].delivery_attempts, made.versions[-1].collection_hold_days) == (2, 7)


@pytest.mark.parametrize("value", [0, 11, -1, None, "", "three", 2.5, True])
def test_delivery_attempts_outside_one_to_ten_are_refused_naming_the_field(
    session: Session, value: object
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        factories.contract(session, scope=_scope(delivery_attempts=value))
    assert set(refused.value.fields) == {"delivery_attempts"}


@pytest.mark.parametrize("value", [0, 91, 365, None, "15 days"])
def test_a_collection_hold_outside_one_to_ninety_days_is_refused_naming_the_field(
    session: Session, value: object
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        factories.contract(session, scope=_scope(collection_hold_days=value))
    assert set(refused.value.fields) == {"collection_hold_days"}


@pytest.mark.parametrize(("attempts", "days"), [(1, 1), (10, 90)])
def test_the_ends_of_both_ranges_are_allowed(session: Session, attempts: int, days: int) -> None:
    made = factories.contract(session, scope=_scope(delivery_attempts=attempts, collection_hold_days=days))
    assert (made.versions[-1].delivery_attempts, made.versions[-1].collection_hold_days) == (attempts, days)


def test_an_amendment_changes_the_delivery_settings_from_its_date_only(
    session: Session, clock: FixedClock
) -> None:
    made = factories.contract(session)
    version = services.amend(
        session,
        None,
        made,
        "PL-01/2026",
        date(2026, 12, 1),
        _scope(delivery_attempts=2, collection_hold_days=20),
        "Ít lần phát hơn",
        clock.now(),
    )
    assert (version.delivery_attempts, version.collection_hold_days) == (2, 20)
    assert (made.versions[0].delivery_attempts, made.versions[0].collection_hold_days) == (3, 15)


# --- on screen ---------------------------------------------------------------------------------------


def _world(session: Session) -> dict[str, Any]:
    agency = factories.agency(session)
    unit = factories.unit(session, agency)
    operator = factories.operator(session)
    supervisor = factories.user(session, Role.AGENCY_SUPERVISOR, organization=agency)
    session.commit()
    return {"unit": unit, "operator": operator, "supervisor": supervisor}


def _form(world: dict[str, Any], **overrides: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": "77/2026/HĐ-PHÁT",
        "unit_id": str(world["unit"].id),
        "operator_id": str(world["operator"].id),
        "procurement_method": "open_bidding",
        "award_decision": "QĐ 77/QĐ-UBND",
        "signed_on": "2026-11-01",
        "valid_from": "2026-12-01",
        "valid_to": "2027-12-31",
        "result_delivery_on": "y",
        "result_delivery_sla": "24",
        "result_delivery_price": "25.000",
        "working_hours": "1",
        "all_procedures": "1",
        "nationwide": "1",
        "page_price": "0",
        "penalty_per_breach": "0",
        "delivery_attempts": "4",
        "collection_hold_days": "21",
    }
    data.update(overrides)
    return data


def _draft(session: Session) -> Any:
    return session.scalar(sa.select(Contract).where(Contract.number == "77/2026/HĐ-PHÁT"))


def test_the_contract_form_saves_the_delivery_settings(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    world = _world(session)
    auth.sign_in(world["supervisor"].username)
    assert client.post("/contracts/new", data=_form(world)).status_code == 302
    made = _draft(session)
    assert (made.versions[0].delivery_attempts, made.versions[0].collection_hold_days) == (4, 21)


def test_an_out_of_range_setting_on_the_form_is_marked_on_its_field_and_nothing_is_saved(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    world = _world(session)
    auth.sign_in(world["supervisor"].username)
    page = client.post("/contracts/new", data=_form(world, delivery_attempts="12", collection_hold_days="0"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="delivery_attempts-err"' in html and 'id="collection_hold_days-err"' in html
    assert _draft(session) is None


def test_a_blank_setting_on_the_form_is_marked_on_its_field(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    world = _world(session)
    auth.sign_in(world["supervisor"].username)
    html = client.post("/contracts/new", data=_form(world, delivery_attempts="")).get_data(as_text=True)
    assert 'id="delivery_attempts-err"' in html
    assert _draft(session) is None


def test_the_edit_form_shows_the_saved_settings(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    world = _world(session)
    auth.sign_in(world["supervisor"].username)
    client.post("/contracts/new", data=_form(world, delivery_attempts="6", collection_hold_days="45"))
    html = client.get(f"/contracts/{_draft(session).id}/edit").get_data(as_text=True)
    assert 'name="delivery_attempts" type="number" value="6"' in html
    assert 'name="collection_hold_days" type="number" value="45"' in html


def test_the_contract_page_shows_the_delivery_settings_in_force(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    world = _world(session)
    made = factories.contract(
        session, world["unit"], world["operator"], scope=_scope(delivery_attempts=7, collection_hold_days=33)
    )
    session.commit()
    auth.sign_in(world["supervisor"].username)
    html = client.get(f"/contracts/{made.id}").get_data(as_text=True)
    assert '<td class="num" id="delivery-attempts">7</td>' in html
    assert 'id="collection-hold-days">33' in html
