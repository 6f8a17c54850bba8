"""A result reaches the post office: it waits there for the citizen, or for a postman's run."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy.orm import Session

from postal_hub.core.clock import LOCAL_TZ, to_local
from postal_hub.core.users.models import User
from postal_hub.delivery import notices, windows
from postal_hub.delivery.events import set_status
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.status import DeliveryMethod, DeliveryStatus
from postal_hub.intake.lifecycle import record_event
from postal_hub.pickup.offers import Rules


def hold_deadline(arrived: datetime, days: int) -> datetime:
    """The end of the last day the office keeps it: `days` full days after the day it arrived."""
    last_day = to_local(arrived).date() + timedelta(days=days)
    return datetime.combine(last_day, time(23, 59, 59), LOCAL_TZ)


def arrived(session: Session, delivery: Delivery, now: datetime, actor: User | None) -> None:
    dossier = delivery.dossier
    values: dict[str, object] = {"arrived_at": now}
    if delivery.method == DeliveryMethod.POST_OFFICE.value:
        # One code for the whole wait at the counter (the citizen may come any day until the deadline).
        values.update(hold_until=hold_deadline(now, delivery.hold_days), code_round=1)
    set_status(session, delivery, DeliveryStatus.AT_OFFICE, now, actor, "at_office", **values)  # type: ignore[arg-type]
    record_event(session, dossier, "at_office", now, delivery.office.name, actor)
    if delivery.method == DeliveryMethod.POST_OFFICE.value:
        notices.waiting_at_office(session, delivery, now)
        return
    rules = Rules.from_config(current_app.config)
    if not windows.assign_first_window(session, delivery, now, rules):
        delivery.day = to_local(now).date() + timedelta(days=1)  # planned by hand, no seat to hold
