"""The certification gate through POST /api/v1/dossiers: the clerk named, or the procedure's group."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users import api_keys
from postal_hub.core.users.models import Role
from postal_hub.intake.models import Dossier
from tests import factories
from tests.conftest import count
from tests.fakes import FixedClock


@pytest.fixture
def world(session: Session, clock: FixedClock) -> dict[str, Any]:
    world = factories.intake_setup(session)
    _key, world["key"] = api_keys.create_api_key(session, world["operator"], "counter system", clock.now())
    world["newcomer"] = factories.user(
        session, Role.POSTAL_CLERK, organization=world["operator"], post_office_id=world["office"].id
    )
    session.commit()
    return world


def _post(client: FlaskClient, world: dict[str, Any], **extra: Any) -> Any:
    body = {
        "procedure_code": world["procedure"].code,
        "post_office_code": world["office"].code,
        "applicant": {"name": "Trần Thị Bình", "phone": "0987654321", "citizen_id": "079185000321"},
        "address": {"province_code": "01", "commune_code": "00097", "street": "5 Phúc Xá"},
        "components": [{"code": "TP1", "present": True}, {"code": "TP2", "present": True}],
        **extra,
    }
    return client.post("/api/v1/dossiers", json=body, headers={"Authorization": f"Bearer {world['key']}"})


def test_a_certified_clerk_named_in_accepted_by_is_recorded_on_the_dossier(
    session: Session, client: FlaskClient, world: dict[str, Any]
) -> None:
    response = _post(client, world, accepted_by=world["clerk"].username)
    assert response.status_code == 201
    dossier = session.query(Dossier).one()
    assert dossier.accepted_by_id == world["clerk"].id


def test_an_uncertified_clerk_named_in_accepted_by_is_a_403_not_certified(
    session: Session, client: FlaskClient, world: dict[str, Any]
) -> None:
    response = _post(client, world, accepted_by=world["newcomer"].username)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "not_certified"
    assert count(session, Dossier) == 0


def test_accepted_by_naming_nobody_of_the_office_is_a_422_on_the_field(
    session: Session, client: FlaskClient, world: dict[str, Any]
) -> None:
    outsider = factories.user(session, Role.POSTAL_CLERK, organization=world["operator"])
    session.commit()
    response = _post(client, world, accepted_by=outsider.username)
    assert response.status_code == 422
    assert "accepted_by" in response.get_json()["error"]["fields"]


def test_a_procedure_in_no_group_is_refused_to_the_operators_system(
    session: Session, client: FlaskClient, world: dict[str, Any]
) -> None:
    world["procedure"].group_id = None
    session.commit()
    response = _post(client, world)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "not_certified"
