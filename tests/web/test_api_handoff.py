"""API v1 for units and operators: dossiers, timelines, receipts, results, manifests, idempotency, limits."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.api.idempotency_models import IdempotencyRecord
from postal_hub.core.ratelimit import RateLimiter
from postal_hub.core.users import api_keys
from postal_hub.handoff.models import ManifestLine
from tests import factories
from tests.fakes import FixedClock


@pytest.fixture
def world(session: Session, clock: FixedClock) -> dict[str, Any]:
    world = factories.intake_setup(session)
    world["dossier"] = factories.accepted_dossier(session, world, clock.now())
    world["manifest"] = factories.manifest_for(session, world, [world["dossier"]], clock.now())
    world["unit_key_row"], world["unit_key"] = api_keys.create_api_key(
        session, world["unit"], "unit", clock.now()
    )
    _row, world["operator_key"] = api_keys.create_api_key(session, world["operator"], "post", clock.now())
    other = factories.unit(session)
    _row, world["other_key"] = api_keys.create_api_key(session, other, "other", clock.now())
    session.commit()
    return world


def _auth(key: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **extra}


def _receipt(client: FlaskClient, world: dict[str, Any], body: Any, key: str = "", **headers: str) -> Any:
    return client.post(
        f"/api/v1/dossiers/{world['dossier'].code}/receipt",
        json=body,
        headers=_auth(key or world["unit_key"], **headers),
    )


def test_a_unit_lists_the_dossiers_it_handles(client: FlaskClient, world: dict[str, Any]) -> None:
    body = client.get("/api/v1/dossiers", headers=_auth(world["unit_key"])).get_json()
    assert body["total"] == 1 and body["items"][0]["dossier_code"] == world["dossier"].code
    assert body["items"][0]["status"] == "dispatched" and body["page"] == 1


def test_the_operator_lists_the_dossiers_it_carries(client: FlaskClient, world: dict[str, Any]) -> None:
    body = client.get("/api/v1/dossiers", headers=_auth(world["operator_key"])).get_json()
    assert [d["dossier_code"] for d in body["items"]] == [world["dossier"].code]


def test_another_unit_sees_none_of_them(client: FlaskClient, world: dict[str, Any]) -> None:
    assert client.get("/api/v1/dossiers", headers=_auth(world["other_key"])).get_json()["total"] == 0


def test_the_list_filters_by_status_and_update_time(client: FlaskClient, world: dict[str, Any]) -> None:
    headers = _auth(world["unit_key"])
    assert client.get("/api/v1/dossiers?status=received", headers=headers).get_json()["total"] == 0
    later = client.get("/api/v1/dossiers?updated_since=2026-11-21T00:00:00%2B07:00", headers=headers)
    assert later.get_json()["total"] == 0
    earlier = client.get("/api/v1/dossiers?updated_since=2026-11-20T08:00:00", headers=headers)
    assert earlier.get_json()["total"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [("status=lost", "status"), ("updated_since=yesterday", "updated_since"), ("page=0", "page")],
)
def test_bad_list_parameters_are_a_422_naming_the_parameter(
    client: FlaskClient, world: dict[str, Any], query: str, field: str
) -> None:
    response = client.get(f"/api/v1/dossiers?{query}", headers=_auth(world["unit_key"]))
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


def test_a_dossier_shows_components_tasks_manifests_and_events(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    body = client.get(
        f"/api/v1/dossiers/{world['dossier'].item_number}", headers=_auth(world["unit_key"])
    ).get_json()
    assert [c["code"] for c in body["components"]] == ["TP1", "TP2"]
    assert {t["type"] for t in body["tasks"]} >= {"counter_acceptance", "carriage"}
    assert body["manifests"][0]["number"] == world["manifest"].number
    assert [e["code"] for e in body["events"]] == ["accepted", "dispatched"]
    assert body["applicant"]["citizen_id"] == "001090012345"


def test_another_organizations_dossier_is_not_found(client: FlaskClient, world: dict[str, Any]) -> None:
    response = client.get(f"/api/v1/dossiers/{world['dossier'].code}", headers=_auth(world["other_key"]))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_the_events_endpoint_is_a_collection(client: FlaskClient, world: dict[str, Any]) -> None:
    body = client.get(
        f"/api/v1/dossiers/{world['dossier'].code}/events", headers=_auth(world["unit_key"])
    ).get_json()
    assert body["total"] == 2 and body["items"][1]["at"].endswith("+07:00")


def test_a_unit_confirms_receipt(client: FlaskClient, world: dict[str, Any]) -> None:
    response = _receipt(client, world, {"accepted": True})
    assert response.status_code == 200 and response.get_json()["status"] == "received"
    assert response.get_json()["manifest"]["line_status"] == "received"


def test_confirming_twice_is_a_409_and_changes_nothing(
    session: Session, client: FlaskClient, world: dict[str, Any]
) -> None:
    _receipt(client, world, {"accepted": True})
    again = _receipt(client, world, {"accepted": False, "reason": "damaged_seal"})
    session.expire_all()
    assert again.status_code == 409 and world["dossier"].status == "received"


def test_a_refusal_without_a_reason_is_a_422(client: FlaskClient, world: dict[str, Any]) -> None:
    response = _receipt(client, world, {"accepted": False})
    assert response.status_code == 422 and "reason" in response.get_json()["error"]["fields"]


def test_a_refusal_with_free_text_is_kept_as_another_reason(
    session: Session, client: FlaskClient, world: dict[str, Any]
) -> None:
    response = _receipt(client, world, {"accepted": False, "reason": "Thiếu chữ ký"})
    session.expire_all()
    line = session.scalar(sa.select(ManifestLine).where(ManifestLine.dossier_id == world["dossier"].id))
    assert response.status_code == 200 and line is not None
    assert (line.reason, line.note) == ("other", "Thiếu chữ ký")


@pytest.mark.parametrize("body", [{"accepted": "yes"}, {}, {"accepted": False, "reason": 5}])
def test_a_malformed_confirmation_is_a_422(client: FlaskClient, world: dict[str, Any], body: Any) -> None:
    assert _receipt(client, world, body).status_code == 422


def test_a_body_that_is_not_an_object_is_a_400(client: FlaskClient, world: dict[str, Any]) -> None:
    assert _receipt(client, world, ["accepted"]).status_code == 400


def test_a_dossier_not_on_a_manifest_to_the_unit_is_a_404(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: FixedClock
) -> None:
    waiting = factories.accepted_dossier(session, world, clock.now())
    session.commit()
    response = client.post(
        f"/api/v1/dossiers/{waiting.code}/receipt", json={"accepted": True}, headers=_auth(world["unit_key"])
    )
    assert response.status_code == 404


def test_another_units_key_cannot_confirm(client: FlaskClient, world: dict[str, Any]) -> None:
    assert _receipt(client, world, {"accepted": True}, key=world["other_key"]).status_code == 404


def test_the_operators_key_cannot_confirm_for_the_unit(client: FlaskClient, world: dict[str, Any]) -> None:
    assert _receipt(client, world, {"accepted": True}, key=world["operator_key"]).status_code == 403


def test_a_revoked_key_is_refused(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: FixedClock
) -> None:
    api_keys.revoke(session, world["unit_key_row"], clock.now(), None)
    session.commit()
    response = client.get("/api/v1/dossiers", headers=_auth(world["unit_key"]))
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_a_repeated_write_with_the_same_key_replays_the_first_answer(
    session: Session, client: FlaskClient, world: dict[str, Any]
) -> None:
    first = _receipt(client, world, {"accepted": True}, **{"Idempotency-Key": "r-1"})
    again = _receipt(client, world, {"accepted": True}, **{"Idempotency-Key": "r-1"})
    session.expire_all()
    assert again.status_code == first.status_code == 200 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert [e.code for e in world["dossier"].events].count("received") == 1


def test_the_same_idempotency_key_with_another_body_is_a_422(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    _receipt(client, world, {"accepted": True}, **{"Idempotency-Key": "r-2"})
    other = _receipt(client, world, {"accepted": False, "reason": "other"}, **{"Idempotency-Key": "r-2"})
    assert other.status_code == 422 and other.get_json()["error"]["code"] == "idempotency_key_reused"


def test_a_repeat_while_the_first_is_still_running_is_a_409(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: FixedClock
) -> None:
    from postal_hub.api import idempotency

    with client.application.test_request_context(
        f"/api/v1/dossiers/{world['dossier'].code}/receipt", method="POST", json={"accepted": True}
    ):
        fingerprint = idempotency.fingerprint()
    session.add(
        IdempotencyRecord(
            organization_id=world["unit"].id, key="r-3", request_hash=fingerprint, created_at=clock.now()
        )
    )
    session.commit()
    response = _receipt(client, world, {"accepted": True}, **{"Idempotency-Key": "r-3"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "idempotency_in_progress"


def test_a_key_over_its_rate_limit_gets_429_with_retry_after(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    app.extensions["api_limiter"] = RateLimiter(2, 60)
    statuses = [
        client.get("/api/v1/dossiers", headers=_auth(world["unit_key"])).status_code for _ in range(3)
    ]
    last = client.get("/api/v1/dossiers", headers=_auth(world["unit_key"]))
    assert statuses == [200, 200, 429] and int(last.headers["Retry-After"]) >= 1
    assert client.get("/api/v1/dossiers", headers=_auth(world["operator_key"])).status_code == 200


def test_the_unit_marks_a_received_dossiers_result_ready(client: FlaskClient, world: dict[str, Any]) -> None:
    _receipt(client, world, {"accepted": True})
    response = client.post(
        f"/api/v1/dossiers/{world['dossier'].code}/result-ready",
        json={"summary": "Đã cấp giấy khai sinh", "result_delivery": "post_office"},
        headers=_auth(world["unit_key"]),
    )
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "result_ready"
    assert body["result_delivery"] == "post_office"


def test_a_result_cannot_be_ready_before_the_unit_received_the_dossier(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    response = client.post(
        f"/api/v1/dossiers/{world['dossier'].code}/result-ready",
        json={"summary": "Xong"},
        headers=_auth(world["unit_key"]),
    )
    assert response.status_code == 409


def test_result_ready_without_a_summary_is_a_422(client: FlaskClient, world: dict[str, Any]) -> None:
    _receipt(client, world, {"accepted": True})
    response = client.post(
        f"/api/v1/dossiers/{world['dossier'].code}/result-ready",
        json={"summary": "  "},
        headers=_auth(world["unit_key"]),
    )
    assert response.status_code == 422 and "summary" in response.get_json()["error"]["fields"]


def test_the_unit_sees_the_manifest_sent_to_it_with_its_lines(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    body = client.get("/api/v1/manifests?status=dispatched", headers=_auth(world["unit_key"])).get_json()
    assert body["total"] == 1 and body["items"][0]["lines"][0]["dossier_code"] == world["dossier"].code
    assert body["items"][0]["discrepancies"]["awaiting"] == [world["dossier"].code]


def test_a_draft_manifest_is_not_shown_to_the_unit(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: FixedClock
) -> None:
    waiting = factories.accepted_dossier(session, world, clock.now())
    draft = factories.manifest_for(session, world, [waiting], clock.now(), dispatch=False)
    session.commit()
    assert (
        client.get(f"/api/v1/manifests/{draft.number}", headers=_auth(world["unit_key"])).status_code == 404
    )
    assert (
        client.get(f"/api/v1/manifests/{draft.number}", headers=_auth(world["operator_key"])).status_code
        == 200
    )


def test_another_unit_cannot_open_the_manifest(client: FlaskClient, world: dict[str, Any]) -> None:
    response = client.get(f"/api/v1/manifests/{world['manifest'].number}", headers=_auth(world["other_key"]))
    assert response.status_code == 404


def test_closing_a_manifest_lists_what_was_not_received(client: FlaskClient, world: dict[str, Any]) -> None:
    response = client.post(
        f"/api/v1/manifests/{world['manifest'].number}/close", headers=_auth(world["unit_key"])
    )
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "closed"
    assert body["discrepancies"]["not_received"] == [world["dossier"].code]


def test_a_closed_manifest_cannot_be_closed_again(client: FlaskClient, world: dict[str, Any]) -> None:
    path = f"/api/v1/manifests/{world['manifest'].number}/close"
    client.post(path, headers=_auth(world["unit_key"]))
    assert client.post(path, headers=_auth(world["unit_key"])).status_code == 409
