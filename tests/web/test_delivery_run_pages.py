"""The run pages: results beside the pickups on the dispatch page, route sheets, the start of the run."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users.models import Role
from postal_hub.delivery import runs
from postal_hub.delivery.models import Delivery
from postal_hub.pickup.dispatch import assign as assign_pickup
from tests import factories
from tests.conftest import AuthActions
from tests.factories_delivery import delivery_at_office, delivery_world
from tests.fakes import FixedClock


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    return delivery_world(session)


def _dispatch(client: FlaskClient, world: dict[str, Any], delivery: Delivery) -> str:
    day = delivery.day.isoformat() if delivery.day else ""
    return client.get(f"/pickups/dispatch?office={world['office'].id}&date={day}").get_data(as_text=True)


def _row(page: str, delivery: Delivery) -> str:
    return page.split(f'data-dossier="{delivery.dossier.code}"')[1].split("</tr>")[0]


def _sheet(
    client: FlaskClient, world: dict[str, Any], delivery: Delivery, postman_key: str = "postman"
) -> str:
    postman = world[postman_key]
    url = f"/pickups/route?office={world['office'].id}&postman={postman.id}&date={delivery.day}"
    return client.get(url).get_data(as_text=True)


def _stop(page: str, delivery: Delivery) -> str:
    """The stop's own markup: up to the next stop, or the end of the list."""
    rest = page.split(f'data-dossier="{delivery.dossier.code}"')[1]
    return rest.split('<li class="route-stop"')[0].split("</ol>")[0]


def _on_run(
    session: Session, world: dict[str, Any], clock: FixedClock, postman_key: str = "postman"
) -> Delivery:
    delivery = delivery_at_office(session, world, clock.now())
    runs.assign(session, world["manager"], delivery, world[postman_key], clock.now())
    return delivery


# ---- The dispatch page ------------------------------------------------------------------------------


