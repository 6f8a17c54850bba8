"""The office that picks up is the nearest covered one with room, wherever the province border lies."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from postal_hub.core.errors import ValidationFailed
from postal_hub.pickup.booking import Place
from tests import factories
from tests.factories import booked_pickup, next_window, pickup_schedule, pickup_setup

BORDER_POINT = (21.100, 105.960)  # a Hà Nội address by the Bắc Ninh border


def _two_offices(session: Session, **contract: Any) -> dict[str, Any]:
    """A Hà Nội office 8 km away and a Bắc Ninh office 1.5 km away, across the border."""
    world = pickup_setup(session, office_point=(21.050, 105.900), **contract)
    across = factories.post_office(session, world["operator"], province_code="24")
    across.lat, across.lon = 21.110, 105.970
    across.opening_hours = "Mo-Fr 07:30-17:00"
    pickup_schedule(session, across)
    world["across"] = across
    return world


def _book_at_border(session: Session, world: dict[str, Any], now: Any) -> Any:
    return booked_pickup(session, world, now, place=Place("01", "00097", "Thôn Đông", *BORDER_POINT))


def test_the_nearer_office_across_the_border_picks_up_when_its_province_is_covered(
    session: Session, clock: Any
) -> None:
    world = _two_offices(session)  # a nationwide contract
    pickup = _book_at_border(session, world, clock.now())
    assert pickup.office_id == world["across"].id
    assert pickup.distance_km < 2


def test_the_office_in_the_own_province_picks_up_when_the_border_office_is_not_covered(
    session: Session, clock: Any
) -> None:
    world = _two_offices(session, nationwide=False, province_codes=["01"])
    pickup = _book_at_border(session, world, clock.now())
    assert pickup.office_id == world["office"].id


def test_a_full_nearest_office_passes_the_window_to_the_next_covered_office(
    session: Session, clock: Any
) -> None:
    world = _two_offices(session)
    first = _book_at_border(session, world, clock.now())
    for n in range(3):  # fill the border office's window (capacity 4)
        booked_pickup(
            session,
            world,
            clock.now(),
            place=Place("01", "00097", "Thôn Đông", *BORDER_POINT),
            phone=f"09876543{n:02d}",
        )
    last = booked_pickup(
        session,
        world,
        clock.now(),
        place=Place("01", "00097", "Thôn Đông", *BORDER_POINT),
        phone="0977777777",
    )
    assert first.office_id == world["across"].id
    assert last.office_id == world["office"].id


def test_an_address_far_from_every_office_gets_a_clear_refusal(session: Session, clock: Any) -> None:
    world = pickup_setup(session)
    with pytest.raises(ValidationFailed) as refused:
        booked_pickup(session, world, clock.now(), place=Place("96", "31825", "Xa"))  # Bạc Liêu
    assert "commune_code" in refused.value.fields


def test_the_fee_follows_the_contracts_distance_band(session: Session, clock: Any) -> None:
    world = pickup_setup(session, office_point=(21.0285, 105.9300))  # about 8 km east of the address
    world["contract"].versions[-1].pickup_bands = "5:0; 10:7000"
    pickup = booked_pickup(session, world, clock.now())
    assert pickup.fee == 10_000 + 7_000


def test_an_office_beyond_the_contracts_last_band_does_not_pick_up(session: Session, clock: Any) -> None:
    world = pickup_setup(session, office_point=(21.0285, 105.9300))
    world["contract"].versions[-1].pickup_bands = "5:0"
    with pytest.raises(ValidationFailed):
        booked_pickup(session, world, clock.now())


def test_the_dossier_picked_up_is_priced_at_the_quoted_fee(session: Session, clock: Any) -> None:
    from postal_hub.pickup import door
    from postal_hub.services import pickup_settings

    world = pickup_setup(session, office_point=(21.0285, 105.9300))
    world["contract"].versions[-1].pickup_bands = "5:0; 10:7000"
    pickup = booked_pickup(session, world, clock.now())
    dossier = door.complete(
        session, pickup_settings(), world["postman"], pickup, {"TP1", "TP2"}, "cash", clock.now()
    )
    assert getattr(dossier, "postal_price", None) == 17_000


def test_a_phone_far_from_the_chosen_commune_does_not_move_the_address(session: Session, clock: Any) -> None:
    """Booking for a parent's house in Hà Nội from Hồ Chí Minh City: the Hà Nội office comes."""
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now(), place=Place("01", "00097", "12 Phúc Xá", 10.8, 106.7))
    assert pickup.office_id == world["office"].id
    assert pickup.point_precision != "device"


def test_a_booking_moved_to_another_operators_office_is_handed_over_by_webhook(
    session: Session, clock: Any
) -> None:
    import sqlalchemy as sa

    from postal_hub.pickup import manage
    from postal_hub.services import pickup_settings
    from postal_hub.webhooks.models import OutboxMessage

    world = pickup_setup(session)
    other = factories.operator(session)
    late = factories.post_office(session, other, province_code="01")
    late.lat, late.lon, late.opening_hours = 21.0300, 105.8600, "Mo-Fr 07:30-17:00"
    pickup_schedule(session, late, windows="Mo-Fr 16:00-16:45")
    factories.contract(session, world["unit"], other)
    first, _secret = factories.webhook_endpoint(session, world["operator"])
    second, _secret = factories.webhook_endpoint(session, other)
    pickup = booked_pickup(session, world, clock.now())
    manage.reschedule(session, pickup_settings(), pickup, next_window(16), clock.now(), "vi")
    assert pickup.office_id == late.id
    sent = set(session.execute(sa.select(OutboxMessage.endpoint_id, OutboxMessage.event_type)))
    assert (first.id, "pickup.cancelled") in sent
    assert (second.id, "pickup.booked") in sent
