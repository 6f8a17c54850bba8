"""While the database cannot be reached, pages and the API answer 503 and ask for another try."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from postal_hub import create_app
from tests.conftest import TEST_CONFIG


def app_without_database(tmp_path: Path) -> Flask:
    """An app whose SQLite file lies in a folder that does not exist: every connection fails."""
    unreachable = f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite3'}"
    return create_app({**TEST_CONFIG, "DATABASE_URL": unreachable})


def test_an_api_call_while_the_database_is_unreachable_is_a_503_in_the_contract_shape(tmp_path: Path) -> None:
    response = app_without_database(tmp_path).test_client().get("/api/v1/procedures")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.get_json()["error"]["code"] == "unavailable"


def test_tracking_while_the_database_is_unreachable_is_a_503_not_a_500(tmp_path: Path) -> None:
    response = app_without_database(tmp_path).test_client().get("/api/v1/track/RR000000000VN")
    assert response.status_code == 503


def test_a_page_while_the_database_is_unreachable_says_in_vietnamese_to_try_again(tmp_path: Path) -> None:
    response = app_without_database(tmp_path).test_client().get("/track/RR000000000VN")
    assert response.status_code == 503
    assert "Vui lòng thử lại" in response.get_data(as_text=True)
