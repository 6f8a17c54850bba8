"""Business rules for user accounts."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from postal_hub.core.errors import PermissionDenied, ValidationFailed
from postal_hub.core.users.models import Role
from postal_hub.core.users.services import UserInput, save_user
from tests import factories


def test_a_postal_clerk_must_belong_to_a_postal_operator(session: Session) -> None:
    agency = factories.agency(session)
    with pytest.raises(ValidationFailed) as caught:
        factories.user(session, Role.POSTAL_CLERK, organization=agency)
    assert "organization_id" in caught.value.fields


def test_a_citizen_belongs_to_no_organization(session: Session) -> None:
    operator = factories.operator(session)
    with pytest.raises(ValidationFailed) as caught:
        factories.user(session, Role.CITIZEN, organization=operator)
    assert "organization_id" in caught.value.fields


def test_a_short_password_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        factories.user(session, Role.CITIZEN, password="short")
    assert "password" in caught.value.fields


def test_usernames_are_unique_regardless_of_case(session: Session) -> None:
    factories.user(session, Role.CITIZEN, username="lan.nguyen")
    with pytest.raises(ValidationFailed) as caught:
        factories.user(session, Role.CITIZEN, username="Lan.Nguyen")
    assert "username" in caught.value.fields


def test_the_office_must_belong_to_the_users_operator(session: Session) -> None:
    office = factories.post_office(session)
    other = factories.operator(session)
    with pytest.raises(ValidationFailed) as caught:
        factories.user(session, Role.POSTAL_CLERK, organization=other, post_office_id=office.id)
    assert "post_office_id" in caught.value.fields


def test_the_password_is_stored_hashed(session: Session) -> None:
    user = factories.user(session, Role.CITIZEN, password="a-long-secret-phrase")
    assert "a-long-secret-phrase" not in user.password_hash


def test_a_postal_manager_cannot_create_an_administrator(session: Session) -> None:
    manager = factories.user(session, Role.POSTAL_MANAGER)
    with pytest.raises(PermissionDenied):
        save_user(
            session,
            manager,
            UserInput(username="boss", full_name="Boss", role="system_admin", password="long-enough-pass"),
        )


def test_a_postal_manager_can_create_a_clerk_in_their_own_organization(session: Session) -> None:
    manager = factories.user(session, Role.POSTAL_MANAGER)
    clerk = save_user(
        session,
        manager,
        UserInput(
            username="newclerk",
            full_name="Giao dịch viên",
            role="postal_clerk",
            organization_id=manager.organization_id,
            password="long-enough-pass",
        ),
        password_method="pbkdf2:sha256:1000",
    )
    assert clerk.organization_id == manager.organization_id
