"""Signing in and out through the pages."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users.models import Role
from tests import factories
from tests.conftest import AuthActions


def test_signing_in_lands_on_the_start_page(session: Session, client: FlaskClient, auth: AuthActions) -> None:
    user = factories.user(session, Role.POSTAL_CLERK, full_name="Nguyễn Thị Lan")
    response = auth.sign_in(user.username)
    assert response.headers["Location"] == "/"  # type: ignore[attr-defined]
    assert "Nguyễn Thị Lan" in client.get("/").get_data(as_text=True)


def test_a_wrong_password_says_so_without_saying_which_part(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    user = factories.user(session, Role.CITIZEN)
    page = auth.sign_in(user.username, "wrong-password").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in page or "username or password is not right" in page


def test_sixth_attempt_after_five_failures_is_throttled(session: Session, auth: AuthActions) -> None:
    user = factories.user(session, Role.CITIZEN)
    for _ in range(5):
        auth.sign_in(user.username, "wrong-password")
    assert auth.sign_in(user.username).status_code == 429  # type: ignore[attr-defined]


def test_next_parameter_on_this_site_is_followed(session: Session, auth: AuthActions) -> None:
    user = factories.user(session, Role.SYSTEM_ADMIN)
    response = auth.sign_in(user.username, next_url="/admin/offices?q=x")
    assert response.headers["Location"] == "/admin/offices?q=x"  # type: ignore[attr-defined]


def test_next_parameter_to_another_site_is_ignored(session: Session, auth: AuthActions) -> None:
    user = factories.user(session, Role.CITIZEN)
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = auth.sign_in(user.username, next_url=evil)
        assert response.headers["Location"] == "/"  # type: ignore[attr-defined]
        auth.sign_out()


def test_signing_in_starts_a_new_session(session: Session, client: FlaskClient, auth: AuthActions) -> None:
    user = factories.user(session, Role.CITIZEN)
    with client.session_transaction() as s:
        s["planted"] = "value from before sign-in"
    auth.sign_in(user.username)
    with client.session_transaction() as s:
        assert "planted" not in s
        assert s["_user_id"] == str(user.id)


def test_signing_out_ends_the_session(session: Session, client: FlaskClient, auth: AuthActions) -> None:
    user = factories.user(session, Role.SYSTEM_ADMIN)
    auth.sign_in(user.username)
    auth.sign_out()
    assert client.get("/admin/users").status_code == 302


def test_signing_out_by_get_is_not_possible(session: Session, client: FlaskClient, auth: AuthActions) -> None:
    user = factories.user(session, Role.CITIZEN)
    auth.sign_in(user.username)
    assert client.get("/sign-out").status_code == 405


def test_a_deactivated_user_is_signed_out_on_the_next_request(
    app: Flask, session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    admin = factories.user(session, Role.SYSTEM_ADMIN)
    auth.sign_in(admin.username)
    admin.active = False
    session.commit()
    assert client.get("/admin/users").status_code == 302
