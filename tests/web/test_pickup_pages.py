"""The citizen's booking and manage pages, without an account."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.pickup.booking import manage_token
from postal_hub.pickup.models import Pickup
from postal_hub.pickup.status import PickupStatus
from postal_hub.services import pickup_settings
from tests.factories import PICKUP_POINT, booked_pickup, next_window, pickup_setup


def _form(world: dict[str, Any], **overrides: str) -> dict[str, str]:
    data = {
        "procedure_code": world["procedure"].code,
        "province_code": "01",
        "commune_code": "00097",
        "street": "12 Phúc Xá",
        "lat": str(PICKUP_POINT[0]),
        "lon": str(PICKUP_POINT[1]),
        "date": "2026-11-23",
        "slot_start": next_window().isoformat(),
        "applicant_name": "Nguyễn Văn An",
        "phone": "0912345678",
        "citizen_id": "001090012345",
        "result_delivery": "home",
        "consent": "y",
        "action": "book",
    }
    data.update(overrides)
    return data


def _one(session: Session) -> Pickup | None:
    return session.scalar(sa.select(Pickup))


def test_the_booking_page_opens_without_an_account(session: Session, client: FlaskClient) -> None:
    pickup_setup(session)
    assert client.get("/pickup").status_code == 200


def test_choosing_a_procedure_shows_its_checklist(session: Session, client: FlaskClient) -> None:
    world = pickup_setup(session)
    page = client.get("/pickup", query_string={"procedure": world["procedure"].code}).get_data(as_text=True)
    assert "Tờ khai" in page and "Bản sao CCCD" in page


def test_finding_windows_shows_the_office_and_the_free_windows(session: Session, client: FlaskClient) -> None:
    world = pickup_setup(session)
    page = client.post("/pickup", data=_form(world, action="find")).get_data(as_text=True)
    assert world["office"].name in page
    assert next_window().isoformat() in page
    assert _one(session) is None


def test_booking_from_the_page_redirects_to_the_booking_with_its_details(
    session: Session, client: FlaskClient
) -> None:
    world = pickup_setup(session)
    answer = client.post("/pickup", data=_form(world))
    assert answer.status_code == 302
    pickup = _one(session)
    assert pickup is not None and pickup.status == PickupStatus.BOOKED
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert pickup.reference in page


def test_booking_without_consent_stays_on_the_page_and_books_nothing(
    session: Session, client: FlaskClient
) -> None:
    world = pickup_setup(session)
    form = _form(world)
    del form["consent"]
    answer = client.post("/pickup", data=form)
    assert answer.status_code == 422
    assert _one(session) is None


def test_a_booking_with_a_bad_phone_marks_the_phone_field(session: Session, client: FlaskClient) -> None:
    world = pickup_setup(session)
    answer = client.post("/pickup", data=_form(world, phone="123"))
    assert answer.status_code == 422
    assert 'id="phone-err"' in answer.get_data(as_text=True)


def test_the_manage_link_opens_the_booking_and_then_drops_the_token_from_the_address(
    session: Session, client: FlaskClient, clock: Any
) -> None:
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    token = manage_token(pickup_settings(), pickup)
    answer = client.get(f"/pickup/manage/{pickup.reference}", query_string={"token": token})
    assert answer.status_code == 302
    assert "token" not in answer.headers["Location"]
    assert pickup.reference in client.get(answer.headers["Location"]).get_data(as_text=True)


def test_a_manage_page_without_the_token_is_not_found(
    session: Session, client: FlaskClient, clock: Any
) -> None:
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    assert client.get(f"/pickup/manage/{pickup.reference}").status_code == 404
    assert client.get(f"/pickup/manage/{pickup.reference}?token=wrong").status_code == 302
    assert client.get(f"/pickup/manage/{pickup.reference}").status_code == 404


def _opened(session: Session, client: FlaskClient, clock: Any) -> Pickup:
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    client.get(
        f"/pickup/manage/{pickup.reference}", query_string={"token": manage_token(pickup_settings(), pickup)}
    )
    return pickup


def test_the_citizen_moves_the_pickup_from_the_manage_page(
    session: Session, client: FlaskClient, clock: Any
) -> None:
    pickup = _opened(session, client, clock)
    page = client.get(f"/pickup/manage/{pickup.reference}", query_string={"date": "2026-11-23"}).get_data(
        as_text=True
    )
    assert next_window(14).isoformat() in page
    client.post(
        f"/pickup/manage/{pickup.reference}/reschedule",
        data={"date": "2026-11-23", "slot_start": next_window(14).isoformat()},
    )
    session.refresh(pickup)
    assert pickup.slot_start == next_window(14)


def test_the_citizen_cancels_the_pickup_from_the_manage_page(
    session: Session, client: FlaskClient, clock: Any
) -> None:
    pickup = _opened(session, client, clock)
    client.post(f"/pickup/manage/{pickup.reference}/cancel")
    session.refresh(pickup)
    assert pickup.status == PickupStatus.CANCELLED


def test_the_find_page_answers_the_same_for_a_wrong_phone(
    session: Session, client: FlaskClient, clock: Any
) -> None:
    from postal_hub.core.messaging.models import CitizenMessage

    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    wrong = client.post("/pickup/find", data={"reference": pickup.reference, "phone": "0987654321"})
    right = client.post("/pickup/find", data={"reference": pickup.reference, "phone": "0912345678"})
    assert wrong.status_code == right.status_code == 302
    kinds = list(session.scalars(sa.select(CitizenMessage.kind)))
    assert kinds.count("pickup.link") == 1


def test_asking_for_windows_without_an_address_says_what_is_missing(
    session: Session, client: FlaskClient
) -> None:
    world = pickup_setup(session)
    answer = client.post("/pickup", data={"procedure_code": world["procedure"].code, "action": "find"})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert 'id="province_code-err"' in page and 'id="commune_code-err"' in page
