"""Fixes from review: odd numbers in URLs, edge dates, ids beyond the database's range, and what a
unit sees of a dossier re-routed to it."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users import api_keys
from postal_hub.core.users.models import Role
from postal_hub.handoff import receiving, resend
from tests import factories
from tests.conftest import AuthActions
from tests.fakes import FixedClock


@pytest.fixture
def world(session: Session, clock: FixedClock) -> dict[str, Any]:
    world = factories.intake_setup(session)
    world["dossier"] = factories.accepted_dossier(session, world, clock.now())
    world["manifest"] = factories.manifest_for(session, world, [world["dossier"]], clock.now())
    _row, world["key"] = api_keys.create_api_key(session, world["unit"], "unit", clock.now())
    session.commit()
    return world


@pytest.mark.parametrize("path", ["/api/v1/dossiers?page=%C2%B2", "/api/v1/manifests?page=%C2%B2"])
def test_a_superscript_page_number_is_a_422_not_a_crash(
    client: FlaskClient, world: dict[str, Any], path: str
) -> None:
    response = client.get(path, headers={"Authorization": f"Bearer {world['key']}"})
    assert response.status_code == 422 and "page" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00"])
def test_a_time_at_the_calendars_edge_is_a_422(
    client: FlaskClient, world: dict[str, Any], since: str
) -> None:
    response = client.get(
        "/api/v1/dossiers",
        query_string={"updated_since": since},
        headers={"Authorization": f"Bearer {world['key']}"},
    )
    assert response.status_code == 422 and "updated_since" in response.get_json()["error"]["fields"]


def test_an_id_beyond_the_databases_range_is_a_404(client: FlaskClient, world: dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {world['key']}"}
    assert client.get("/api/v1/webhooks/2147483648/deliveries", headers=headers).status_code == 404
    assert client.delete("/api/v1/webhooks/99999999999999999999", headers=headers).status_code == 404


@pytest.mark.parametrize(
    "path", ["/manifests?page=%C2%B2", "/manifests/new?unit=%C2%B2", "/manifests/new?unit=" + "9" * 30]
)
def test_odd_numbers_in_manifest_screen_urls_are_harmless(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any], path: str
) -> None:
    auth.sign_in(world["clerk"].username)
    assert client.get(path).status_code == 200


def _reroute(session: Session, world: dict[str, Any], clock: FixedClock) -> tuple[Any, str]:
    manifest = world["manifest"]
    receiving.confirm_line(
        session, None, "api", manifest, manifest.lines[0], False, "wrong_unit", "", clock.now()
    )
    right = factories.unit(session)
    factories.contract(session, right, world["operator"])
    manager = factories.user(session, Role.POSTAL_MANAGER, organization=world["operator"])
    resend.send_again(session, manager, world["dossier"], right, "", clock.now())
    _row, key = api_keys.create_api_key(session, right, "right unit", clock.now())
    session.commit()
    return right, key


def test_the_unit_a_dossier_is_re_routed_to_sees_none_of_the_first_units_hand_off(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: FixedClock
) -> None:
    right, key = _reroute(session, world, clock)
    body = client.get(
        f"/api/v1/dossiers/{world['dossier'].code}", headers={"Authorization": f"Bearer {key}"}
    ).get_json()
    assert body["manifests"] == [] and [t["type"] for t in body["tasks"]] == ["carriage"]
    assert body["unit"]["code"] == right.code


def test_the_post_still_sees_the_whole_custody_of_a_re_routed_dossier(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    _reroute(session, world, clock)
    auth.sign_in(world["clerk"].username)
    page = client.get(f"/desk/dossiers/{world['dossier'].code}/custody").get_data(as_text=True)
    assert page.count("<tr>") == 1 + 4 and world["manifest"].number in page


def test_a_page_number_thousands_of_digits_long_is_a_422(client: FlaskClient, world: dict[str, Any]) -> None:
    response = client.get(
        "/api/v1/dossiers?page=" + "1" * 5000, headers={"Authorization": f"Bearer {world['key']}"}
    )
    assert response.status_code == 422
