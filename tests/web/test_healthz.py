"""GET /healthz and /readyz: the liveness and readiness probes load balancers (and the throughput
benchmark) call."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from postal_hub import create_app
from tests.conftest import TEST_CONFIG
from tests.web.test_database_unavailable import app_without_database


def test_healthz_answers_ok_as_json(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok"}


def test_healthz_sets_no_cookie(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert "Set-Cookie" not in response.headers


def test_healthz_sends_the_security_headers(client: FlaskClient) -> None:
    headers = client.get("/healthz").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_healthz_in_production_sends_hsts(tmp_path: Path) -> None:
    app = create_app(
        {**TEST_CONFIG, "ENV_NAME": "production", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    )
    headers = app.test_client().get("/healthz").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_proxy_never_keeps_the_liveness_answer(client: FlaskClient) -> None:
    assert "no-store" in client.get("/healthz").headers["Cache-Control"]


def test_healthz_answers_while_the_database_cannot_be_opened(tmp_path: Path) -> None:
    probe = app_without_database(tmp_path).test_client()
    assert probe.get("/healthz").status_code == 200
    assert probe.get("/api/v1/track/RR000000000VN").status_code == 503


def test_readyz_answers_ok_while_the_database_answers(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert "no-store" in response.headers["Cache-Control"] and "Set-Cookie" not in response.headers


def test_readyz_is_503_while_the_database_cannot_be_opened(tmp_path: Path) -> None:
    response = app_without_database(tmp_path).test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json() == {"status": "unavailable"}
