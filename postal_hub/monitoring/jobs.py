"""The monitoring part of each worker round: bring the summaries up to date, then evaluate the alerts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from postal_hub.core.notifications import Notifier
from postal_hub.monitoring.alert_rules import AlertSettings
from postal_hub.monitoring.alerts import evaluate
from postal_hub.monitoring.refresh import refresh


def run(
    session: Session, now: datetime, notifier: Notifier, settings: AlertSettings | None = None
) -> dict[str, int]:
    result = refresh(session, now)
    counts = evaluate(session, now, notifier, settings or _settings())
    return {"monitoring_dossiers_refreshed": result.dossiers, **counts}


def _settings() -> AlertSettings:
    """The thresholds from the app's config (the worker round runs inside the app's context)."""
    from flask import current_app

    return AlertSettings.from_config(current_app.config)
