"""Home pickup as users meet it: odd input, rate limits, the manage page, dispatch rows."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.pickup.booking import manage_token
from postal_hub.pickup.day_plan import plan_the_day
from postal_hub.pickup.models import Pickup
from postal_hub.services import pickup_settings
from tests.conftest import AuthActions
from tests.factories import PICKUP_POINT, booked_pickup, next_window, pickup_setup

BEYOND_THE_CALENDAR = "9999-12-31T23:00:00-05:00"  # a valid ISO 8601 moment; in Vietnam it is year 10000


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


def _body(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "procedure_code": world["procedure"].code,
        "applicant": {"name": "Nguyễn Văn An", "phone": "0912345678", "citizen_id": "001090012345"},
        "address": {
            "province_code": "01",
            "commune_code": "00097",
            "street": "12 Phúc Xá",
            "lat": PICKUP_POINT[0],
            "lon": PICKUP_POINT[1],
        },
        "slot_start": next_window().isoformat(),
        "result_delivery": "home",
        "consent": True,
    }
    body.update(overrides)
    return body


def _open_manage_page(client: FlaskClient, pickup: Pickup) -> str:
    """Follow the private link as a citizen does (the token goes into the session)."""
    answer = client.get(f"/pickup/manage/{pickup.reference}?token={manage_token(pickup_settings(), pickup)}")
    return client.get(answer.headers["Location"]).get_data(as_text=True)


# ---- Odd input ------------------------------------------------------------------------------------


def test_a_window_start_beyond_the_calendar_on_the_booking_page_is_refused_not_a_500(
    session: Session, client: FlaskClient
) -> None:
    """parse_moment accepts it; check_slot_time converts it to Vietnam time: OverflowError."""
    world = pickup_setup(session)
    session.commit()
    answer = client.post("/pickup", data=_form(world, slot_start=BEYOND_THE_CALENDAR))
    assert answer.status_code == 422
    assert session.scalar(sa.select(sa.func.count()).select_from(Pickup)) == 0


def test_a_window_start_beyond_the_calendar_in_the_api_is_422_not_a_500(
    session: Session, client: FlaskClient
) -> None:
    world = pickup_setup(session)
    session.commit()
    answer = client.post("/api/v1/pickups", json=_body(world, slot_start=BEYOND_THE_CALENDAR))
    assert answer.status_code == 422, answer.get_json()


def test_moving_a_booking_to_a_window_beyond_the_calendar_is_refused_not_a_500(
    session: Session, client: FlaskClient, clock: Any
) -> None:
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    session.commit()
    _open_manage_page(client, pickup)
    answer = client.post(
        f"/pickup/manage/{pickup.reference}/reschedule", data={"slot_start": BEYOND_THE_CALENDAR}
    )
    assert answer.status_code == 302


# ---- The manage page ------------------------------------------------------------------------------


def test_the_manage_page_title_is_plain_text(session: Session, client: FlaskClient, clock: Any) -> None:
    """templates/pickup/manage.html line 2 closes a </div> inside {% block title %}: the browser tab
    reads "Lịch hẹn thu gom HP…  </div> · Postal Hub"."""
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    session.commit()
    page = _open_manage_page(client, pickup)
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title is not None and "<" not in title.group(1), title and title.group(1)


# ---- Rate limits ------------------------------------------------------------------------------------


def test_a_citizen_who_corrects_the_form_several_times_can_still_book(
    session: Session, client: FlaskClient
) -> None:
    """The per-phone limit (5 an hour) counts every press of "Book", refused ones included: a citizen
    who forgets the consent box and mistypes the ID a few times is told "too many bookings" though
    nothing was ever booked, and is locked out for an hour."""
    world = pickup_setup(session)
    session.commit()
    for attempt in range(5):
        mistake = {"consent": ""} if attempt % 2 else {"citizen_id": "00109001234"}
        assert client.post("/pickup", data=_form(world, **mistake)).status_code == 422
    answer = client.post("/pickup", data=_form(world))
    assert answer.status_code == 302, re.findall(r'role="alert"><p>(.*?)</p>', answer.get_data(as_text=True))


def test_repeating_an_idempotent_booking_is_answered_with_the_first_booking_not_429(
    session: Session, client: FlaskClient
) -> None:
    """API.md: a repeat with the same Idempotency-Key and body "returns the first response". The
    limiter runs before the replay look-up, so a phone app retrying a lost answer is 429 from the
    sixth try on, and never learns its reference and manage token."""
    world = pickup_setup(session)
    session.commit()
    headers = {"Idempotency-Key": "retry-after-timeout"}
    answers = [client.post("/api/v1/pickups", json=_body(world), headers=headers) for _ in range(7)]
    assert [a.status_code for a in answers] == [201] * 7


# ---- Dispatch rows --------------------------------------------------------------------------------


def test_saving_a_row_without_changing_its_postman_keeps_the_planned_route(
    session: Session, client: FlaskClient, auth: AuthActions, clock: Any
) -> None:
    """Each row's select shows the postman already assigned; pressing its "Save" (or saving it after a
    slip of the finger) unassigns and reassigns: the stop loses its planned time and goes to the end of
    the route, and the timeline gets "taken off the route" / "assigned" for a change nobody made."""
    world = pickup_setup(session)
    first = booked_pickup(session, world, clock.now())
    booked_pickup(session, world, clock.now(), phone="0987654321", citizen_id="001190012345")
    plan_the_day(
        session, world["manager"], world["office"], next_window().date(), [world["postman"]], clock.now()
    )
    session.commit()
    planned = (first.route_position, first.planned_at)
    events = len(first.events)
    auth.sign_in(world["manager"].username)
    answer = client.post(f"/pickups/{first.reference}/assign", data={"postman_id": str(world["postman"].id)})
    assert answer.status_code == 302
    session.refresh(first)
    assert (first.route_position, first.planned_at) == planned
    assert len(first.events) == events
