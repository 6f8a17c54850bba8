"""Business rules for organizations and post offices."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from postal_hub.core.errors import PermissionDenied, ValidationFailed
from postal_hub.core.orgs.services import (
    OrganizationInput,
    PostOfficeInput,
    save_organization,
    save_post_office,
)
from postal_hub.core.users.models import Role
from tests import factories


def test_a_one_stop_unit_must_belong_to_an_agency(session: Session) -> None:
    operator = factories.operator(session)
    with pytest.raises(ValidationFailed) as caught:
        save_organization(
            session,
            None,
            OrganizationInput(
                kind="one_stop_unit",
                code="000.00.01.H99",
                name="Một cửa",
                level="province",
                parent_id=operator.id,
            ),
        )
    assert "parent_id" in caught.value.fields


def test_two_organizations_cannot_share_a_code(session: Session) -> None:
    first = factories.agency(session)
    with pytest.raises(ValidationFailed) as caught:
        factories.agency(session, code=first.code)
    assert "code" in caught.value.fields


def test_an_operator_tax_code_is_checked(session: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        factories.operator(session, tax_code="0102595741")
    assert "tax_code" in caught.value.fields


def test_an_agency_needs_a_qcvn_102_code(session: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        factories.agency(session, code="UBND-HN")
    assert "code" in caught.value.fields


def test_an_office_commune_must_lie_in_its_province(session: Session) -> None:
    hcm_commune = factories.commune_in(session, "79")
    with pytest.raises(ValidationFailed) as caught:
        factories.post_office(session, province_code="01", commune_code=hcm_commune.code)
    assert "commune_code" in caught.value.fields


def test_an_office_point_outside_vietnam_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        factories.post_office(session, lat=105.85, lon=21.02)  # swapped
    assert {"lat", "lon"} <= set(caught.value.fields)


def test_every_bad_office_field_is_reported_at_once(session: Session) -> None:
    operator = factories.operator(session)
    with pytest.raises(ValidationFailed) as caught:
        save_post_office(
            session,
            None,
            operator,
            PostOfficeInput(
                code="x",
                name="",
                postcode="1",
                address="",
                province_code="",
                commune_code="",
                opening_hours="always",
            ),
        )
    assert set(caught.value.fields) >= {
        "code",
        "name",
        "postcode",
        "address",
        "province_code",
        "opening_hours",
    }


def test_a_postal_manager_cannot_manage_another_operators_office(session: Session) -> None:
    manager = factories.user(session, Role.POSTAL_MANAGER)
    other_operator = factories.operator(session)
    commune = factories.commune_in(session)
    with pytest.raises(PermissionDenied):
        save_post_office(
            session,
            manager,
            other_operator,
            PostOfficeInput(
                code="X1234",
                name="Bưu cục",
                postcode="10000",
                address="1 Phố",
                province_code="01",
                commune_code=commune.code,
                opening_hours="Mo-Fr 08:00-17:00",
            ),
        )
