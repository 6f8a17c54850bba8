"""Settings from environment variables, with safe development defaults and strict production rules."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent


class ConfigError(RuntimeError):
    """The deployment's settings are unsafe or incomplete; the app refuses to start."""


def resource_dir(name: str) -> Path:
    """templates/, static/ and migrations/ sit at the repository root in a checkout and inside the
    package in an installed wheel (see pyproject's force-include)."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise ConfigError(f"Cannot find the {name}/ folder next to or inside the postal_hub package.")


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _dev_secret(instance_path: Path) -> str:
    """Development keeps one generated secret in instance/ so sessions survive restarts."""
    instance_path.mkdir(parents=True, exist_ok=True)
    secret_file = instance_path / "secret_key"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        secret_file.chmod(0o600)
    return secret_file.read_text(encoding="utf-8").strip()


def load_config(app: Flask, test_config: dict[str, Any] | None = None) -> None:
    instance_path = Path(app.instance_path)
    env = os.environ.get("POSTAL_HUB_ENV", "development").strip().lower()
    production = env == "production"
    app.config.from_mapping(
        ENV_NAME=env,
        DATABASE_URL=os.environ.get("DATABASE_URL")
        or f"sqlite:///{(instance_path / 'postal_hub.sqlite3').as_posix()}",
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        ALLOW_SQLITE_IN_PRODUCTION=_env_bool("POSTAL_HUB_ALLOW_SQLITE"),
        DATABASE_POOL_SIZE=int(os.environ.get("DATABASE_POOL_SIZE", "5")),
        # Public lookups (tracking) have a pool of their own: autocommit, no pre-ping (db.read).
        DATABASE_READ_POOL_SIZE=int(os.environ.get("DATABASE_READ_POOL_SIZE", "2")),
        # ...and a limit in seconds on waiting for a pooled connection, a new one, or a statement.
        DATABASE_READ_TIMEOUT_SECONDS=int(os.environ.get("DATABASE_READ_TIMEOUT_SECONDS", "5")),
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_DEFAULT_TIMEZONE="Asia/Ho_Chi_Minh",
        LANGUAGES=("vi", "en"),
        PASSWORD_HASH_METHOD=os.environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        SIGNIN_MAX_FAILURES=int(os.environ.get("SIGNIN_MAX_FAILURES", "5")),
        SIGNIN_MAX_FAILURES_PER_IP=int(os.environ.get("SIGNIN_MAX_FAILURES_PER_IP", "30")),
        SIGNIN_WINDOW_MINUTES=int(os.environ.get("SIGNIN_WINDOW_MINUTES", "15")),
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "120"))),
        SESSION_REFRESH_EACH_REQUEST=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        REMEMBER_COOKIE_SECURE=production,
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_SCAN_BYTES=int(os.environ.get("MAX_SCAN_BYTES", str(20 * 1024 * 1024))),
        MAX_UPLOAD_BYTES=int(os.environ.get("MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))),
        PAGE_SIZE=25,
        PUBLIC_BASE_URL=os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        TRACK_LOOKUPS_PER_MINUTE=int(os.environ.get("TRACK_LOOKUPS_PER_MINUTE", "30")),
        TASK_WARN_FRACTION=float(os.environ.get("TASK_WARN_FRACTION", "0.8")),
        API_REQUESTS_PER_MINUTE=int(os.environ.get("API_REQUESTS_PER_MINUTE", "300")),
        CUSTODY_CHECKPOINT_HOURS=float(os.environ.get("CUSTODY_CHECKPOINT_HOURS", "24")),
        IDEMPOTENCY_KEEP_HOURS=float(os.environ.get("IDEMPOTENCY_KEEP_HOURS", "72")),
    )
    if test_config:
        app.config.update(test_config)
    # The request limit must let the largest scan through; each upload checks its own limit.
    app.config.setdefault("MAX_CONTENT_LENGTH", None)
    app.config["MAX_CONTENT_LENGTH"] = (
        max(app.config["MAX_SCAN_BYTES"], app.config["MAX_UPLOAD_BYTES"]) + 1024 * 1024
    )
    # Webhooks: loopback receivers (http://127.0.0.1) only outside production unless told otherwise.
    app.config.setdefault("WEBHOOK_ALLOW_LOOPBACK", _env_bool("WEBHOOK_ALLOW_LOOPBACK", not production))
    app.config.setdefault("WEBHOOK_TIMEOUT_SECONDS", float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10")))
    app.config.setdefault("WEBHOOK_RETRY_HOURS", int(os.environ.get("WEBHOOK_RETRY_HOURS", "48")))
    app.config.setdefault("WEBHOOK_LEASE_SECONDS", int(os.environ.get("WEBHOOK_LEASE_SECONDS", "120")))
    app.config.setdefault("WEBHOOK_BATCH_SIZE", int(os.environ.get("WEBHOOK_BATCH_SIZE", "50")))
    if app.config["WEBHOOK_RETRY_HOURS"] < 24:
        raise ConfigError("WEBHOOK_RETRY_HOURS must be at least 24 (the API promises a day of retries).")
    if not 0 < app.config["WEBHOOK_TIMEOUT_SECONDS"] <= 60:
        raise ConfigError("WEBHOOK_TIMEOUT_SECONDS must lie between 0 and 60 seconds.")
    if app.config["WEBHOOK_LEASE_SECONDS"] < 3 * app.config["WEBHOOK_TIMEOUT_SECONDS"]:
        raise ConfigError("WEBHOOK_LEASE_SECONDS must be at least three times WEBHOOK_TIMEOUT_SECONDS.")
    if app.config["WEBHOOK_BATCH_SIZE"] < 1:
        raise ConfigError("WEBHOOK_BATCH_SIZE must be at least 1.")
    _pickup_settings(app)
    _monitoring_settings(app)
    if not 0 < app.config["TASK_WARN_FRACTION"] < 1:
        raise ConfigError("TASK_WARN_FRACTION must lie between 0 and 1 (e.g. 0.8 for 80% of the SLA).")
    if production:
        if not app.config["SECRET_KEY"]:
            raise ConfigError("SECRET_KEY must be set when POSTAL_HUB_ENV=production.")
        if app.config["DATABASE_URL"].startswith("sqlite") and not app.config["ALLOW_SQLITE_IN_PRODUCTION"]:
            raise ConfigError(
                "Production needs a PostgreSQL DATABASE_URL (set POSTAL_HUB_ALLOW_SQLITE=1 to override)."
            )
    elif not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _dev_secret(instance_path)
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        instance_path.mkdir(parents=True, exist_ok=True)


PICKUP_DEFAULTS: dict[str, tuple[type, str]] = {
    # Home pickup: how far ahead, how late a change, how far a postman goes, and abuse limits.
    "PICKUP_HORIZON_DAYS": (int, "14"),
    "PICKUP_MIN_LEAD_MINUTES": (int, "60"),
    "PICKUP_CHANGE_CUTOFF_HOURS": (float, "2"),
    "PICKUP_MAX_DISTANCE_KM": (float, "30"),
    "PICKUP_MAX_OPEN_PER_PHONE": (int, "3"),
    "PICKUP_BOOKINGS_PER_HOUR_PER_IP": (int, "20"),
    "PICKUP_BOOKINGS_PER_HOUR_PER_PHONE": (int, "5"),
    "PICKUP_CONSENT_VERSION": (str, "2026-12-01"),
    # External I/O: the geocoder (offline gazetteer by default) and the citizen notifier.
    "GEOCODER": (str, "gazetteer"),
    "NOMINATIM_URL": (str, ""),
    "NOMINATIM_USER_AGENT": (str, "postal-hub"),
    "NOMINATIM_TIMEOUT": (float, "3"),
    "NOMINATIM_MIN_DELAY": (float, "1"),
    "NOMINATIM_CACHE_SIZE": (int, "10000"),
    "CITIZEN_NOTIFIER": (str, "log"),
    "CITIZEN_NOTIFIER_URL": (str, ""),
    "CITIZEN_NOTIFIER_TOKEN": (str, ""),
    "CITIZEN_NOTIFIER_TIMEOUT": (float, "5"),
}


def _typed_settings(app: Flask, defaults: dict[str, tuple[type, str]]) -> None:
    """Each setting from the app's config, else the environment, else its default, as its type."""
    for name, (kind, default) in defaults.items():
        if name not in app.config:
            raw = os.environ.get(name, default)
            try:
                app.config[name] = kind(raw)
            except ValueError as exc:
                raise ConfigError(f"{name} must be a {kind.__name__}, not {raw!r}.") from exc


