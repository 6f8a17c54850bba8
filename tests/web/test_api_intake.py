"""API v1: the catalogue, operator intake, public tracking, and an OpenAPI document matching the routes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users import api_keys
from postal_hub.intake.models import Dossier
from tests import factories
from tests.conftest import count
from tests.fakes import FixedClock


@pytest.fixture
def world(session: Session, clock: FixedClock) -> dict[str, Any]:
    world = factories.intake_setup(session)
    _key, world["key"] = api_keys.create_api_key(session, world["operator"], "counter system", clock.now())
    _key, world["unit_key"] = api_keys.create_api_key(session, world["unit"], "unit system", clock.now())
    session.commit()
    return world


def _body(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body = {
        "procedure_code": world["procedure"].code,
        "post_office_code": world["office"].code,
        "applicant": {"name": "Trần Thị Bình", "phone": "0987654321", "citizen_id": "079185000321"},
        "address": {"province_code": "01", "commune_code": "00097", "street": "5 Phúc Xá"},
        "components": [{"code": "TP1", "present": True}, {"code": "TP2", "present": True}],
        "result_delivery": "home",
    }
    body.update(overrides)
    return body


def _post(client: FlaskClient, key: str, body: Any) -> Any:
    return client.post("/api/v1/dossiers", json=body, headers={"Authorization": f"Bearer {key}"})


def test_an_operator_submits_a_dossier_and_gets_both_codes(
    session: Session, client: FlaskClient, world: dict[str, Any]
) -> None:
    response = _post(client, world["key"], _body(world))
    assert response.status_code == 201
    body = response.get_json()
    assert re.match(r"^.+-261120-0001$", body["dossier_code"]) and body["item_number"].endswith("VN")
    assert body["unit"]["code"] == world["unit"].code and body["due_at"].endswith("+07:00")


def test_a_missing_component_is_a_422_listing_it(
    session: Session, client: FlaskClient, world: dict[str, Any]
) -> None:
    response = _post(client, world["key"], _body(world, components=[{"code": "TP1", "present": True}]))
    assert response.status_code == 422
    assert (
        response.get_json()["error"]["code"] == "incomplete"
        and "TP2" in response.get_json()["error"]["fields"]["components"]
    )
    assert count(session, Dossier) == 0


def test_uncovered_work_is_a_403_no_contract(
    session: Session, client: FlaskClient, world: dict[str, Any]
) -> None:
    world["contract"].status = "suspended"
    session.commit()
    response = _post(client, world["key"], _body(world))
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "no_contract"


def test_bad_fields_are_named(client: FlaskClient, world: dict[str, Any]) -> None:
    body = _body(world, applicant={"name": "", "phone": "123", "citizen_id": "x"})
    error = _post(client, world["key"], body).get_json()["error"]
    assert {"applicant_name", "phone", "citizen_id"} <= set(error["fields"])


def test_no_key_or_a_wrong_key_is_a_401(client: FlaskClient, world: dict[str, Any]) -> None:
    assert client.post("/api/v1/dossiers", json=_body(world)).status_code == 401
    assert _post(client, "ph_00000000_nope", _body(world)).status_code == 401


def test_a_units_key_may_not_submit_dossiers(client: FlaskClient, world: dict[str, Any]) -> None:
    assert _post(client, world["unit_key"], _body(world)).status_code == 403


def test_another_operators_office_is_refused(
    session: Session, client: FlaskClient, world: dict[str, Any]
) -> None:
    foreign = factories.post_office(session)
    session.commit()
    assert _post(client, world["key"], _body(world, post_office_code=foreign.code)).status_code == 422


def test_a_body_that_is_not_json_is_a_400(client: FlaskClient, world: dict[str, Any]) -> None:
    response = client.post(
        "/api/v1/dossiers",
        data="not json",
        headers={"Authorization": f"Bearer {world['key']}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "malformed"


def test_tracking_json_carries_the_timeline_and_no_personal_data(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    created = _post(client, world["key"], _body(world)).get_json()
    response = client.get(f"/api/v1/track/{created['item_number'].lower()}")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and response.get_json()["events"][0]["code"] == "accepted"
    assert "Trần T. B." in text  # Vietnamese text is not escaped
    for secret in ("079185000321", "987654321", "Trần Thị Bình", "5 Phúc Xá"):
        assert secret not in text


def test_tracking_an_unknown_code_is_a_404_in_the_contract_shape(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    body = client.get("/api/v1/track/RR000000000VN").get_json()
    assert body == {"error": {"code": "not_found", "message": body["error"]["message"], "fields": {}}}


def test_the_catalogue_searches_without_diacritics(
    session: Session, client: FlaskClient, world: dict[str, Any]
) -> None:
    world["procedure"].name, world["procedure"].search_key = "Đăng ký kết hôn", "dang ky ket hon"
    session.commit()
    body = client.get("/api/v1/procedures?q=ket+hon").get_json()
    assert body["total"] == 1 and body["items"][0]["components"][0]["code"] == "TP1"
    assert set(body) == {"items", "page", "total"}


def test_every_api_route_is_documented_and_every_documented_route_exists(
    app: Flask, client: FlaskClient
) -> None:
    documented = {
        (path, method.upper())
        for path, ops in client.get("/api/v1/openapi.json").get_json()["paths"].items()
        for method in ops
    }
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            routed |= {(path, m) for m in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    assert documented == routed


def test_the_same_idempotency_key_and_body_make_one_dossier(
    session: Session, client: FlaskClient, world: dict[str, Any]
) -> None:
    headers = {"Authorization": f"Bearer {world['key']}", "Idempotency-Key": "order-42"}
    first = client.post("/api/v1/dossiers", json=_body(world), headers=headers)
    again = client.post("/api/v1/dossiers", json=_body(world), headers=headers)
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    assert count(session, Dossier) == 1


def test_the_same_idempotency_key_with_another_body_is_a_422(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    headers = {"Authorization": f"Bearer {world['key']}", "Idempotency-Key": "order-43"}
    client.post("/api/v1/dossiers", json=_body(world), headers=headers)
    other = client.post("/api/v1/dossiers", json=_body(world, result_delivery="post_office"), headers=headers)
    assert other.status_code == 422 and other.get_json()["error"]["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(
    "components",
    [[{"code": ["TP1"], "present": True}], ["TP1"], "TP1", [{"code": {"x": 1}, "present": True}]],
)
def test_wrong_json_types_are_a_client_error_not_a_server_error(
    client: FlaskClient, world: dict[str, Any], components: Any
) -> None:
    assert _post(client, world["key"], _body(world, components=components)).status_code == 422


def test_a_nul_byte_anywhere_is_a_400(client: FlaskClient, world: dict[str, Any]) -> None:
    assert client.get("/procedures?q=%00").status_code == 400
    assert client.get("/api/v1/procedures?q=a%00").status_code == 400
    assert _post(client, world["key"], _body(world, subject_commune_code="\u0000")).status_code == 400


def test_the_catalogue_filtered_by_unit_finds_its_procedures_beyond_the_first_page_and_counts_them_all(
    session: Session, client: FlaskClient, world: dict[str, Any]
) -> None:
    other, mine = factories.unit(session), factories.unit(session)
    for n in range(101):  # sorted by name, all before the unit's own
        factories.procedure(session, name=f"A thủ tục {n:03d}", unit_id=other.id)
    own = factories.procedure(session, name="Z thủ tục của đơn vị", unit_id=mine.id)
    session.commit()
    body = client.get(f"/api/v1/procedures?unit_code={mine.code}").get_json()
    assert [p["code"] for p in body["items"]] == [own.code]
    assert body["total"] == 1