def test_the_dispatch_page_lists_the_days_results_beside_the_pickups(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    pickup = factories.booked_pickup(session, world, clock.now(), slot_start=factories.next_window(days=1))
    session.commit()
    auth.sign_in(world["manager"].username)
    page = _dispatch(client, world, delivery)
    assert f'data-dossier="{delivery.dossier.code}"' in page
    assert f'data-reference="{pickup.reference}"' in page


def test_each_result_on_the_dispatch_page_has_its_assign_form(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    session.commit()
    auth.sign_in(world["manager"].username)
    row = _row(_dispatch(client, world, delivery), delivery)
    assert f'action="/deliveries/{delivery.dossier.code}/assign"' in row and 'name="csrf_token"' in row


def test_assigning_a_result_from_the_dispatch_page_puts_it_on_the_postmans_run(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    session.commit()
    auth.sign_in(world["manager"].username)
    response = client.post(
        f"/deliveries/{delivery.dossier.code}/assign",
        data={"postman_id": str(world["postman"].id), "date": str(delivery.day)},
    )
    session.refresh(delivery)
    assert (
        response.status_code == 302 and f"#delivery-{delivery.dossier.code}" in response.headers["Location"]
    )
    assert (delivery.status, delivery.postman_id) == ("assigned", world["postman"].id)


def test_assigning_a_result_to_a_postman_of_another_office_changes_nothing_and_says_why(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    elsewhere = factories.post_office(session, world["operator"])
    outsider = factories.user(
        session, Role.POSTMAN, organization=world["operator"], post_office_id=elsewhere.id
    )
    session.commit()
    auth.sign_in(world["manager"].username)
    response = client.post(
        f"/deliveries/{delivery.dossier.code}/assign",
        data={"postman_id": str(outsider.id), "date": str(delivery.day)},
        follow_redirects=True,
    )
    session.refresh(delivery)
    assert response.status_code == 200 and "flash--error" in response.get_data(as_text=True)
    assert (delivery.status, delivery.postman_id) == ("at_office", None)


def test_a_manager_of_another_operator_gets_404_assigning_a_result_not_theirs(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    stranger = factories.user(session, Role.POSTAL_MANAGER)
    session.commit()
    auth.sign_in(stranger.username)
    response = client.post(f"/deliveries/{delivery.dossier.code}/assign", data={"postman_id": ""})
    session.refresh(delivery)
    assert response.status_code == 404 and delivery.status == "at_office"


def test_a_postman_may_not_assign_results(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    session.commit()
    auth.sign_in(world["postman"].username)
    response = client.post(
        f"/deliveries/{delivery.dossier.code}/assign", data={"postman_id": str(world["postman"].id)}
    )
    assert response.status_code == 403


def test_planning_from_the_dispatch_page_puts_the_results_on_the_routes(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    session.commit()
    auth.sign_in(world["manager"].username)
    response = client.post(
        "/pickups/dispatch/plan",
        data={
            "office": str(world["office"].id),
            "date": str(delivery.day),
            "postman_ids": [str(world["postman"].id)],
        },
    )
    session.refresh(delivery)
    assert response.status_code == 302
    assert delivery.status == "assigned" and delivery.planned_at is not None


# ---- Route sheets -------------------------------------------------------------------------------------


def test_the_route_sheet_lists_the_proof_required_for_each_result(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _on_run(session, world, clock)
    session.commit()
    auth.sign_in(world["manager"].username)
    stop = _stop(_sheet(client, world, delivery), delivery)
    assert 'data-proof="identity"' in stop and 'data-proof="signature"' in stop
    assert 'data-proof="authorised"' not in stop


def test_the_route_sheet_names_the_authorised_person_when_one_is_recorded(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _on_run(session, world, clock)
    delivery.authorised_name = "Lê Văn Được"  # recorded by the unit (the authorisation screens set it)
    session.commit()
    auth.sign_in(world["manager"].username)
    stop = _stop(_sheet(client, world, delivery), delivery)
    assert 'data-proof="authorised"' in stop and "Lê Văn Được" in stop


def test_the_route_sheet_shows_what_to_hand_over_and_the_fee_due(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, world, clock.now(), amount_due=35_000)
    runs.assign(session, world["manager"], delivery, world["postman"], clock.now())
    session.commit()
    auth.sign_in(world["manager"].username)
    stop = _stop(_sheet(client, world, delivery), delivery)
    assert delivery.summary in stop and world["procedure"].name in stop
    assert 'data-amount-due="35000"' in stop and 'data-proof="payment"' in stop


def test_the_route_sheet_lists_pickups_and_results_in_route_order(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _on_run(session, world, clock)
    pickup = factories.booked_pickup(session, world, clock.now(), slot_start=factories.next_window(days=1))
    assign_pickup(session, world["manager"], pickup, world["postman"], clock.now())
    session.commit()
    auth.sign_in(world["manager"].username)
    page = _sheet(client, world, delivery)
    assert page.index(f'data-dossier="{delivery.dossier.code}"') < page.index(
        f'data-reference="{pickup.reference}"'
    )


def test_my_route_lists_only_my_own_results(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    mine = _on_run(session, world, clock)
    theirs = _on_run(session, world, clock, "second_postman")
    session.commit()
    auth.sign_in(world["postman"].username)
    page = client.get(f"/pickups/my-route?date={mine.day}").get_data(as_text=True)
    assert f'data-dossier="{mine.dossier.code}"' in page and theirs.dossier.code not in page


# ---- The start of the run -----------------------------------------------------------------------------


def test_my_route_of_today_offers_to_start_the_run(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _on_run(session, world, clock)
    session.commit()
    clock.advance(days=1)
    auth.sign_in(world["postman"].username)
    page = client.get("/pickups/my-route").get_data(as_text=True)
    assert 'action="/deliveries/run/start"' in page and delivery.dossier.code in page


def test_starting_the_run_from_my_route_takes_my_results_out(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _on_run(session, world, clock)
    session.commit()
    clock.advance(days=1)
    auth.sign_in(world["postman"].username)
    response = client.post("/deliveries/run/start", data={"date": str(delivery.day)})
    session.refresh(delivery)
    session.refresh(delivery.dossier)
    assert response.status_code == 302 and response.headers["Location"].endswith("/pickups/my-route")
    assert delivery.status == "out" and delivery.dossier.status == "out_for_delivery"


def test_a_result_out_for_delivery_links_to_its_door_page(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _on_run(session, world, clock)
    clock.advance(days=1)
    runs.start_run(session, world["postman"], delivery.day, clock.now())  # type: ignore[arg-type]
    session.commit()
    auth.sign_in(world["postman"].username)
    stop = _stop(client.get("/pickups/my-route").get_data(as_text=True), delivery)
    assert f'href="/deliveries/{delivery.dossier.code}/door"' in stop


def test_taking_out_a_result_on_another_postmans_run_changes_nothing(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    theirs = _on_run(session, world, clock, "second_postman")
    session.commit()
    clock.advance(days=1)
    auth.sign_in(world["postman"].username)
    response = client.post(f"/deliveries/{theirs.dossier.code}/take-out", follow_redirects=True)
    session.refresh(theirs)
    assert response.status_code == 200 and "flash--error" in response.get_data(as_text=True)
    assert theirs.status == "assigned"


def test_a_postman_of_another_office_gets_404_taking_out_a_result(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    delivery = _on_run(session, world, clock)
    elsewhere = factories.post_office(session, world["operator"])
    outsider = factories.user(
        session, Role.POSTMAN, organization=world["operator"], post_office_id=elsewhere.id
    )
    session.commit()
    clock.advance(days=1)
    auth.sign_in(outsider.username)
    assert client.post(f"/deliveries/{delivery.dossier.code}/take-out").status_code == 404


def test_starting_the_run_without_the_csrf_token_is_refused(
    app: Flask,
    session: Session,
    client: FlaskClient,
    auth: AuthActions,
    world: dict[str, Any],
    clock: FixedClock,
) -> None:
    delivery = _on_run(session, world, clock)
    session.commit()
    clock.advance(days=1)
    auth.sign_in(world["postman"].username)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/deliveries/run/start", data={"date": str(delivery.day)})
    session.refresh(delivery)
    assert response.status_code == 400 and delivery.status == "assigned"
