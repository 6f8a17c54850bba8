"""Role-based access to every admin screen, enumerated from the app's URL map."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users import api_keys
from postal_hub.core.users.models import Role
from tests import factories
from tests.conftest import AuthActions
from tests.fakes import FixedClock

# Endpoints a postal manager may use (their own operator's offices and staff); the rest are admin-only.
MANAGER_ENDPOINTS = {
    "admin.offices",
    "admin.office_new",
    "admin.office_edit",
    "admin.office_active",
    "admin.office_import",
    "admin.users",
    "admin.user_new",
    "admin.user_edit",
}


@pytest.fixture
def world(session: Session, clock: FixedClock) -> dict[str, Any]:
    manager = factories.user(session, Role.POSTAL_MANAGER)
    operator = manager.organization
    office = factories.post_office(session, operator)
    clerk = factories.user(session, Role.POSTAL_CLERK, organization=operator)
    unit = factories.unit(session)
    key, _plain = api_keys.create_api_key(session, unit, "k", clock.now())
    users = {role: factories.user(session, role) for role in Role if role != Role.POSTAL_MANAGER}
    users[Role.POSTAL_MANAGER] = manager
    session.commit()
    return {
        "users": users,
        "args": {
            "org_id": operator.id if operator else 0,
            "office_id": office.id,
            "user_id": clerk.id,
            "procedure_id": factories.procedure(session).id,
            "key_id": key.id,
        },
        "unit_id": unit.id,
    }


def _admin_rules(app: Flask) -> list[Any]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")), key=lambda r: r.rule
    )


def _url(rule: Any, world: dict[str, Any]) -> str:
    args = dict(world["args"])
    if rule.endpoint == "admin.unit_edit":
        args["org_id"] = world["unit_id"]
    missing = set(rule.arguments) - set(args)
    assert not missing, f"add sample values for {missing} so {rule.endpoint} is covered"
    return str(rule.build({k: args[k] for k in rule.arguments})[1])


def _expected(role: Role, endpoint: str) -> set[int]:
    if role == Role.SYSTEM_ADMIN:
        return {200, 302, 400}  # 400: a POST without its form fields
    if role == Role.POSTAL_MANAGER and endpoint in MANAGER_ENDPOINTS:
        return {200, 302, 400}
    return {403}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_exactly_the_admin_screens_it_may(
    app: Flask, client: FlaskClient, auth: AuthActions, world: dict[str, Any], role: Role
) -> None:
    auth.sign_in(world["users"][role].username)
    for rule in _admin_rules(app):
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(_url(rule, world), method=method)
        assert response.status_code in _expected(role, rule.endpoint), (
            role,
            rule.endpoint,
            response.status_code,
        )


def test_anonymous_visitors_are_sent_to_sign_in_from_every_admin_screen(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    for rule in _admin_rules(app):
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(_url(rule, world), method=method)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in")


def test_a_postal_manager_does_not_see_another_operators_office(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    manager = factories.user(session, Role.POSTAL_MANAGER)
    foreign = factories.post_office(session, name="Bưu cục của người khác")
    session.commit()
    auth.sign_in(manager.username)
    assert client.get(f"/admin/offices/{foreign.id}/edit").status_code == 404
    assert "Bưu cục của người khác" not in client.get("/admin/offices").get_data(as_text=True)
