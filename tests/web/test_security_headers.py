"""HSTS and secure cookies in production, neither Secure nor HSTS in development; every cookie the app
sets is HttpOnly and SameSite=Lax."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from postal_hub import create_app
from postal_hub.core.users.models import Role
from postal_hub.extensions import db
from tests import factories
from tests.conftest import TEST_CONFIG, TEST_PASSWORD
from tests.fakes import FixedClock

HTTPS = "https://hub.example.vn"


@pytest.fixture
def production_app(
    monkeypatch: pytest.MonkeyPatch, database_url: str, connection: sa.Connection, clock: FixedClock
) -> Iterator[Flask]:
    """The app as `POSTAL_HUB_ENV=production` builds it (config.py: a SECRET_KEY, and SQLite allowed
    only when said so), on the test's transaction."""
    monkeypatch.setenv("POSTAL_HUB_ENV", "production")
    monkeypatch.setenv("POSTAL_HUB_ALLOW_SQLITE", "1")
    config = {k: v for k, v in TEST_CONFIG.items() if k != "TESTING"}
    app = create_app({**config, "DATABASE_URL": database_url, "SECRET_KEY": "a-production-secret"})
    app.extensions["clock"] = clock
    db.bind_to_connection(app, connection)
    yield app


def _no_arg_pages(app: Flask) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.arguments and rule.endpoint != "static"
    )


def test_the_production_app_really_runs_in_production(production_app: Flask) -> None:
    assert production_app.config["ENV_NAME"] == "production"
    assert production_app.config["SESSION_COOKIE_SECURE"] is True


def test_every_page_in_production_carries_strict_transport_security(production_app: Flask) -> None:
    client = production_app.test_client()
    missing = []
    for path in [*_no_arg_pages(production_app), "/track/NO-SUCH-CODE", "/no-such-page"]:
        response = client.get(path, base_url=HTTPS)
        hsts = response.headers.get("Strict-Transport-Security", "")
        if "max-age=31536000" not in hsts:
            missing.append((path, response.status_code, hsts))
    assert missing == []


def test_no_page_in_development_carries_strict_transport_security(app: Flask) -> None:
    client = app.test_client()
    found = [p for p in _no_arg_pages(app) if "Strict-Transport-Security" in client.get(p).headers]
    assert found == []


def _cookie_flags(set_cookie: str) -> tuple[str, set[str]]:
    name = set_cookie.split("=", 1)[0]
    flags = {part.strip().split("=")[0].lower() for part in set_cookie.split(";")[1:]}
    samesite = [
        part.strip() for part in set_cookie.split(";") if part.strip().lower().startswith("samesite=")
    ]
    return name, flags | {s.lower() for s in samesite}


def _cookies_of_a_visit(app: Flask, session: Session, base_url: str) -> list[str]:
    """Every Set-Cookie of a visit: the language switch anonymously, sign-in, a page, sign-out."""
    user = factories.user(session, Role.SYSTEM_ADMIN)
    client = app.test_client()
    seen = []
    for method, path, data in [
        ("POST", "/language", {"language": "en", "next": "/"}),
        ("POST", "/sign-in", {"username": user.username, "password": TEST_PASSWORD}),
        ("GET", "/admin/users", None),
        ("POST", "/language", {"language": "vi", "next": "/"}),
        ("POST", "/sign-out", None),
    ]:
        response = client.open(path, method=method, data=data, base_url=base_url)
        assert response.status_code < 400, (path, response.status_code)
        seen += response.headers.getlist("Set-Cookie")
    return seen


def test_every_cookie_in_production_is_secure_httponly_and_samesite_lax(
    production_app: Flask, session: Session
) -> None:
    cookies = _cookies_of_a_visit(production_app, session, HTTPS)
    assert cookies
    bad = [c for c in cookies if not {"secure", "httponly", "samesite=lax"} <= _cookie_flags(c)[1]]
    assert bad == []


def test_every_cookie_in_development_is_httponly_and_samesite_lax(app: Flask, session: Session) -> None:
    cookies = _cookies_of_a_visit(app, session, "http://localhost")
    assert cookies
    bad = [c for c in cookies if not {"httponly", "samesite=lax"} <= _cookie_flags(c)[1]]
    assert bad == []


def test_the_session_cookie_is_not_secure_in_development(app: Flask, session: Session) -> None:
    """Otherwise `make run` on http://127.0.0.1 could never keep anyone signed in."""
    cookies = _cookies_of_a_visit(app, session, "http://localhost")
    assert all("secure" not in _cookie_flags(c)[1] for c in cookies)
