"""Seats, races, office choice and secrets of home pickup: defects found in review, kept as regressions."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from postal_hub.core.errors import DomainError, ValidationFailed
from postal_hub.core.messaging import services as messages
from postal_hub.core.messaging.backends import LogBackend
from postal_hub.core.users.models import Role
from postal_hub.intake.models import Dossier
from postal_hub.pickup import manage
from postal_hub.pickup.booking import Place, manage_token
from postal_hub.pickup.day_plan import plan_the_day
from postal_hub.pickup.door import complete, fail
from postal_hub.pickup.models import Pickup, PickupSlot
from postal_hub.pickup.status import OPEN, FailureReason
from postal_hub.services import pickup_settings
from tests import factories
from tests.factories import PICKUP_POINT, booked_pickup, next_window, pickup_schedule, pickup_setup

OPEN_VALUES = [s.value for s in OPEN]


def _ledger(session: Session) -> dict[Any, tuple[int, int]]:
    """Per window: (seats counted by the slot row, open bookings actually sitting in it)."""
    session.flush()
    answer = {}
    for slot in session.scalars(sa.select(PickupSlot)):
        session.refresh(slot)
        holders = session.scalar(
            sa.select(sa.func.count())
            .select_from(Pickup)
            .where(Pickup.slot_id == slot.id, Pickup.status.in_(OPEN_VALUES))
        )
        answer[slot.start_at] = (slot.booked, int(holders or 0))
    return answer


def _assert_ledger_balanced(session: Session) -> None:
    ledger = _ledger(session)
    wrong = {start: counts for start, counts in ledger.items() if counts[0] != counts[1]}
    assert wrong == {}, f"seat counters disagree with the open bookings (counted, held): {wrong}"


# ---- Seats ----------------------------------------------------------------------------------------


def test_a_visit_failed_before_its_window_gives_the_seat_back(session: Session, clock: Any) -> None:
    """The postman records "the citizen no longer wants it" two days ahead: the window's seat must be
    free for the next citizen (FAILED is not an open status, so it holds no seat)."""
    world = pickup_setup(session, capacity=1)
    first = booked_pickup(session, world, clock.now())
    fail(session, pickup_settings(), world["postman"], first, FailureReason.REFUSED.value, "", clock.now())
    # Another citizen wants the same window, which has not started yet.
    second = booked_pickup(session, world, clock.now(), phone="0987654321", citizen_id="001190012345")
    assert second.slot_start == next_window()


def test_rescheduling_a_failed_pickup_back_into_its_window_holds_one_seat(
    session: Session, clock: Any
) -> None:
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    fail(
        session, pickup_settings(), world["postman"], pickup, FailureReason.NOBODY_HOME.value, "", clock.now()
    )
    manage.reschedule(session, pickup_settings(), pickup, next_window(), clock.now(), "vi")
    _assert_ledger_balanced(session)


def test_cancelling_after_a_failed_visit_leaves_no_seat_taken(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    fail(session, pickup_settings(), world["postman"], pickup, FailureReason.REFUSED.value, "", clock.now())
    manage.cancel(session, pickup_settings(), pickup, clock.now(), "vi")
    _assert_ledger_balanced(session)


def test_two_interleaved_reschedules_of_one_booking_release_its_old_seat_only_once(
    session: Session, clock: Any
) -> None:
    """Two tabs (or a double-tap) move the same booking at once. On PostgreSQL (READ COMMITTED) the
    second request read the booking before the first committed; its compare-and-set checks only the
    status, which stays `booked`, so it goes through with the stale slot id. Simulated here by giving
    the second request the row as it read it."""
    settings = pickup_settings()
    world = pickup_setup(session)
    mine = booked_pickup(session, world, clock.now())
    booked_pickup(session, world, clock.now(), phone="0987654321", citizen_id="001190012345")  # a neighbour
    read_by_second = {"slot_id": mine.slot_id, "slot_start": mine.slot_start, "slot_end": mine.slot_end}

    manage.reschedule(session, settings, mine, next_window(14), clock.now(), "vi")  # the first request
    for name, value in read_by_second.items():  # the second request's view of the row
        set_committed_value(mine, name, value)
    try:
        manage.reschedule(session, settings, mine, next_window(10), clock.now(), "vi")
    except DomainError:
        session.rollback()  # refusing the stale move is a fine answer; corrupting the counters is not
        return
    _assert_ledger_balanced(session)


# ---- Office choice --------------------------------------------------------------------------------

BORDER_POINT = (21.100, 105.960)  # a Hà Nội address by the Bắc Ninh border


def test_a_procedure_needing_an_onsite_inspection_booked_at_the_border_can_be_accepted_at_the_door(
    session: Session, clock: Any
) -> None:
    """Booking ignores `onsite_inspection` and sends the nearer Bắc Ninh office; accept() then refuses
    the dossier at the door ("handled within Hà Nội"), so the citizen's booking can never succeed."""
    world = pickup_setup(session, office_point=(21.050, 105.900))
    across = factories.post_office(session, world["operator"], province_code="24")
    across.lat, across.lon = 21.110, 105.970
    across.opening_hours = "Mo-Fr 07:30-17:00"
    pickup_schedule(session, across)
    factories.user(session, Role.POSTMAN, organization=world["operator"], post_office_id=across.id)
    world["procedure"].onsite_inspection = True
    session.flush()

    pickup = booked_pickup(
        session, world, clock.now(), place=Place("01", "00097", "Thôn Đông", *BORDER_POINT)
    )
    postman = session.scalar(
        sa.select(factories.User).where(
            factories.User.post_office_id == pickup.office_id, factories.User.role == Role.POSTMAN.value
        )
    )
    every = {c.code for c in world["procedure"].components}
    result = complete(session, pickup_settings(), postman, pickup, every, "cash", clock.now())
    assert isinstance(result, Dossier)


