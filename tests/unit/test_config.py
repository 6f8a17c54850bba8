"""The app factory and its configuration rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from postal_hub import create_app
from postal_hub.config import ConfigError, _dev_secret


def test_production_refuses_to_start_without_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTAL_HUB_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/db")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_refuses_sqlite_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTAL_HUB_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="PostgreSQL"):
        create_app()


def test_production_with_secret_and_postgres_starts_with_secure_cookies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POSTAL_HUB_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/db")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///:memory:")
    monkeypatch.setenv("SIGNIN_MAX_FAILURES", "3")
    app = create_app({"SECRET_KEY": "s"})
    assert app.config["DATABASE_URL"] == "sqlite:///:memory:"
    assert app.config["SIGNIN_MAX_FAILURES"] == 3


def test_test_config_overrides_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///:memory:")
    app = create_app({"SECRET_KEY": "s", "TESTING": True})
    assert app.testing


def test_development_keeps_one_generated_secret(tmp_path: Path) -> None:
    first = _dev_secret(tmp_path)
    assert first == _dev_secret(tmp_path)
    assert len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_warning_fraction_outside_zero_to_one_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASK_WARN_FRACTION", "1.5")
    with pytest.raises(ConfigError, match="TASK_WARN_FRACTION"):
        create_app({"SECRET_KEY": "s"})
