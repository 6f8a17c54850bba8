"""Regressions from the review of result delivery: odd input, the other side's drafts, counts, tokens."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users import api_keys
from postal_hub.delivery.events import set_status as set_delivery_status
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.status import DeliveryStatus
from postal_hub.handoff.queries import start_page_counts
from postal_hub.handoff.services import LineInput, create_manifest
from postal_hub.handoff.status import Direction
from tests.conftest import AuthActions
from tests.factories_delivery import (
    delivery_at_office,
    delivery_world,
    ready_result,
    received_dossier,
    result_manifest,
)
from tests.fakes import FixedClock


@pytest.fixture
def world(session: Session, clock: FixedClock) -> dict[str, Any]:
    w = delivery_world(session)
    _r, w["unit_key"] = api_keys.create_api_key(session, w["unit"], "unit", clock.now())
    _r, w["operator_key"] = api_keys.create_api_key(session, w["operator"], "post", clock.now())
    session.commit()
    return w


def _h(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# 1. a non-ASCII token on the citizen's result link is a 500, not a 404 (and tells the code exists)
def test_result_link_with_non_ascii_token_is_404(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier, _delivery = ready_result(session, world, clock.now())
    session.commit()
    assert client.get("/results/NO-SUCH-CODE?token=%C3%A9").status_code == 404
    assert client.get(f"/results/{dossier.code}?token=%C3%A9").status_code == 404


# 2. result-ready by API: a wrong-typed result_delivery is reported on the "summary" field
def test_api_result_ready_wrong_type_names_result_delivery(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = received_dossier(session, world, clock.now())
    session.commit()
    r = client.post(
        f"/api/v1/dossiers/{dossier.code}/result-ready",
        json={"summary": "Giấy phép", "result_delivery": 5},
        headers=_h(world["unit_key"]),
    )
    assert r.status_code == 422
    assert "result_delivery" in r.get_json()["error"]["fields"], r.get_json()


def _return_draft(session: Session, world: dict[str, Any], clock: FixedClock) -> tuple[Any, Any]:
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    set_delivery_status(session, delivery, DeliveryStatus.TO_RETURN, clock.now(), world["clerk"], "to_return")
    made = create_manifest(
        session,
        world["clerk"],
        world["office"],
        world["unit"],
        [LineInput(delivery.dossier.code, "HT-SEAL-1")],
        clock.now(),
        direction=Direction.RETURN,
    )
    session.commit()
    return delivery.dossier, made


# 3. the post office's return draft is visible to the unit in the dossier's API detail
def test_unit_key_does_not_see_the_posts_return_draft(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier, made = _return_draft(session, world, clock)
    assert client.get(f"/api/v1/manifests/{made.number}", headers=_h(world["unit_key"])).status_code == 404
    body = client.get(f"/api/v1/dossiers/{dossier.code}", headers=_h(world["unit_key"])).get_json()
    assert made.number not in [m["number"] for m in body["manifests"]]


# 3b. same on the dossier page for the unit officer
def test_unit_officer_dossier_page_does_not_list_the_return_draft(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier, made = _return_draft(session, world, clock)
    auth.sign_in(world["officer"].username)
    assert client.get(f"/manifests/{made.number}").status_code == 404
    page = client.get(f"/desk/dossiers/{dossier.code}").get_data(as_text=True)
    assert made.number not in page


# 4. start page: the unit's own dispatched results manifest is counted as awaiting the unit's answer,
#    and the office counts the unit's draft it cannot open
def test_start_page_counts_only_what_each_side_must_answer(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier, _d = ready_result(session, world, clock.now())
    result_manifest(session, world, [dossier], clock.now(), dispatch=True)
    other, _d2 = ready_result(session, world, clock.now())
    result_manifest(session, world, [other], clock.now(), dispatch=False)
    session.flush()
    unit_side = start_page_counts(session, world["officer"])
    post_side = start_page_counts(session, world["clerk"])
    print("UNIT", unit_side, "POST", post_side)
    assert post_side["drafts"] == 0
    assert unit_side["awaiting_envelopes"] == 0


# 5. odd query strings on the new-manifest and result-ready pages never 500
@pytest.mark.parametrize(
    "qs",
    [
        "kind=results&office=abc",
        "kind=results&office=-1",
        "kind=results&office=99999999999999999999",
        "kind=results&office=1%00",
        "kind=results&office=%EF%BC%91",
        "kind=returns&unit=1",
        "kind=zzz&unit=%F0%9F%98%80",
        "kind=dossiers&kind=results",
    ],
)
def test_new_manifest_odd_query_strings(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], qs: str
) -> None:
    for who in ("officer", "clerk"):
        auth.sign_in(world[who].username)
        assert client.get(f"/manifests/new?{qs}").status_code < 500
        assert client.post(f"/manifests/new?{qs}", data={"dossier": ["x"], "seal-x": "A"}).status_code < 500
        auth.sign_out()


@pytest.mark.parametrize(
    "data",
    [
        {"summary": "x", "result_delivery": "zzz"},
        {"summary": "x", "result_delivery": "home", "amount_due": "1e3"},
        {"summary": "x", "result_delivery": "home", "amount_due": "99999999999999999999999"},
        {"summary": "x" * 5000, "result_delivery": "counter", "amount_due": "5"},
        {"summary": "\x00", "result_delivery": "home"},
    ],
)
def test_result_ready_junk_posts(
    session: Session,
    client: FlaskClient,
    auth: AuthActions,
    world: dict[str, Any],
    clock: FixedClock,
    data: dict[str, str],
) -> None:
    dossier = received_dossier(session, world, clock.now())
    session.commit()
    auth.sign_in(world["officer"].username)
    assert client.post(f"/dossiers/{dossier.code}/result-ready", data=data).status_code < 500
    assert client.get("/dossiers/%F0%9F%98%80/result-ready").status_code < 500
    assert client.get(f"/dossiers/{'9' * 300}/result-ready").status_code < 500
    assert session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"summary": "x", "result_delivery": {"a": 1}},
        {"summary": "x", "result_delivery": ""},
        {"summary": "x", "amount_due": 10**30},
        {"summary": "x", "amount_due": 1.5},
        {"summary": "\x00x"},
    ],
)
def test_api_result_ready_junk(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: FixedClock, body: Any
) -> None:
    dossier = received_dossier(session, world, clock.now())
    session.commit()
    r = client.post(f"/api/v1/dossiers/{dossier.code}/result-ready", json=body, headers=_h(world["unit_key"]))
    assert r.status_code < 500, r.get_data(as_text=True)[:300]


def _returned(session: Session, world: dict[str, Any], clock: FixedClock) -> Any:
    from postal_hub.handoff.receiving import confirm_line
    from postal_hub.handoff.services import dispatch

    dossier, made = _return_draft(session, world, clock)
    dispatch(session, world["clerk"], made, clock.now())
    officer = world["officer"]
    confirm_line(session, officer, officer.username, made, made.lines[0], True, None, "", clock.now())
    session.flush()
    return dossier


# 6. a returned result can never be recorded as handed over at the unit's counter
def test_the_unit_can_hand_over_a_returned_result_at_its_counter(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    from postal_hub.delivery.unit_counter import hand_over_at_unit

    dossier = _returned(session, world, clock)
    assert dossier.status == "returned"
    hand_over_at_unit(session, world["officer"], dossier, "", "2345", clock.now())
    assert dossier.status == "delivered"


# 7. the receipt endpoint answers a return manifest's line too (refusal by free text)
def test_api_receipt_refuses_a_return(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: FixedClock
) -> None:
    from postal_hub.handoff.services import dispatch

    dossier, made = _return_draft(session, world, clock)
    dispatch(session, world["clerk"], made, clock.now())
    session.commit()
    r = client.post(
        f"/api/v1/dossiers/{dossier.code}/receipt",
        json={"accepted": False, "reason": "not ours"},
        headers=_h(world["unit_key"]),
    )
    print("RECEIPT", r.status_code, r.get_json())
    session.refresh(dossier)
    print("DOSSIER", dossier.status)


# 8. a clerk of another office of the same operator cannot answer a results manifest
def test_clerk_of_another_office_cannot_confirm_results(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    from postal_hub.core.users.models import Role
    from tests import factories

    dossier, _d = ready_result(session, world, clock.now())
    made = result_manifest(session, world, [dossier], clock.now())
    other_office = factories.post_office(session, world["operator"])
    stranger = factories.user(
        session, Role.POSTAL_CLERK, organization=world["operator"], post_office_id=other_office.id
    )
    session.commit()
    auth.sign_in(stranger.username)
    r = client.post(f"/manifests/{made.number}/lines/{made.lines[0].id}", data={"decision": "received"})
    assert r.status_code == 404