def test_a_covered_office_is_found_behind_more_than_25_nearer_offices_that_do_not_pick_up(
    session: Session, clock: Any
) -> None:
    """In a dense city the 25 nearest offices may all lack a pickup schedule (or belong to another
    operator); the covered office 1.3 km away must still be chosen."""
    world = pickup_setup(session)
    other_operator = factories.operator(session)
    for n in range(26):
        office = factories.post_office(session, other_operator, province_code="01")
        office.lat, office.lon = PICKUP_POINT[0] + 0.0001 * n, PICKUP_POINT[1] + 0.0001
    session.flush()
    pickup = booked_pickup(session, world, clock.now())
    assert pickup.office_id == world["office"].id


# ---- Personal data and secrets ---------------------------------------------------------------------


def test_the_log_backend_never_writes_the_manage_token_to_the_log(
    session: Session, clock: Any, caplog: Any
) -> None:
    """LogBackend promises "no link: it carries a secret token", but logs the body, which has the link."""
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    token = manage_token(pickup_settings(), pickup)
    with caplog.at_level(logging.INFO, logger="postal_hub.messages"):
        messages.send_due(session, LogBackend(), clock.now())
    assert caplog.records, "the log backend wrote nothing"
    assert token not in caplog.text


# ---- Dispatch --------------------------------------------------------------------------------------


def test_planning_the_day_refuses_a_deactivated_postman(session: Session, clock: Any) -> None:
    """assign() refuses an inactive postman; plan_the_day() puts the day's stops on his route."""
    world = pickup_setup(session)
    booked_pickup(session, world, clock.now())
    gone = world["postman"]
    gone.active = False
    session.flush()
    with pytest.raises(ValidationFailed):
        plan_the_day(session, world["manager"], world["office"], next_window().date(), [gone], clock.now())


def test_a_copy_of_the_database_does_not_hold_a_working_manage_token(session: Session, clock: Any) -> None:
    """tokens.py: the token "is never stored, so a copy of the database gives nobody the power to cancel
    bookings". The citizen-message outbox keeps the whole manage URL, token included, in `body` and
    `link` (and keeps sent messages indefinitely)."""
    from postal_hub.core.messaging.models import CitizenMessage

    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    token = manage_token(pickup_settings(), pickup)
    stored = session.execute(sa.select(CitizenMessage.body, CitizenMessage.link)).all()
    assert stored
    assert not any(token in (body + link) for body, link in stored)
