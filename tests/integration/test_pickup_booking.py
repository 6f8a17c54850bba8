"""Booking, rescheduling and cancelling home pickups through the service layer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.errors import Conflict, NotFound, ValidationFailed
from postal_hub.core.messaging.models import CitizenMessage
from postal_hub.core.messaging.services import rendered
from postal_hub.pickup import manage
from postal_hub.pickup.booking import SlotFull, book, manage_token
from postal_hub.pickup.links import resolver
from postal_hub.pickup.models import Pickup, PickupSlot
from postal_hub.pickup.status import PickupStatus
from postal_hub.services import pickup_settings
from postal_hub.webhooks.models import OutboxMessage
from tests.conftest import count
from tests.factories import booked_pickup, booking_input, next_window, pickup_setup, webhook_endpoint


def _seats(session: Session) -> int:
    return int(session.scalar(sa.select(sa.func.coalesce(sa.func.sum(PickupSlot.booked), 0))) or 0)


def test_a_booking_names_the_office_the_window_and_the_contract_fee(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    assert pickup.status == PickupStatus.BOOKED
    assert pickup.office_id == world["office"].id
    assert pickup.slot_start == next_window()
    assert pickup.slot_end == next_window(10)
    assert pickup.fee == 10_000
    assert pickup.reference.startswith("HP")


def test_a_booking_takes_one_seat_of_its_window(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    booked_pickup(session, world, clock.now())
    assert _seats(session) == 1


def test_a_booking_stores_the_consent_version_and_time(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    assert pickup.consent_at == clock.now()
    assert pickup.consent_version


def test_a_booking_without_consent_is_refused_and_writes_nothing(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    with pytest.raises(ValidationFailed) as refused:
        booked_pickup(session, world, clock.now(), consent=False)
    assert "consent" in refused.value.fields
    assert count(session, Pickup) == 0
    assert _seats(session) == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phone": "12345"}, "applicant.phone"),
        ({"citizen_id": "123"}, "applicant.citizen_id"),
        ({"name": " "}, "applicant.name"),
        ({"procedure_code": "NO.SUCH"}, "procedure_code"),
        ({"result_delivery": "drone"}, "result_delivery"),
    ],
)
def test_bad_applicant_data_is_refused_naming_the_field(
    session: Session, clock: Any, overrides: dict[str, Any], field: str
) -> None:
    world = pickup_setup(session)
    with pytest.raises(ValidationFailed) as refused:
        booked_pickup(session, world, clock.now(), **overrides)
    assert field in refused.value.fields


def test_a_commune_outside_the_chosen_province_is_refused(session: Session, clock: Any) -> None:
    from postal_hub.pickup.booking import Place

    world = pickup_setup(session)
    with pytest.raises(ValidationFailed) as refused:
        booked_pickup(session, world, clock.now(), place=Place("79", "00097", "12 Phúc Xá"))
    assert "commune_code" in refused.value.fields


def test_a_window_in_the_past_is_refused(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    with pytest.raises(ValidationFailed) as refused:
        booked_pickup(session, world, clock.now(), slot_start=next_window(days=-1))
    assert "slot_start" in refused.value.fields


def test_a_time_that_is_no_window_of_the_office_is_refused(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    with pytest.raises(ValidationFailed) as refused:
        booked_pickup(session, world, clock.now(), slot_start=next_window(19))
    assert "slot_start" in refused.value.fields


def test_a_procedure_not_allowed_by_post_is_refused(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    world["procedure"].postal_allowed = False
    with pytest.raises(ValidationFailed) as refused:
        booked_pickup(session, world, clock.now())
    assert "procedure_code" in refused.value.fields


def test_a_full_window_answers_slot_full_with_the_next_free_windows(session: Session, clock: Any) -> None:
    world = pickup_setup(session, capacity=1)
    booked_pickup(session, world, clock.now())
    with pytest.raises(SlotFull) as full:
        booked_pickup(session, world, clock.now(), phone="0987654321")
    assert full.value.next_free
    assert all(window.window.start > next_window() for _offer, window in full.value.next_free)
    assert count(session, Pickup) == 1


def test_one_phone_cannot_hold_more_open_bookings_than_allowed(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    for hour in (8, 10, 14):
        booked_pickup(session, world, clock.now(), slot_start=next_window(hour))
    with pytest.raises(Conflict):
        booked_pickup(session, world, clock.now(), slot_start=next_window(8, days=5))


def test_a_booking_sends_the_citizen_a_message_with_the_manage_link(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    message = session.scalar(sa.select(CitizenMessage).where(CitizenMessage.subject_ref == pickup.reference))
    assert message is not None
    assert message.recipient == "+84912345678"
    assert pickup.reference in message.body
    body, link = rendered(message, resolver(session, pickup_settings()))
    assert manage_token(pickup_settings(), pickup) in link
    assert link in body


def test_a_booking_tells_the_units_systems_by_webhook(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    webhook_endpoint(session, world["unit"])
    booked_pickup(session, world, clock.now())
    sent = session.scalars(sa.select(OutboxMessage.event_type)).all()
    assert "pickup.booked" in sent


def test_the_same_idempotency_key_and_body_return_the_first_booking(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    first = booked_pickup(session, world, clock.now(), idempotency_key="k-1")
    again = booked_pickup(session, world, clock.now(), idempotency_key="k-1")
    assert again.id == first.id
    assert _seats(session) == 1


def test_the_same_idempotency_key_with_another_body_is_refused(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    booked_pickup(session, world, clock.now(), idempotency_key="k-2")
    with pytest.raises(ValidationFailed):
        booked_pickup(session, world, clock.now(), idempotency_key="k-2", name="Lê Thị Bình")


def test_rescheduling_moves_the_seat_to_the_new_window(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    manage.reschedule(session, pickup_settings(), pickup, next_window(14), clock.now(), "vi")
    slots = {s.start_at: s.booked for s in session.scalars(sa.select(PickupSlot))}
    assert slots[next_window()] == 0
    assert slots[next_window(14)] == 1
    assert pickup.slot_start == next_window(14)


def test_cancelling_frees_the_seat(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    manage.cancel(session, pickup_settings(), pickup, clock.now(), "vi")
    assert pickup.status == PickupStatus.CANCELLED
    assert _seats(session) == 0


def test_a_booking_cannot_be_changed_after_the_cutoff(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    late = next_window() - timedelta(hours=1)
    with pytest.raises(Conflict):
        manage.cancel(session, pickup_settings(), pickup, late, "vi")


def test_a_manage_token_of_another_booking_opens_nothing(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    mine = booked_pickup(session, world, clock.now())
    other = booked_pickup(session, world, clock.now(), phone="0987654321")
    with pytest.raises(NotFound):
        manage.get_with_token(
            session, pickup_settings(), mine.reference, manage_token(pickup_settings(), other)
        )


def test_the_right_manage_token_opens_the_booking(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    mine = booked_pickup(session, world, clock.now())
    found = manage.get_with_token(
        session, pickup_settings(), mine.reference, manage_token(pickup_settings(), mine)
    )
    assert found.id == mine.id


def test_book_is_the_only_writer_of_a_new_booking(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    data = booking_input(world, next_window())
    pickup = book(session, pickup_settings(), data, clock.now())
    assert [e.code for e in pickup.events] == ["booked"]


def test_a_booking_cannot_be_moved_after_the_cutoff(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    with pytest.raises(Conflict):
        manage.reschedule(
            session, pickup_settings(), pickup, next_window(14), next_window() - timedelta(hours=1), "vi"
        )


def test_moving_an_assigned_booking_takes_it_off_the_postmans_route(session: Session, clock: Any) -> None:
    from postal_hub.pickup.dispatch import assign

    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    assign(session, world["manager"], pickup, world["postman"], clock.now())
    manage.reschedule(session, pickup_settings(), pickup, next_window(14), clock.now(), "vi")
    assert pickup.status == PickupStatus.BOOKED
    assert pickup.postman_id is None


def test_moving_into_a_full_window_is_slot_full_and_keeps_the_old_seat(session: Session, clock: Any) -> None:
    world = pickup_setup(session, capacity=1)
    mine = booked_pickup(session, world, clock.now())
    booked_pickup(session, world, clock.now(), phone="0987654321", slot_start=next_window(14))
    with pytest.raises(SlotFull):
        manage.reschedule(session, pickup_settings(), mine, next_window(14), clock.now(), "vi")
    session.refresh(mine)
    assert mine.slot_start == next_window()


def test_a_completed_booking_cannot_be_cancelled(session: Session, clock: Any) -> None:
    from postal_hub.pickup import door

    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    door.complete(session, pickup_settings(), world["postman"], pickup, {"TP1", "TP2"}, "cash", clock.now())
    with pytest.raises(Conflict):
        manage.cancel(session, pickup_settings(), pickup, clock.now(), "vi")


def test_a_failed_visit_frees_its_seat_and_can_be_booked_again(session: Session, clock: Any) -> None:
    from postal_hub.pickup import door

    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    door.fail(session, pickup_settings(), world["postman"], pickup, "nobody_home", "", clock.now())
    assert _seats(session) == 0
    manage.reschedule(session, pickup_settings(), pickup, next_window(8, days=5), clock.now(), "vi")
    assert pickup.status == PickupStatus.BOOKED
    assert _seats(session) == 1
