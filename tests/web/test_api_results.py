"""POST /api/v1/dossiers/{code}/result-ready and the delivery in the dossier's detail."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.contracts.inputs import TermInput
from postal_hub.contracts.status import TaskType
from postal_hub.core.users import api_keys
from postal_hub.delivery.models import Delivery
from tests import factories
from tests.conftest import count
from tests.factories_delivery import delivery_at_office, delivery_world, received_dossier
from tests.fakes import FixedClock


def _world(session: Session, clock: FixedClock, **overrides: Any) -> dict[str, Any]:
    world = delivery_world(session, **overrides)
    _row, world["unit_key"] = api_keys.create_api_key(session, world["unit"], "unit", clock.now())
    _row, world["operator_key"] = api_keys.create_api_key(session, world["operator"], "post", clock.now())
    return world


@pytest.fixture
def world(session: Session, clock: FixedClock) -> dict[str, Any]:
    made = _world(session, clock)
    session.commit()
    return made


def _ready(client: FlaskClient, key: str, code: str, body: Any) -> Any:
    return client.post(
        f"/api/v1/dossiers/{code}/result-ready", json=body, headers={"Authorization": f"Bearer {key}"}
    )


def test_result_ready_by_api_starts_the_delivery_with_the_fee_due(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = received_dossier(session, world, clock.now())
    session.commit()
    response = _ready(client, world["unit_key"], dossier.code, {"summary": "Giấy phép", "amount_due": 25_000})
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "result_ready" and body["amount_due"] == 25_000
    assert body["post_office"]["code"] == world["office"].code and count(session, Delivery) == 1


def test_result_ready_for_a_dossier_the_unit_never_received_is_a_409(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    session.commit()
    assert _ready(client, world["unit_key"], dossier.code, {"summary": "x"}).status_code == 409
    assert count(session, Delivery) == 0


def test_result_ready_without_a_covering_contract_is_403_no_contract(
    session: Session, client: FlaskClient, clock: FixedClock
) -> None:
    terms = [TermInput(t.value, 8, 10_000) for t in TaskType if t != TaskType.RESULT_COLLECTION]
    world = _world(session, clock, terms=terms)
    dossier = received_dossier(session, world, clock.now())
    session.commit()
    response = _ready(client, world["unit_key"], dossier.code, {"summary": "x"})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "no_contract"
    assert count(session, Delivery) == 0


def test_the_unit_can_still_hand_the_result_over_at_its_counter_without_a_contract(
    session: Session, client: FlaskClient, clock: FixedClock
) -> None:
    terms = [TermInput(t.value, 8, 10_000) for t in TaskType if t != TaskType.RESULT_COLLECTION]
    world = _world(session, clock, terms=terms)
    dossier = received_dossier(session, world, clock.now())
    session.commit()
    response = _ready(client, world["unit_key"], dossier.code, {"summary": "x", "result_delivery": "counter"})
    assert response.status_code == 200 and response.get_json()["post_office"] is None


@pytest.mark.parametrize("body", [{"summary": "x", "amount_due": -1}, {"summary": "x", "amount_due": "10"}])
def test_a_bad_fee_due_is_a_422_naming_the_field(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: FixedClock, body: dict[str, Any]
) -> None:
    dossier = received_dossier(session, world, clock.now())
    session.commit()
    response = _ready(client, world["unit_key"], dossier.code, body)
    assert response.status_code == 422 and "amount_due" in response.get_json()["error"]["fields"]


def test_the_operators_key_cannot_mark_a_result_ready(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = received_dossier(session, world, clock.now())
    session.commit()
    assert _ready(client, world["operator_key"], dossier.code, {"summary": "x"}).status_code == 403


def test_another_units_key_gets_a_404(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = received_dossier(session, world, clock.now())
    _row, other = api_keys.create_api_key(session, factories.unit(session), "other", clock.now())
    session.commit()
    assert _ready(client, other, dossier.code, {"summary": "x"}).status_code == 404


def test_the_dossier_detail_shows_where_the_result_is(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    session.commit()
    body = client.get(
        f"/api/v1/dossiers/{delivery.dossier.code}", headers={"Authorization": f"Bearer {world['unit_key']}"}
    ).get_json()
    assert body["delivery"]["status"] == "at_office" and body["delivery"]["window_start"]
    assert session.scalar(sa.select(Delivery.status)) == "at_office"
