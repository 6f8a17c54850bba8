"""Reminders before the window, and a lost manage link sent again to the booking's own phone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.messaging.models import CitizenMessage
from postal_hub.pickup.reminders import remind_upcoming, send_link_again
from postal_hub.services import pickup_settings
from tests.factories import booked_pickup, next_window, pickup_setup


def _kinds(session: Session) -> list[str]:
    return list(session.scalars(sa.select(CitizenMessage.kind).order_by(CitizenMessage.id)))


def test_a_booking_is_reminded_once_the_day_before(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    booked_pickup(session, world, clock.now())  # Monday 08:00, booked on Friday
    the_evening_before = next_window() - timedelta(hours=15)
    assert remind_upcoming(session, pickup_settings(), the_evening_before) == 1
    assert remind_upcoming(session, pickup_settings(), the_evening_before + timedelta(hours=1)) == 0
    assert _kinds(session) == ["pickup.booked", "pickup.reminder"]


def test_a_booking_made_the_same_day_gets_no_reminder(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    booked_pickup(session, world, clock.now(), slot_start=next_window(14, days=0))
    assert remind_upcoming(session, pickup_settings(), clock.now() + timedelta(hours=1)) == 0


def test_a_cancelled_booking_gets_no_reminder(session: Session, clock: Any) -> None:
    from postal_hub.pickup import manage

    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    manage.cancel(session, pickup_settings(), pickup, clock.now(), "vi")
    assert remind_upcoming(session, pickup_settings(), next_window() - timedelta(hours=15)) == 0


def test_the_link_is_sent_again_only_to_the_bookings_phone(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    assert not send_link_again(session, pickup_settings(), pickup.reference, "0987654321", clock.now(), "vi")
    assert send_link_again(
        session, pickup_settings(), pickup.reference.lower(), "0912 345 678", clock.now(), "vi"
    )
    messages = session.scalars(sa.select(CitizenMessage).where(CitizenMessage.kind == "pickup.link")).all()
    assert [m.recipient for m in messages] == ["+84912345678"]