def _pickup_settings(app: Flask) -> None:
    _typed_settings(app, PICKUP_DEFAULTS)
    if not 1 <= app.config["PICKUP_HORIZON_DAYS"] <= 90:
        raise ConfigError("PICKUP_HORIZON_DAYS must lie between 1 and 90.")
    if app.config["PICKUP_MIN_LEAD_MINUTES"] < 0 or app.config["PICKUP_CHANGE_CUTOFF_HOURS"] < 0:
        raise ConfigError("PICKUP_MIN_LEAD_MINUTES and PICKUP_CHANGE_CUTOFF_HOURS cannot be negative.")
    if not 0 < app.config["PICKUP_MAX_DISTANCE_KM"] <= 200:
        raise ConfigError("PICKUP_MAX_DISTANCE_KM must lie between 0 and 200.")
    if app.config["GEOCODER"] not in ("gazetteer", "nominatim"):
        raise ConfigError("GEOCODER must be 'gazetteer' or 'nominatim'.")
    if app.config["GEOCODER"] == "nominatim" and not app.config["NOMINATIM_URL"]:
        raise ConfigError("GEOCODER=nominatim needs NOMINATIM_URL (your self-hosted Nominatim).")
    if app.config["CITIZEN_NOTIFIER"] not in ("log", "http"):
        raise ConfigError("CITIZEN_NOTIFIER must be 'log' or 'http'.")
    if app.config["CITIZEN_NOTIFIER"] == "http" and not app.config["CITIZEN_NOTIFIER_URL"]:
        raise ConfigError("CITIZEN_NOTIFIER=http needs CITIZEN_NOTIFIER_URL.")


