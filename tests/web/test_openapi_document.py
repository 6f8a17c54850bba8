"""The served OpenAPI document is valid OpenAPI 3.1, and real answers match the schemas it documents."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from sqlalchemy.orm import Session

from postal_hub.core.users import api_keys
from tests import factories
from tests.fakes import FixedClock


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/api/v1/openapi.json").get_json()
    return body


def _check(document: dict[str, Any], path: str, method: str, status: int, body: Any) -> None:
    schema = document["paths"][path][method]["responses"][str(status)]["content"]["application/json"][
        "schema"
    ]
    # The components travel along so "#/components/schemas/..." references resolve.
    Draft202012Validator({**schema, "components": document["components"]}).validate(body)


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_the_organization_endpoints_answer_as_documented(
    session: Session, client: FlaskClient, clock: FixedClock, document: dict[str, Any]
) -> None:
    world = factories.intake_setup(session)
    dossier = factories.accepted_dossier(session, world, clock.now())
    manifest = factories.manifest_for(session, world, [dossier], clock.now())
    _row, key = api_keys.create_api_key(session, world["unit"], "unit", clock.now())
    session.commit()
    headers = {"Authorization": f"Bearer {key}"}
    calls = [
        ("/api/v1/dossiers", "get", "/api/v1/dossiers", None),
        ("/api/v1/dossiers/{code}", "get", f"/api/v1/dossiers/{dossier.code}", None),
        ("/api/v1/dossiers/{code}/events", "get", f"/api/v1/dossiers/{dossier.code}/events", None),
        ("/api/v1/manifests", "get", "/api/v1/manifests", None),
        ("/api/v1/manifests/{number}", "get", f"/api/v1/manifests/{manifest.number}", None),
        (
            "/api/v1/dossiers/{code}/receipt",
            "post",
            f"/api/v1/dossiers/{dossier.code}/receipt",
            {"accepted": True},
        ),
        (
            "/api/v1/dossiers/{code}/receipt",
            "post",
            f"/api/v1/dossiers/{dossier.code}/receipt",
            {"accepted": True},
        ),
        ("/api/v1/manifests/{number}/close", "post", f"/api/v1/manifests/{manifest.number}/close", None),
        ("/api/v1/dossiers/{code}", "get", "/api/v1/dossiers/NOPE-000000-0000", None),
    ]
    seen = []
    for documented, method, url, body in calls:
        response = client.open(url, method=method.upper(), json=body, headers=headers)
        _check(document, documented, method, response.status_code, response.get_json())
        seen.append(response.status_code)
    assert seen == [200, 200, 200, 200, 200, 200, 409, 200, 404]
