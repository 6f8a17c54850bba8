"""A home pickup from booking to a tracked dossier, through the API and the staff's screens."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.intake.models import Dossier
from postal_hub.pickup.models import Pickup
from postal_hub.webhooks.models import OutboxMessage
from tests.conftest import AuthActions
from tests.factories import PICKUP_POINT, next_window, pickup_setup, webhook_endpoint


def _book(client: FlaskClient, world: dict[str, Any], hour: int, phone: str) -> dict[str, Any]:
    answer = client.post(
        "/api/v1/pickups",
        json={
            "procedure_code": world["procedure"].code,
            "applicant": {"name": "Nguyễn Văn An", "phone": phone, "citizen_id": "001090012345"},
            "address": {
                "province_code": "01",
                "commune_code": "00097",
                "street": "12 Phúc Xá",
                "lat": PICKUP_POINT[0],
                "lon": PICKUP_POINT[1],
            },
            "slot_start": next_window(hour).isoformat(),
            "result_delivery": "home",
            "consent": True,
        },
    )
    assert answer.status_code == 201, answer.get_json()
    return dict(answer.get_json())


def test_a_booked_pickup_becomes_a_tracked_dossier_and_a_missed_one_is_offered_a_new_window(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    world = pickup_setup(session)
    webhook_endpoint(session, world["unit"])
    session.commit()
    done = _book(client, world, 8, "0912345678")
    missed = _book(client, world, 14, "0987654321")

    auth.sign_in(world["manager"].username)
    client.post(
        "/pickups/dispatch/plan",
        data={
            "office": str(world["office"].id),
            "date": "2026-11-23",
            "postman_ids": [str(world["postman"].id)],
        },
    )
    auth.sign_out()
    assert {p.status for p in session.scalars(sa.select(Pickup))} == {"assigned"}

    auth.sign_in(world["postman"].username)
    route = client.get("/pickups/my-route", query_string={"date": "2026-11-23"}).get_data(as_text=True)
    assert route.index(done["reference"]) < route.index(missed["reference"])  # 08:00 before 14:00
    client.post(
        f"/pickups/{done['reference']}/door",
        data={"step": "accept", "present": ["TP1", "TP2"], "payment_method": "cash"},
    )
    client.post(
        f"/pickups/{missed['reference']}/door", data={"step": "fail", "reason": "nobody_home", "note": ""}
    )
    auth.sign_out()

    dossier = session.scalar(sa.select(Dossier))
    assert dossier is not None and dossier.channel == "pickup" and dossier.status == "accepted"
    tracked = client.get(f"/api/v1/track/{dossier.code}").get_json()
    assert tracked["status"] == "accepted"
    events = set(session.scalars(sa.select(OutboxMessage.event_type)))
    assert {"pickup.booked", "pickup.completed", "pickup.failed", "dossier.accepted"} <= events

    headers = {"X-Manage-Token": missed["manage_token"]}
    view = client.get(f"/api/v1/pickups/{missed['reference']}", headers=headers).get_json()
    assert view["status"] == "failed" and view["can_change"] is True
    again = client.patch(
        f"/api/v1/pickups/{missed['reference']}",
        headers=headers,
        json={"slot_start": next_window(14, days=5).isoformat()},
    )
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["status"] == "booked"
