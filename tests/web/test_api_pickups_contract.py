"""The home-pickup API held to API.md: point-only search, idempotent repeats and races, webhook contents."""

from __future__ import annotations

from typing import Any

import pytest
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


def test_slots_can_be_searched_by_a_point_alone(session: Session, client: FlaskClient) -> None:
    """API.md: `GET /api/v1/pickups/slots?procedure_code=&date=&province_code=&commune_code=&street=`
    (or `&lat=&lon=`). The point-only form answers 422 "Choose the province and commune".
    The commune is inferred from the point, so the procedure here is one decided by a fixed unit."""
    world = pickup_setup(session)
    world["procedure"].unit_id = world["unit"].id
    session.commit()
    answer = client.get(
        "/api/v1/pickups/slots",
        query_string={
            "procedure_code": world["procedure"].code,
            "date": "2026-11-23",
            "lat": str(PICKUP_POINT[0]),
            "lon": str(PICKUP_POINT[1]),
        },
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["post_office"]["code"] == world["office"].code
    assert answer.get_json()["address"]["commune_inferred"] is True


def test_an_idempotent_repeat_of_a_booking_returns_the_first_response(
    session: Session, client: FlaskClient
) -> None:
    """API.md: "repeating a request with the same key and body returns the first response" (201 here,
    as the dossier endpoints do with `Idempotent-Replayed`); the pickup endpoint answers 200."""
    world = pickup_setup(session)
    headers = {"Idempotency-Key": "repeat-1"}
    first = client.post("/api/v1/pickups", json=_body(world), headers=headers)
    again = client.post("/api/v1/pickups", json=_body(world), headers=headers)
    assert first.status_code == 201
    assert again.status_code == first.status_code


def test_an_idempotent_repeat_of_a_cancel_returns_the_first_response(
    session: Session, client: FlaskClient
) -> None:
    """ "Writes accept an Idempotency-Key header": a client retrying a DELETE whose answer it lost gets
    409 "This booking is closed" instead of the 200 it missed."""
    world = pickup_setup(session)
    made = client.post("/api/v1/pickups", json=_body(world)).get_json()
    headers = {"X-Manage-Token": made["manage_token"], "Idempotency-Key": "cancel-1"}
    url = f"/api/v1/pickups/{made['reference']}"
    first = client.delete(url, headers=headers)
    again = client.delete(url, headers=headers)
    assert first.status_code == 200
    assert again.status_code == 200, again.get_json()


def test_a_repeat_racing_the_first_booking_with_the_same_idempotency_key_is_not_a_500(
    session: Session, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A phone app retries after a timeout while the first request is still running. The repeat's
    look-up ran before the first committed (simulated by making that look-up miss); it then takes a
    seat and inserts the same idempotency_key, whose unique constraint fails: IntegrityError, 500."""
    from postal_hub.pickup import booking

    world = pickup_setup(session)
    headers = {"Idempotency-Key": "race-1"}
    first = client.post("/api/v1/pickups", json=_body(world), headers=headers)
    assert first.status_code == 201
    monkeypatch.setattr(booking, "replay", lambda *_args: None)  # the repeat did not see the first yet
    again = client.post("/api/v1/pickups", json=_body(world), headers=headers)
    assert again.status_code < 500, again.get_json()
    assert session.scalar(sa.select(sa.func.count()).select_from(Pickup)) == 1
    assert session.scalar(sa.select(sa.func.sum(PickupSlot.booked))) == 1


def test_the_pickup_completed_webhook_from_the_door_names_the_dossier(
    session: Session, client: FlaskClient, auth: Any, clock: Any
) -> None:
    """The door page loads the booking with its (empty) dossier relationship; complete() then sets
    only dossier_id, so webhook_data() reads the stale `pickup.dossier` and sends dossier_code null:
    the unit's system hears "completed" without the code it needs to follow the dossier."""
    import json

    from postal_hub.intake.models import Dossier
    from postal_hub.webhooks.models import OutboxMessage
    from tests.factories import booked_pickup, webhook_endpoint

    world = pickup_setup(session)
    webhook_endpoint(session, world["unit"])
    pickup = booked_pickup(session, world, clock.now())
    session.commit()
    auth.sign_in(world["postman"].username)
    every = [c.code for c in world["procedure"].components]
    response = client.post(
        f"/pickups/{pickup.reference}/door",
        data={"step": "accept", "present": every, "payment_method": "cash"},
    )
    assert response.status_code == 302
    dossier = session.scalar(sa.select(Dossier))
    assert dossier is not None
    sent = session.scalar(sa.select(OutboxMessage).where(OutboxMessage.event_type == "pickup.completed"))
    assert sent is not None
    assert json.loads(sent.body)["data"]["dossier_code"] == dossier.code
