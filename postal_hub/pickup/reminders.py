"""Reminders the day before, and the manage link sent again to the booking's own phone."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from postal_hub.core import validators
from postal_hub.pickup import notices
from postal_hub.pickup.booking import Settings
from postal_hub.pickup.models import Pickup
from postal_hub.pickup.status import OPEN

REMIND_AHEAD = timedelta(hours=20)  # the evening before a morning window, the morning of an evening one


def remind_upcoming(session: Session, settings: Settings, now: datetime) -> int:
    """Once per booking, when its window is less than 20 hours away; a booking made within those
    20 hours had its confirmation recently enough and is left alone."""
    due = session.scalars(
        sa.select(Pickup)
        .where(
            Pickup.status.in_([s.value for s in OPEN]),
            Pickup.reminded_at.is_(None),
            Pickup.slot_start > now,
            Pickup.slot_start <= now + REMIND_AHEAD,
        )
        .options(selectinload(Pickup.office))
        .order_by(Pickup.slot_start, Pickup.id)
    ).all()
    # Date arithmetic between two columns differs by engine; the window above keeps this list short.
    due = [p for p in due if p.created_at <= p.slot_start - REMIND_AHEAD]
    sent = 0
    for pickup in due:
        if _claim(session, pickup, now):
            notices.reminder(session, pickup, now)
            sent += 1
    session.flush()
    return sent


def _claim(session: Session, pickup: Pickup, now: datetime) -> bool:
    """Only if nobody reminded it meanwhile and it is still open for the window just read: two job
    runs send one reminder, and a booking moved or cancelled a moment ago is not reminded of the old."""
    result = session.execute(
        sa.update(Pickup)
        .where(
            Pickup.id == pickup.id,
            Pickup.reminded_at.is_(None),
            Pickup.status.in_([s.value for s in OPEN]),
            Pickup.slot_start == pickup.slot_start,
        )
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def send_link_again(
    session: Session, settings: Settings, reference: str, phone: str, now: datetime, language: str
) -> bool:
    """Only to the phone the booking was made with, so knowing a reference reveals nothing; the caller
    answers the same whatever the outcome."""
    try:
        number = validators.mobile_phone(phone)
    except validators.InvalidValue:
        return False
    pickup = session.scalar(
        sa.select(Pickup).where(
            Pickup.reference == (reference or "").strip().upper(), Pickup.applicant_phone == number
        )
    )
    if pickup is None:
        return False
    notices.link_again(session, pickup, now, language)
    return True
