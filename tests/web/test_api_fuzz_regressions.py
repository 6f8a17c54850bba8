"""What the schemathesis run found in the API and its OpenAPI document, each pinned by one test."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from sqlalchemy.orm import Session

from postal_hub.core.users import api_keys
from postal_hub.intake.status import DossierStatus
from tests.factories_delivery import delivery_world, received_dossier
from tests.fakes import FixedClock


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/api/v1/openapi.json").get_json()
    return body


def _parameter(document: dict[str, Any], path: str, name: str) -> Draft202012Validator:
    found = next(p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name)
    return Draft202012Validator(found["schema"])


def _body(document: dict[str, Any], path: str) -> Draft202012Validator:
    schema = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return Draft202012Validator(schema)


def test_an_undeclared_method_is_a_405_that_names_the_allowed_methods(client: FlaskClient) -> None:
    response = client.open("/api/v1/dossiers", method="TRACE")
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= {"GET", "POST"}
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_an_undeclared_method_on_a_page_also_names_the_allowed_methods(client: FlaskClient) -> None:
    response = client.open("/procedures", method="DELETE")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


def test_the_pickup_slots_do_not_offer_the_methods_of_a_booking(client: FlaskClient) -> None:
    allowed = {m.strip() for m in client.options("/api/v1/pickups/slots").headers["Allow"].split(",")}
    assert "PATCH" not in allowed and "DELETE" not in allowed
    assert (
        client.patch("/api/v1/pickups/slots", json={"slot_start": "2026-11-23T08:00:00+07:00"}).status_code
        == 405
    )


def test_a_catalogue_page_that_is_not_a_number_is_a_422_naming_the_page(client: FlaskClient) -> None:
    response = client.get("/api/v1/procedures?page=null")
    assert response.status_code == 422 and "page" in response.get_json()["error"]["fields"]


def test_an_empty_catalogue_page_is_the_first_page(client: FlaskClient) -> None:
    response = client.get("/api/v1/procedures?page=")
    assert response.status_code == 200 and response.get_json()["page"] == 1


def test_result_ready_takes_a_whole_amount_written_with_a_decimal_point(
    session: Session, client: FlaskClient, clock: FixedClock
) -> None:
    world = delivery_world(session)
    _row, key = api_keys.create_api_key(session, world["unit"], "unit", clock.now())
    dossier = received_dossier(session, world, clock.now())
    session.commit()
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/result-ready",
        json={"summary": "Giấy phép", "amount_due": 25000.0},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200 and response.get_json()["amount_due"] == 25_000


def test_the_document_says_every_request_can_be_refused_as_malformed(document: dict[str, Any]) -> None:
    missing = [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "400" not in operation["responses"]
    ]
    assert missing == []


def test_the_document_lists_the_statuses_the_dossier_list_accepts(document: dict[str, Any]) -> None:
    status = _parameter(document, "/api/v1/dossiers", "status")
    assert status.is_valid("received") and status.is_valid("")
    assert not status.is_valid("lost")
    assert all(status.is_valid(s.value) for s in DossierStatus)


def test_the_document_reads_an_empty_list_parameter_as_not_given(document: dict[str, Any]) -> None:
    since = _parameter(document, "/api/v1/dossiers", "updated_since")
    assert since.is_valid("") and since.is_valid("2026-11-20T09:00:00+07:00")


def test_the_document_writes_a_page_number_in_digits(document: dict[str, Any]) -> None:
    for path in ("/api/v1/dossiers", "/api/v1/manifests", "/api/v1/procedures"):
        page = _parameter(document, path, "page")
        assert page.is_valid("2") and page.is_valid("")
        assert not page.is_valid("5.0") and not page.is_valid("0") and not page.is_valid(" ")


def test_the_document_keeps_post_office_searches_in_vietnam(document: dict[str, Any]) -> None:
    lat, lon = (
        _parameter(document, "/api/v1/post-offices", "lat"),
        _parameter(document, "/api/v1/post-offices", "lon"),
    )
    assert lat.is_valid(21.03) and lon.is_valid(105.85)
    assert not lat.is_valid(0) and not lon.is_valid(0)
    limit = _parameter(document, "/api/v1/post-offices", "limit")
    assert (
        limit.is_valid("10") and limit.is_valid("") and not limit.is_valid("51") and not limit.is_valid("5.0")
    )


def test_the_document_says_a_refusal_needs_a_reason(document: dict[str, Any]) -> None:
    receipt = _body(document, "/api/v1/dossiers/{code}/receipt")
    assert receipt.is_valid({"accepted": True}) and receipt.is_valid({"accepted": False, "reason": "other"})
    assert not receipt.is_valid({"accepted": False}) and not receipt.is_valid(
        {"accepted": False, "reason": " "}
    )


def test_the_document_refuses_a_fee_on_a_result_collected_at_the_unit_counter(
    document: dict[str, Any],
) -> None:
    ready = _body(document, "/api/v1/dossiers/{code}/result-ready")
    assert ready.is_valid({"summary": "Giấy phép", "result_delivery": "home", "amount_due": 25_000})
    assert ready.is_valid({"summary": "Giấy phép", "result_delivery": "counter"})
    assert not ready.is_valid({"summary": "Giấy phép", "result_delivery": "counter", "amount_due": 25_000})
    assert not ready.is_valid({"summary": "   "})
