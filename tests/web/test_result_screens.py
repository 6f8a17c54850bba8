"""The unit marks results ready and sends them to the post; the office returns what it cannot hand over."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users.models import Role
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.status import DeliveryStatus
from postal_hub.handoff.models import Manifest
from postal_hub.handoff.status import Direction
from postal_hub.intake.status import DossierStatus
from tests import factories
from tests.conftest import AuthActions, count
from tests.factories_delivery import delivery_at_office, delivery_world, ready_result, received_dossier
from tests.fakes import FixedClock


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    world = delivery_world(session)
    session.commit()
    return world


def test_the_unit_officer_marks_a_result_ready_from_the_screen(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = received_dossier(session, world, clock.now())
    session.commit()
    auth.sign_in(world["officer"].username)
    response = client.post(
        f"/dossiers/{dossier.code}/result-ready",
        data={"summary": "Giấy phép số 12", "result_delivery": "home", "amount_due": "30000"},
    )
    assert response.status_code == 302
    session.refresh(dossier)
    delivery = session.scalar(sa.select(Delivery).where(Delivery.dossier_id == dossier.id))
    assert dossier.status == DossierStatus.RESULT_READY.value
    assert delivery is not None and delivery.amount_due == 30_000


def test_a_result_ready_without_a_summary_names_the_field_and_saves_nothing(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = received_dossier(session, world, clock.now())
    session.commit()
    auth.sign_in(world["officer"].username)
    response = client.post(
        f"/dossiers/{dossier.code}/result-ready", data={"summary": "", "result_delivery": "home"}
    )
    assert response.status_code == 200 and 'aria-invalid="true"' in response.get_data(as_text=True)
    assert count(session, Delivery) == 0


def test_a_negative_fee_due_is_refused_on_its_field(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = received_dossier(session, world, clock.now())
    session.commit()
    auth.sign_in(world["officer"].username)
    response = client.post(
        f"/dossiers/{dossier.code}/result-ready",
        data={"summary": "x", "result_delivery": "home", "amount_due": "-5"},
    )
    assert response.status_code == 200 and count(session, Delivery) == 0


def test_another_units_officer_cannot_mark_the_result_ready(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = received_dossier(session, world, clock.now())
    stranger = factories.user(session, Role.UNIT_OFFICER, organization=factories.unit(session))
    session.commit()
    auth.sign_in(stranger.username)
    response = client.post(
        f"/dossiers/{dossier.code}/result-ready", data={"summary": "x", "result_delivery": "home"}
    )
    assert response.status_code == 404 and count(session, Delivery) == 0


def test_a_postal_clerk_cannot_mark_a_result_ready(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = received_dossier(session, world, clock.now())
    session.commit()
    auth.sign_in(world["clerk"].username)
    assert client.get(f"/dossiers/{dossier.code}/result-ready").status_code == 403


def test_the_unit_officer_prepares_a_results_manifest_to_the_office(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier, _ = ready_result(session, world, clock.now())
    session.commit()
    auth.sign_in(world["officer"].username)
    choose = client.get("/manifests/new?kind=results").get_data(as_text=True)
    assert world["office"].name in choose
    response = client.post(
        f"/manifests/new?kind=results&office={world['office'].id}",
        data={"dossier": [dossier.code], f"seal-{dossier.code}": "kq-0001"},
    )
    manifest = session.scalar(sa.select(Manifest).where(Manifest.direction == Direction.TO_POST.value))
    assert response.status_code == 302 and manifest is not None
    assert manifest.lines[0].component_count == 1


def test_the_office_confirms_a_results_manifest_from_the_screen(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    from tests.factories_delivery import result_manifest

    dossier, delivery = ready_result(session, world, clock.now())
    manifest = result_manifest(session, world, [dossier], clock.now())
    session.commit()
    auth.sign_in(world["clerk"].username)
    page = client.get(f"/manifests/{manifest.number}").get_data(as_text=True)
    assert f"/manifests/{manifest.number}/lines/{manifest.lines[0].id}" in page
    response = client.post(
        f"/manifests/{manifest.number}/lines/{manifest.lines[0].id}", data={"decision": "received"}
    )
    assert response.status_code == 302
    session.refresh(delivery)
    assert delivery.status == DeliveryStatus.AT_OFFICE.value


def test_a_clerk_cannot_open_the_results_manifest_page(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["clerk"].username)
    assert client.get("/manifests/new?kind=results").status_code == 403


def test_the_office_prepares_a_return_manifest_for_results_due_back(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    from postal_hub.delivery.events import set_status

    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    set_status(session, delivery, DeliveryStatus.TO_RETURN, clock.now(), None, "expired", return_reason="x")
    session.commit()
    auth.sign_in(world["clerk"].username)
    assert world["unit"].name in client.get("/manifests/new?kind=returns").get_data(as_text=True)
    code = delivery.dossier.code
    response = client.post(
        f"/manifests/new?kind=returns&unit={world['unit'].id}",
        data={"dossier": [code], f"seal-{code}": "ht-0001"},
    )
    manifest = session.scalar(sa.select(Manifest).where(Manifest.direction == Direction.RETURN.value))
    assert response.status_code == 302 and manifest is not None and manifest.number.startswith("HT-")


def test_the_office_lists_results_waiting_for_collection(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    session.commit()
    auth.sign_in(world["clerk"].username)
    page = client.get("/deliveries?view=collect").get_data(as_text=True)
    assert delivery.dossier.code in page


def test_another_offices_clerk_does_not_see_the_result(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    other_office = factories.post_office(session, world["operator"])
    stranger = factories.user(
        session, Role.POSTAL_CLERK, organization=world["operator"], post_office_id=other_office.id
    )
    session.commit()
    auth.sign_in(stranger.username)
    page = client.get("/deliveries?view=collect").get_data(as_text=True)
    assert delivery.dossier.code not in page


def test_the_dossier_page_shows_the_results_delivery(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    session.commit()
    auth.sign_in(world["officer"].username)
    page = client.get(f"/desk/dossiers/{delivery.dossier.code}").get_data(as_text=True)
    assert 'id="delivery"' in page and "Giấy phép số 12/GP" in page


def test_another_units_officer_sees_none_of_the_units_results(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    stranger = factories.user(session, Role.UNIT_OFFICER, organization=factories.unit(session))
    session.commit()
    auth.sign_in(stranger.username)
    assert delivery.dossier.code not in client.get("/deliveries?view=deliver").get_data(as_text=True)
    assert client.get(f"/desk/dossiers/{delivery.dossier.code}").status_code == 404


def test_a_postman_lists_only_the_results_on_his_own_runs(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    session.commit()
    auth.sign_in(world["postman"].username)
    assert delivery.dossier.code not in client.get("/deliveries?view=deliver").get_data(as_text=True)
