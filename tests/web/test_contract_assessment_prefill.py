"""The capacity assessment form starts from the training records of the contract's service area."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users.models import Role
from tests import factories
from tests.conftest import AuthActions
from tests.factories_training import expiring_in, procedure_group

TODAY = date(2026, 11, 20)


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    """The operator has 2 offices in Hồ Chí Minh (3 staff, 2 certified) and 1 in Hà Nội (2 staff, 1)."""
    group = procedure_group(session, "AS")
    op = factories.operator(session)
    first, second, hanoi = (factories.post_office(session, op, province_code=p) for p in ("79", "79", "01"))
    staff = [(first, True), (first, False), (second, True), (hanoi, True), (hanoi, False)]
    for office, valid in staff:
        clerk = factories.user(session, Role.POSTAL_CLERK, organization=op, post_office_id=office.id)
        expiring_in(session, clerk, [group], TODAY, 100 if valid else -3)
    agency = factories.agency(session)
    unit = factories.unit(session, agency)
    regional = factories.contract(session, unit, op, activate=False, nationwide=False, province_codes=["79"])
    nationwide = factories.contract(session, factories.unit(session, agency), op, activate=False)
    supervisor = factories.user(session, Role.AGENCY_SUPERVISOR, organization=agency)
    session.commit()
    return {"regional": regional, "nationwide": nationwide, "supervisor": supervisor}


def _value(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert found, name
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def _figures(page: str) -> list[str]:
    return [_value(page, name) for name in ("operator_offices", "operator_staff", "trained_staff")]


def test_a_regional_contract_counts_the_operators_staff_in_its_provinces(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["supervisor"].username)
    page = client.get(f"/contracts/{world['regional'].id}/assessment").get_data(as_text=True)
    assert _figures(page) == ["2", "3", "2"]
    assert _value(page, "assessed_on") == "2026-11-20"
    assert 'id="staffing-source"' in page and "20/11/2026" in page


def test_a_nationwide_contract_counts_every_office_of_the_operator(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["supervisor"].username)
    page = client.get(f"/contracts/{world['nationwide'].id}/assessment").get_data(as_text=True)
    assert _figures(page) == ["3", "5", "3"]


def test_the_figures_may_be_corrected_before_they_are_recorded(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["supervisor"].username)
    contract = world["regional"]
    response = client.post(
        f"/contracts/{contract.id}/assessment",
        data={
            "assessed_on": "2026-11-20",
            "unit_facilities": "Quầy, máy quét",
            "unit_staff": "4",
            "operator_offices": "2",
            "operator_staff": "3",
            "trained_staff": "1",
            "conclusion": "Đủ năng lực",
            "signed_by": "Trần Văn C",
        },
    )
    assert response.status_code == 302
    session.refresh(contract)
    assert contract.assessments[-1].trained_staff == 1


def test_without_training_the_form_starts_empty(
    app: Flask, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    del app.extensions["staffing_in_area"]
    auth.sign_in(world["supervisor"].username)
    page = client.get(f"/contracts/{world['regional'].id}/assessment").get_data(as_text=True)
    assert _value(page, "trained_staff") == "" and 'id="staffing-source"' not in page