MONITORING_DEFAULTS: dict[str, tuple[type, str]] = {
    # Alerts the worker raises (monitoring/alert_rules.py): thresholds and the volumes they need.
    "MONITORING_SLA_ALERT_PERCENT": (float, "90"),
    "MONITORING_SLA_ALERT_MIN_TASKS": (int, "5"),
    "MONITORING_STALL_HOURS": (float, "48"),
    "MONITORING_BACKLOG_SIZE": (int, "20"),
    "MONITORING_BACKLOG_HOURS": (float, "24"),
    "MONITORING_SATISFACTION_TARGET": (float, "95"),
    "MONITORING_SATISFACTION_MIN_RATINGS": (int, "10"),
    "MONITORING_SATISFACTION_DAYS": (int, "30"),
    "MONITORING_ALERTS_PER_ROUND": (int, "500"),
}


def _monitoring_settings(app: Flask) -> None:
    _typed_settings(app, MONITORING_DEFAULTS)
    for name in MONITORING_DEFAULTS:
        if app.config[name] <= 0:
            raise ConfigError(f"{name} must be greater than 0.")
    for name in ("MONITORING_SLA_ALERT_PERCENT", "MONITORING_SATISFACTION_TARGET"):
        if app.config[name] > 100:
            raise ConfigError(f"{name} must be a percentage, at most 100.")
