"""A signed-in session left unused longer than SESSION_IDLE_MINUTES is signed out by the server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub import create_app
from postal_hub.core.users.models import Role
from tests import factories
from tests.conftest import TEST_CONFIG, AuthActions
from tests.fakes import FixedClock

STAFF_PAGE = "/admin/users"


def _idle_minutes(app: Flask) -> float:
    lifetime: timedelta = app.config["PERMANENT_SESSION_LIFETIME"]
    return lifetime.total_seconds() / 60


def _signed_in_admin(session: Session, auth: AuthActions, client: FlaskClient) -> None:
    admin = factories.user(session, Role.SYSTEM_ADMIN)
    auth.sign_in(admin.username)
    assert client.get(STAFF_PAGE).status_code == 200


def test_a_session_unused_longer_than_the_idle_limit_is_sent_to_sign_in(
    app: Flask, session: Session, auth: AuthActions, client: FlaskClient, clock: FixedClock
) -> None:
    _signed_in_admin(session, auth, client)
    clock.advance(minutes=_idle_minutes(app) + 1)
    response = client.get(STAFF_PAGE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_after_the_idle_sign_out_the_session_stays_signed_out(
    app: Flask, session: Session, auth: AuthActions, client: FlaskClient, clock: FixedClock
) -> None:
    _signed_in_admin(session, auth, client)
    clock.advance(minutes=_idle_minutes(app) + 1)
    client.get(STAFF_PAGE)
    clock.advance(minutes=1)
    assert client.get(STAFF_PAGE).status_code == 302


def test_a_session_used_within_the_idle_limit_stays_signed_in(
    app: Flask, session: Session, auth: AuthActions, client: FlaskClient, clock: FixedClock
) -> None:
    _signed_in_admin(session, auth, client)
    for _ in range(3):  # three idle spells just under the limit: more than the limit in total
        clock.advance(minutes=_idle_minutes(app) - 1)
        assert client.get(STAFF_PAGE).status_code == 200


def test_a_copied_session_cookie_replayed_after_the_idle_limit_is_refused(
    app: Flask, session: Session, auth: AuthActions, client: FlaskClient, clock: FixedClock
) -> None:
    _signed_in_admin(session, auth, client)
    stolen = client.get_cookie("session")
    assert stolen is not None
    for _ in range(2):  # the real user goes on working; the copy is not used
        clock.advance(minutes=_idle_minutes(app) / 2 + 1)
        assert client.get(STAFF_PAGE).status_code == 200
    thief = app.test_client()
    thief.set_cookie("session", stolen.value)
    assert thief.get(STAFF_PAGE).status_code == 302
    assert client.get(STAFF_PAGE).status_code == 200


def test_a_copied_session_cookie_replayed_within_the_idle_limit_still_works(
    app: Flask, session: Session, auth: AuthActions, client: FlaskClient, clock: FixedClock
) -> None:
    """The control for the test above: the copy itself is a valid session, only its age refuses it."""
    _signed_in_admin(session, auth, client)
    stolen = client.get_cookie("session")
    assert stolen is not None
    clock.advance(minutes=_idle_minutes(app) - 1)
    thief = app.test_client()
    thief.set_cookie("session", stolen.value)
    assert thief.get(STAFF_PAGE).status_code == 200


def test_a_signed_in_session_without_a_last_use_stamp_is_signed_out(
    session: Session, auth: AuthActions, client: FlaskClient
) -> None:
    _signed_in_admin(session, auth, client)
    with client.session_transaction() as stored:
        stored.pop("_seen")
    assert client.get(STAFF_PAGE).status_code == 302


def test_the_language_choice_survives_the_idle_sign_out(
    app: Flask, session: Session, auth: AuthActions, client: FlaskClient, clock: FixedClock
) -> None:
    _signed_in_admin(session, auth, client)
    with client.session_transaction() as stored:
        stored["lang"] = "en"
    clock.advance(minutes=_idle_minutes(app) + 1)
    client.get(STAFF_PAGE)
    with client.session_transaction() as stored:
        assert stored.get("lang") == "en"
        assert "_user_id" not in stored


def test_the_idle_limit_is_read_from_session_idle_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "7")
    app = create_app({**TEST_CONFIG, "DATABASE_URL": "sqlite://"})
    assert app.permanent_session_lifetime == timedelta(minutes=7)


def test_an_anonymous_visitor_who_chose_a_language_gets_no_further_cookie(client: FlaskClient) -> None:
    client.post("/language", data={"language": "en", "next": "/"})
    client.get("/")  # the first page with a form puts the CSRF token in the session
    for page in ("/", "/track", "/sign-in"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert response.headers.getlist("Set-Cookie") == [], page
