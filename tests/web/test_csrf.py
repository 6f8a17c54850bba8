"""Every form is protected against cross-site request forgery."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users.models import Role, User
from tests import factories
from tests.conftest import TEST_PASSWORD, count


@pytest.fixture
def csrf_app(app: Flask) -> Flask:
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _token(client: FlaskClient, path: str) -> str:
    match = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).get_data(as_text=True)
    )
    assert match
    return match.group(1)


def test_a_sign_in_without_the_csrf_token_is_rejected(csrf_app: Flask, session: Session) -> None:
    user = factories.user(session, Role.CITIZEN)
    response = csrf_app.test_client().post(
        "/sign-in", data={"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 400


def test_a_sign_in_with_the_csrf_token_works(csrf_app: Flask, session: Session) -> None:
    user = factories.user(session, Role.CITIZEN)
    client = csrf_app.test_client()
    data = {"username": user.username, "password": TEST_PASSWORD, "csrf_token": _token(client, "/sign-in")}
    assert client.post("/sign-in", data=data).status_code == 302


def test_an_admin_form_without_the_token_changes_nothing(csrf_app: Flask, session: Session) -> None:
    admin = factories.user(session, Role.SYSTEM_ADMIN)
    client = csrf_app.test_client()
    client.post(
        "/sign-in",
        data={
            "username": admin.username,
            "password": TEST_PASSWORD,
            "csrf_token": _token(client, "/sign-in"),
        },
    )
    before = count(session, User)
    response = client.post(
        "/admin/users/new",
        data={"username": "intruder", "full_name": "X", "role": "citizen", "password": "long-enough-pass"},
    )
    assert response.status_code == 400
    assert count(session, User) == before
