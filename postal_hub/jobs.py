"""One round of the background jobs every feature needs run periodically (worker, run-jobs)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.orm import Session

from postal_hub.api.idempotency_models import purge_older_than
from postal_hub.contracts import jobs as contract_jobs
from postal_hub.core.custody.services import checkpoint_all
from postal_hub.core.messaging.services import send_due
from postal_hub.core.notifications import Notifier
from postal_hub.delivery.failures import expire_uncollected
from postal_hub.monitoring import jobs as monitoring_jobs
from postal_hub.training.reminders import remind_expiring


def run(session: Session, now: datetime, notifier: Notifier) -> dict[str, int]:
    summary = contract_jobs.run(session, now, notifier)
    summary["custody_checkpoints"] = checkpoint_all(
        session,
        now,
        current_app.config["SECRET_KEY"],
        timedelta(hours=current_app.config["CUSTODY_CHECKPOINT_HOURS"]),
    )
    keep = timedelta(hours=current_app.config["IDEMPOTENCY_KEEP_HOURS"])
    summary["idempotency_keys_forgotten"] = purge_older_than(session, now - keep)
    summary["deliveries_expired"] = expire_uncollected(session, now)
    summary["certificate_reminders"] = remind_expiring(session, notifier, now)
    summary.update(citizen_messages(session, now))
    return summary


def dashboards(session: Session, now: datetime, notifier: Notifier) -> dict[str, int]:
    """The dashboards' summaries brought up to date, and the alerts evaluated on them. Run after the
    round's other jobs are committed, in a transaction of its own: messages already handed to the
    gateway must never be rolled back (and sent again) because a summary failed."""
    return monitoring_jobs.run(session, now, notifier)


def citizen_messages(session: Session, now: datetime) -> dict[str, int]:
    """Reminders due, then every due message out through the configured gateway (also run every few
    seconds by the development server's thread, so `make run` shows them in its log)."""
    from postal_hub.delivery import links as delivery_links
    from postal_hub.pickup.links import resolver
    from postal_hub.pickup.reminders import remind_upcoming
    from postal_hub.services import message_backend, pickup_settings

    settings = pickup_settings()
    reminded = remind_upcoming(session, settings, now)
    links = delivery_links.resolver(session, settings.base_url, settings.secret, resolver(session, settings))
    sent = send_due(session, message_backend(), now, links=links)
    return {"pickup_reminders": reminded, "citizen_messages_sent": sent}
