"""Webhook screens: officers and managers manage their own organization's endpoints only."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.audit import AuditEntry
from postal_hub.core.users.models import Role
from postal_hub.webhooks.models import OutboxMessage, WebhookAttempt, WebhookEndpoint
from postal_hub.webhooks.outbox import enqueue
from tests import factories
from tests.conftest import AuthActions
from tests.fakes import FakeResolver, FixedClock


@pytest.fixture
def world(app: Flask, session: Session) -> dict[str, Any]:
    app.extensions["webhook_resolver"] = FakeResolver({"intranet.example.vn": ["192.168.1.9"]})
    unit = factories.unit(session)
    officer = factories.user(session, Role.UNIT_OFFICER, unit)
    other_unit = factories.unit(session)
    other_endpoint, _ = factories.webhook_endpoint(session, other_unit)
    session.commit()
    return {"unit": unit, "officer": officer, "other_endpoint": other_endpoint}


def _register(client: FlaskClient, url: str = "https://hooks.example.com/in") -> Any:
    return client.post(
        "/webhooks/new",
        data={"url": url, "description": "Hệ thống một cửa", "event_types": ["dossier.accepted"]},
    )


def test_an_officer_registers_an_endpoint_and_sees_the_secret_once(
    client: FlaskClient, auth: AuthActions, session: Session, world: dict[str, Any]
) -> None:
    auth.sign_in(world["officer"].username)
    response = _register(client)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "whsec_" in page
    endpoint = session.scalars(
        sa.select(WebhookEndpoint).where(WebhookEndpoint.organization_id == world["unit"].id)
    ).one()
    assert endpoint.event_types == ["dossier.accepted"] and "whsec_" not in endpoint.secret_encrypted
    again = client.get(f"/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "whsec_" not in again and "https://hooks.example.com/in" in again
    assert session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "webhook.registered")) is not None


def test_a_private_url_is_refused_on_the_form(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["officer"].username)
    page = _register(client, "https://intranet.example.vn/in").get_data(as_text=True)
    assert "whsec_" not in page and "field--error" in page


def test_another_organizations_endpoint_is_404(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["officer"].username)
    other_id = world["other_endpoint"].id
    assert client.get(f"/webhooks/{other_id}").status_code == 404
    assert client.post(f"/webhooks/{other_id}/delete").status_code == 404
    assert "hooks.example.com" not in client.get("/webhooks").get_data(as_text=True)


def test_a_counter_clerk_may_not_open_the_webhook_screens(
    client: FlaskClient, auth: AuthActions, session: Session, world: dict[str, Any]
) -> None:
    clerk = factories.user(session, Role.POSTAL_CLERK)
    session.commit()
    auth.sign_in(clerk.username)
    assert client.get("/webhooks").status_code == 403


def test_the_detail_lists_every_attempt_and_send_again_requeues_a_failed_message(
    client: FlaskClient, auth: AuthActions, session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    endpoint, _secret = factories.webhook_endpoint(session, world["unit"])
    (message,) = enqueue(
        session, [world["unit"].id], "dossier.accepted", {"dossier_code": "X"}, "X", clock.now()
    )
    message.status = "failed"
    session.add(
        WebhookAttempt(
            message_id=message.id, at=clock.now(), status_code=503, latency_ms=87, error="HTTP 503"
        )
    )
    session.commit()
    auth.sign_in(world["officer"].username)
    page = client.get(f"/webhooks/{endpoint.id}").get_data(as_text=True)
    assert message.msg_id in page and "503" in page and "87 ms" in page and "HTTP 503" in page
    clock.advance(hours=1)
    response = client.post(f"/webhooks/{endpoint.id}/messages/{message.id}/send-again")
    assert response.status_code == 302
    session.expire_all()
    stored = session.get(OutboxMessage, message.id)
    assert stored is not None and stored.status == "pending" and stored.next_attempt_at == clock.now()


def test_disable_then_enable_then_delete_keeps_the_history_visible(
    client: FlaskClient, auth: AuthActions, session: Session, world: dict[str, Any]
) -> None:
    endpoint, _secret = factories.webhook_endpoint(session, world["unit"])
    session.commit()
    auth.sign_in(world["officer"].username)
    client.post(f"/webhooks/{endpoint.id}/disable", data={"reason": "bảo trì"})
    session.expire_all()
    assert session.get(WebhookEndpoint, endpoint.id).disabled_reason == "bảo trì"  # type: ignore[union-attr]
    client.post(f"/webhooks/{endpoint.id}/enable")
    session.expire_all()
    assert session.get(WebhookEndpoint, endpoint.id).active  # type: ignore[union-attr]
    client.post(f"/webhooks/{endpoint.id}/delete")
    session.expire_all()
    assert session.get(WebhookEndpoint, endpoint.id).deleted_at is not None  # type: ignore[union-attr]
    assert client.get(f"/webhooks/{endpoint.id}").status_code == 200


def test_a_postal_manager_manages_their_operators_endpoints(
    client: FlaskClient, auth: AuthActions, session: Session, world: dict[str, Any]
) -> None:
    operator = factories.operator(session)
    manager = factories.user(session, Role.POSTAL_MANAGER, operator)
    session.commit()
    auth.sign_in(manager.username)
    assert _register(client).status_code == 200
    assert session.scalar(sa.select(WebhookEndpoint).where(WebhookEndpoint.organization_id == operator.id))
