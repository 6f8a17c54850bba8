"""The public home-pickup API: slots, booking, and the citizen's booking by its manage token."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.pickup.models import Pickup, PickupSlot
from tests.factories import PICKUP_POINT, next_window, pickup_setup


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


def _slots_query(world: dict[str, Any], **extra: str) -> dict[str, str]:
    return {
        "procedure_code": world["procedure"].code,
        "province_code": "01",
        "commune_code": "00097",
        "lat": str(PICKUP_POINT[0]),
        "lon": str(PICKUP_POINT[1]),
        **extra,
    }


def test_slots_list_the_windows_with_room_at_the_nearest_covered_office(
    session: Session, client: FlaskClient
) -> None:
    world = pickup_setup(session)
    answer = client.get("/api/v1/pickups/slots", query_string=_slots_query(world, date="2026-11-23"))
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["post_office"]["code"] == world["office"].code
    assert body["slots"][0]["start"] == next_window().isoformat()
    assert body["total"] == len(body["items"]) == 3
    assert body["fee"] == 10_000


def test_slots_leave_out_a_full_window(session: Session, client: FlaskClient) -> None:
    world = pickup_setup(session, capacity=1)
    client.post("/api/v1/pickups", json=_body(world))
    body = client.get("/api/v1/pickups/slots", query_string=_slots_query(world, date="2026-11-23")).get_json()
    assert next_window().isoformat() not in [s["start"] for s in body["items"]]


def test_slots_without_a_date_give_the_first_day_with_room(session: Session, client: FlaskClient) -> None:
    world = pickup_setup(session)
    body = client.get("/api/v1/pickups/slots", query_string=_slots_query(world)).get_json()
    assert body["date"] == "2026-11-20"  # the clock's Friday 09:00: 10:00 is too soon, 14:00 has room
    assert body["items"]


def test_slots_for_an_unknown_procedure_are_refused_naming_the_field(
    session: Session, client: FlaskClient
) -> None:
    world = pickup_setup(session)
    answer = client.get("/api/v1/pickups/slots", query_string=_slots_query(world, procedure_code="X"))
    assert answer.status_code == 422
    assert "procedure_code" in answer.get_json()["error"]["fields"]


def test_a_booking_answers_201_with_the_reference_and_a_manage_token(
    session: Session, client: FlaskClient
) -> None:
    world = pickup_setup(session)
    answer = client.post("/api/v1/pickups", json=_body(world))
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["reference"].startswith("HP")
    assert body["status"] == "booked"
    assert body["slot_start"] == next_window().isoformat()
    assert body["fee"] == 10_000
    assert body["manage_token"]


def test_a_booking_without_consent_is_422_and_books_nothing(session: Session, client: FlaskClient) -> None:
    world = pickup_setup(session)
    answer = client.post("/api/v1/pickups", json=_body(world, consent=False))
    assert answer.status_code == 422
    assert "consent" in answer.get_json()["error"]["fields"]
    assert session.scalar(sa.select(sa.func.count()).select_from(Pickup)) == 0


def test_a_booking_that_is_not_json_is_400(session: Session, client: FlaskClient) -> None:
    answer = client.post("/api/v1/pickups", data="no", content_type="text/plain")
    assert answer.status_code == 400


def test_a_full_window_answers_409_slot_full_with_the_next_free_windows(
    session: Session, client: FlaskClient
) -> None:
    world = pickup_setup(session, capacity=1)
    client.post("/api/v1/pickups", json=_body(world))
    other = {"name": "Lê Thị Bình", "phone": "0987654321", "citizen_id": "001190012345"}
    answer = client.post("/api/v1/pickups", json=_body(world, applicant=other))
    assert answer.status_code == 409
    body = answer.get_json()
    assert body["error"]["code"] == "slot_full"
    assert body["next_free"]


def test_the_manage_token_shows_reschedules_and_cancels_the_booking(
    session: Session, client: FlaskClient
) -> None:
    world = pickup_setup(session)
    made = client.post("/api/v1/pickups", json=_body(world)).get_json()
    headers = {"X-Manage-Token": made["manage_token"]}
    url = f"/api/v1/pickups/{made['reference']}"
    assert client.get(url, headers=headers).get_json()["status"] == "booked"
    moved = client.patch(url, headers=headers, json={"slot_start": next_window(14).isoformat()})
    assert moved.status_code == 200
    assert moved.get_json()["slot_start"] == next_window(14).isoformat()
    cancelled = client.delete(url, headers=headers)
    assert cancelled.get_json()["status"] == "cancelled"
    assert session.scalar(sa.select(sa.func.sum(PickupSlot.booked))) == 0


def test_a_wrong_manage_token_is_404(session: Session, client: FlaskClient) -> None:
    world = pickup_setup(session)
    made = client.post("/api/v1/pickups", json=_body(world)).get_json()
    answer = client.get(f"/api/v1/pickups/{made['reference']}", headers={"X-Manage-Token": "nope"})
    assert answer.status_code == 404


def test_an_idempotent_repeat_returns_the_same_booking_and_token(
    session: Session, client: FlaskClient
) -> None:
    world = pickup_setup(session)
    first = client.post("/api/v1/pickups", json=_body(world), headers={"Idempotency-Key": "abc"})
    again = client.post("/api/v1/pickups", json=_body(world), headers={"Idempotency-Key": "abc"})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["reference"] == first.get_json()["reference"]
    assert again.get_json()["manage_token"] == first.get_json()["manage_token"]


def test_bookings_beyond_the_rate_limit_are_429(session: Session, client: FlaskClient, app: Any) -> None:
    world = pickup_setup(session)
    app.config["PICKUP_BOOKINGS_PER_HOUR_PER_IP"] = 1
    client.post("/api/v1/pickups", json=_body(world))
    answer = client.post("/api/v1/pickups", json=_body(world, slot_start=next_window(10).isoformat()))
    assert answer.status_code == 429
    assert answer.headers["Retry-After"]


def test_a_booking_answer_never_shows_the_citizen_id(session: Session, client: FlaskClient) -> None:
    world = pickup_setup(session)
    answer = client.post("/api/v1/pickups", json=_body(world))
    assert "001090012345" not in answer.get_data(as_text=True)
