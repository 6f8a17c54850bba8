"""The manifest screens as postal clerks and unit officers use them, and the custody pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users.models import Role
from postal_hub.handoff.models import Manifest
from tests import factories
from tests.conftest import AuthActions, count
from tests.fakes import FixedClock


@pytest.fixture
def world(session: Session, clock: FixedClock) -> dict[str, Any]:
    world = factories.intake_setup(session)
    world["officer"] = factories.unit_officer(session, world)
    world["dossier"] = factories.accepted_dossier(session, world, clock.now())
    session.commit()
    return world


def _dispatched(session: Session, world: dict[str, Any], clock: FixedClock) -> Manifest:
    manifest = factories.manifest_for(session, world, [world["dossier"]], clock.now())
    session.commit()
    return manifest


def test_the_clerk_sees_which_units_have_dossiers_waiting(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["clerk"].username)
    page = client.get("/manifests/new").get_data(as_text=True)
    assert world["unit"].name in page and f"unit={world['unit'].id}" in page


def test_the_clerk_prepares_a_manifest_with_a_seal_per_envelope(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["clerk"].username)
    code = world["dossier"].code
    response = client.post(
        f"/manifests/new?unit={world['unit'].id}", data={"dossier": [code], f"seal-{code}": "kn-000123"}
    )
    manifest = session.scalar(sa.select(Manifest))
    assert response.status_code == 302 and manifest is not None
    assert response.headers["Location"].endswith(f"/manifests/{manifest.number}")
    assert manifest.lines[0].seal_number == "KN-000123"


def test_a_missing_seal_number_is_shown_on_its_row_and_nothing_is_made(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["clerk"].username)
    code = world["dossier"].code
    response = client.post(
        f"/manifests/new?unit={world['unit'].id}", data={"dossier": [code], f"seal-{code}": ""}
    )
    assert response.status_code == 200 and 'aria-invalid="true"' in response.get_data(as_text=True)
    assert count(session, Manifest) == 0


def test_dispatching_from_the_screen_sends_the_envelopes(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    draft = factories.manifest_for(session, world, [world["dossier"]], clock.now(), dispatch=False)
    session.commit()
    auth.sign_in(world["clerk"].username)
    client.post(f"/manifests/{draft.number}/dispatch")
    session.expire_all()
    assert draft.status == "dispatched" and world["dossier"].status == "dispatched"


def test_the_unit_does_not_see_a_draft(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    draft = factories.manifest_for(session, world, [world["dossier"]], clock.now(), dispatch=False)
    session.commit()
    auth.sign_in(world["officer"].username)
    assert client.get(f"/manifests/{draft.number}").status_code == 404


def test_the_unit_officer_confirms_an_envelope(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    manifest = _dispatched(session, world, clock)
    auth.sign_in(world["officer"].username)
    page = client.get(f"/manifests/{manifest.number}").get_data(as_text=True)
    assert f"/manifests/{manifest.number}/lines/{manifest.lines[0].id}" in page
    client.post(f"/manifests/{manifest.number}/lines/{manifest.lines[0].id}", data={"decision": "received"})
    session.expire_all()
    assert manifest.lines[0].status == "received" and world["dossier"].status == "received"


def test_a_refusal_without_a_reason_is_not_saved(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    manifest = _dispatched(session, world, clock)
    auth.sign_in(world["officer"].username)
    response = client.post(
        f"/manifests/{manifest.number}/lines/{manifest.lines[0].id}",
        data={"decision": "rejected", "reason": ""},
        follow_redirects=True,
    )
    session.expire_all()
    assert 'class="flash flash--error"' in response.get_data(as_text=True)
    assert manifest.lines[0].status == "pending"


def test_an_extra_envelope_and_the_closing_show_as_discrepancies(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    manifest = _dispatched(session, world, clock)
    auth.sign_in(world["officer"].username)
    client.post(f"/manifests/{manifest.number}/extras", data={"label": "RR000000005VN", "note": ""})
    client.post(f"/manifests/{manifest.number}/close")
    page = client.get(f"/manifests/{manifest.number}").get_data(as_text=True)
    session.expire_all()
    assert manifest.status == "closed" and "RR000000005VN" in page
    assert world["dossier"].code in page.split('id="discrepancies"')[1]


def test_another_units_officer_cannot_open_the_manifest(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    manifest = _dispatched(session, world, clock)
    stranger = factories.user(session, Role.UNIT_OFFICER)
    session.commit()
    auth.sign_in(stranger.username)
    assert client.get(f"/manifests/{manifest.number}").status_code == 404
    assert client.post(f"/manifests/{manifest.number}/close").status_code == 404


def test_a_clerk_cannot_answer_for_the_unit(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    manifest = _dispatched(session, world, clock)
    auth.sign_in(world["clerk"].username)
    response = client.post(
        f"/manifests/{manifest.number}/lines/{manifest.lines[0].id}", data={"decision": "received"}
    )
    assert response.status_code == 403


def test_the_printed_manifest_has_barcodes_and_both_signature_blocks(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    manifest = _dispatched(session, world, clock)
    auth.sign_in(world["clerk"].username)
    page = client.get(f"/manifests/{manifest.number}/print").get_data(as_text=True)
    assert page.count('aria-label="Code 128"') == 2 and world["dossier"].item_number in page
    assert page.count('class="receipt__sign"') == 1 and "style=" not in page.split("<article")[1]


def test_the_dossier_custody_page_lists_each_hand(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    manifest = _dispatched(session, world, clock)
    auth.sign_in(world["officer"].username)
    page = client.get(f"/desk/dossiers/{world['dossier'].code}/custody").get_data(as_text=True)
    assert page.count("<tr>") == 1 + 3 and manifest.number in page


def test_the_unit_signs_and_downloads_a_checkpoint_of_its_chain(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    _dispatched(session, world, clock)
    auth.sign_in(world["officer"].username)
    client.post("/custody/checkpoints")
    page = client.get("/custody").get_data(as_text=True)
    link = page.split('href="/custody/checkpoints/')[1].split('"')[0]
    exported = json.loads(client.get(f"/custody/checkpoints/{link}").get_data(as_text=True))
    assert exported["organization"] == world["unit"].code and exported["size"] == 3


def test_verifying_the_chain_from_the_screen_reports_it_intact(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    _dispatched(session, world, clock)
    auth.sign_in(world["officer"].username)
    response = client.post("/custody/verify", follow_redirects=True)
    assert 'class="flash flash--success"' in response.get_data(as_text=True)


def test_a_postal_manager_re_routes_a_dossier_refused_as_another_units(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    from postal_hub.handoff import receiving

    manifest = _dispatched(session, world, clock)
    receiving.confirm_line(
        session, None, "api", manifest, manifest.lines[0], False, "wrong_unit", "", clock.now()
    )
    right = factories.unit(session)
    factories.contract(session, right, world["operator"])
    manager = factories.user(
        session, Role.POSTAL_MANAGER, organization=world["operator"], post_office_id=world["office"].id
    )
    session.commit()
    auth.sign_in(manager.username)
    page = client.get(f"/desk/dossiers/{world['dossier'].code}").get_data(as_text=True)
    assert f"/desk/dossiers/{world['dossier'].code}/send-again" in page
    client.post(f"/desk/dossiers/{world['dossier'].code}/send-again", data={"unit_id": str(right.id)})
    session.expire_all()
    assert world["dossier"].unit_id == right.id and world["dossier"].status == "accepted"


def test_the_clerks_start_page_counts_the_dossiers_waiting_for_a_manifest(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["clerk"].username)
    page = client.get("/").get_data(as_text=True)
    card = page.split('href="/manifests/new"')[1]
    assert card.split("<dd>")[1].startswith("1<")


def test_the_officers_start_page_counts_the_envelopes_to_confirm(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    _dispatched(session, world, clock)
    auth.sign_in(world["officer"].username)
    page = client.get("/").get_data(as_text=True)
    card = page.split('href="/manifests?status=dispatched"')[1]
    assert card.split("<dd>")[1].startswith("1<") and card.split("<dd>")[2].startswith("1<")


def test_an_envelope_that_turns_up_after_the_closing_can_be_confirmed_on_screen(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    manifest = _dispatched(session, world, clock)
    auth.sign_in(world["officer"].username)
    client.post(f"/manifests/{manifest.number}/close")
    page = client.get(f"/manifests/{manifest.number}").get_data(as_text=True)
    assert f"/manifests/{manifest.number}/lines/{manifest.lines[0].id}" in page
    client.post(f"/manifests/{manifest.number}/lines/{manifest.lines[0].id}", data={"decision": "received"})
    session.expire_all()
    assert manifest.lines[0].status == "received" and world["dossier"].status == "received"
