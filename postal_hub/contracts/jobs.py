"""The contract jobs the worker runs: expiry at the end date, escalation of tasks near or past due."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from postal_hub.contracts.services import expire_ended
from postal_hub.contracts.tasks import escalate
from postal_hub.core.notifications import Notifier


def run(session: Session, now: datetime, notifier: Notifier) -> dict[str, int]:
    expired = expire_ended(session, now)
    near, overdue = escalate(session, now, notifier)
    return {"contracts_expired": len(expired), "tasks_near_due": near, "tasks_overdue": overdue}
