"""API v1 webhooks: register (the secret once), list, delete, history; keys see only their own."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

import postal_hub.api.webhooks  # noqa: F401  (registers the routes until api/views.py imports it)
from postal_hub.api.openapi_webhooks import PATHS
from postal_hub.core.users import api_keys
from postal_hub.webhooks.outbox import enqueue
from tests import factories
from tests.fakes import FakeResolver, FixedClock

URL = "https://hooks.example.com/postal-hub"


@pytest.fixture
def world(app: Flask, session: Session, clock: FixedClock) -> dict[str, Any]:
    app.extensions["webhook_resolver"] = FakeResolver({"intranet.example.vn": ["10.0.0.5"]})
    unit, other = factories.unit(session), factories.unit(session)
    _k, key = api_keys.create_api_key(session, unit, "unit system", clock.now())
    _k, other_key = api_keys.create_api_key(session, other, "other system", clock.now())
    session.commit()
    return {"unit": unit, "other": other, "key": key, "other_key": other_key}


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _create(client: FlaskClient, key: str, body: Any) -> Any:
    return client.post("/api/v1/webhooks", json=body, headers=_auth(key))


def test_registering_answers_201_with_the_secret_once(client: FlaskClient, world: dict[str, Any]) -> None:
    response = _create(client, world["key"], {"url": URL, "event_types": ["dossier.accepted"]})
    assert response.status_code == 201
    body = response.get_json()
    assert body["url"] == URL and body["event_types"] == ["dossier.accepted"] and body["active"] is True
    assert body["secret"].startswith("whsec_") and body["created_at"].endswith("+07:00")
    listed = client.get("/api/v1/webhooks", headers=_auth(world["key"])).get_json()
    assert listed["total"] == 1 and listed["page"] == 1
    assert "secret" not in listed["items"][0] and body["secret"] not in str(listed)


def test_a_private_url_is_refused_with_422_on_the_url_field(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    response = _create(client, world["key"], {"url": "https://intranet.example.vn/hook"})
    assert response.status_code == 422
    assert "url" in response.get_json()["error"]["fields"]


def test_an_unknown_event_type_is_refused_with_422(client: FlaskClient, world: dict[str, Any]) -> None:
    response = _create(client, world["key"], {"url": URL, "event_types": ["dossier.exploded"]})
    assert response.status_code == 422
    assert "event_types" in response.get_json()["error"]["fields"]


def test_a_body_that_is_not_an_object_is_refused_with_400(client: FlaskClient, world: dict[str, Any]) -> None:
    assert _create(client, world["key"], ["not", "an", "object"]).status_code == 400


def test_every_webhook_call_without_a_key_is_401(client: FlaskClient, world: dict[str, Any]) -> None:
    assert client.get("/api/v1/webhooks").status_code == 401
    assert client.post("/api/v1/webhooks", json={"url": URL}).status_code == 401
    assert client.delete("/api/v1/webhooks/1").status_code == 401


def test_deleting_answers_204_and_the_endpoint_leaves_the_list(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    created = _create(client, world["key"], {"url": URL}).get_json()
    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=_auth(world["key"])).status_code == 204
    assert client.get("/api/v1/webhooks", headers=_auth(world["key"])).get_json()["total"] == 0
    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=_auth(world["key"])).status_code == 404


def test_another_organizations_endpoint_is_404_and_stays(client: FlaskClient, world: dict[str, Any]) -> None:
    created = _create(client, world["key"], {"url": URL}).get_json()
    other = _auth(world["other_key"])
    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=other).status_code == 404
    assert client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=other).status_code == 404
    assert client.get("/api/v1/webhooks", headers=other).get_json()["total"] == 0
    assert client.get("/api/v1/webhooks", headers=_auth(world["key"])).get_json()["total"] == 1


def test_the_delivery_history_lists_messages_with_their_attempts(
    client: FlaskClient, session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    created = _create(client, world["key"], {"url": URL}).get_json()
    (message,) = enqueue(
        session, [world["unit"].id], "dossier.accepted", {"dossier_code": "X"}, "X", clock.now()
    )
    session.commit()
    items = client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=_auth(world["key"])).get_json()
    assert [(i["webhook_id"], i["status"], i["attempts"]) for i in items["items"]] == [
        (message.msg_id, "pending", [])
    ]


def test_the_openapi_fragment_documents_every_webhook_route(app: Flask) -> None:
    import re

    routed = {
        (re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/webhooks")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, ops in PATHS.items() for method in ops}
    assert routed == documented


def test_a_registration_repeated_with_its_idempotency_key_makes_one_endpoint_and_never_stores_the_secret(
    session: Session, client: FlaskClient, world: dict[str, Any]
) -> None:
    import sqlalchemy as sa

    from postal_hub.api.idempotency_models import IdempotencyRecord
    from postal_hub.webhooks.models import WebhookEndpoint

    headers = {"Authorization": f"Bearer {world['key']}", "Idempotency-Key": "hook-1"}
    body = {"url": "https://hooks.example.com/in"}
    first = client.post("/api/v1/webhooks", json=body, headers=headers)
    again = client.post("/api/v1/webhooks", json=body, headers=headers)
    stored = session.scalar(sa.select(IdempotencyRecord.response_body))
    assert first.status_code == again.status_code == 201 and first.get_json()["secret"].startswith("whsec_")
    assert again.get_json()["id"] == first.get_json()["id"] and again.get_json()["secret"] is None
    assert stored is not None and "whsec_" not in stored
    assert (
        session.scalar(
            sa.select(sa.func.count()).select_from(WebhookEndpoint).where(WebhookEndpoint.url == body["url"])
        )
        == 1
    )
