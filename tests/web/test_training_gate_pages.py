"""The gate as staff meet it on screen: the counter warns before the form, dispatch marks who may go."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users.models import Role
from postal_hub.intake.models import Dossier
from tests import factories
from tests.conftest import AuthActions, count
from tests.factories_training import certify


def _form(world: dict[str, Any]) -> dict[str, Any]:
    return {
        "procedure_code": world["procedure"].code,
        "submission_token": "tok-gate-1",
        "applicant_name": "Nguyễn Văn An",
        "citizen_id": "001090012345",
        "phone": "0912 345 678",
        "province_code": "01",
        "commune_code": "00097",
        "street": "12 Phúc Xá",
        "present": ["TP1", "TP2"],
        "result_delivery": "home",
        "payment_method": "cash",
    }


def test_the_acceptance_form_tells_an_uncertified_clerk_at_once_which_group_is_missing(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    world = factories.intake_setup(session)
    clerk = factories.user(
        session, Role.POSTAL_CLERK, organization=world["operator"], post_office_id=world["office"].id
    )
    session.commit()
    auth.sign_in(clerk.username)
    page = client.get(f"/desk/accept?procedure={world['procedure'].code}").get_data(as_text=True)
    assert 'class="flash flash--error"' in page and "Nhóm thủ tục thử" in page


def test_the_acceptance_form_has_no_warning_for_a_certified_clerk(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    world = factories.intake_setup(session)
    session.commit()
    auth.sign_in(world["clerk"].username)
    page = client.get(f"/desk/accept?procedure={world['procedure'].code}").get_data(as_text=True)
    assert "flash--error" not in page and "Nhóm thủ tục thử" not in page


def test_an_uncertified_clerk_submitting_the_form_is_refused_and_nothing_is_saved(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    world = factories.intake_setup(session)
    clerk = factories.user(
        session, Role.POSTAL_CLERK, organization=world["operator"], post_office_id=world["office"].id
    )
    session.commit()
    auth.sign_in(clerk.username)
    response = client.post("/desk/accept", data=_form(world))
    assert response.status_code == 200
    assert "Nhóm thủ tục thử" in response.get_data(as_text=True)
    assert count(session, Dossier) == 0


def test_dispatch_marks_the_postmen_not_certified_for_a_pickups_procedure(
    session: Session, client: FlaskClient, auth: AuthActions, clock: Any
) -> None:
    world = factories.pickup_setup(session)
    factories.user(
        session,
        Role.POSTMAN,
        organization=world["operator"],
        post_office_id=world["office"].id,
        full_name="Lý Chưa Học",
    )
    pickup = factories.booked_pickup(session, world, clock.now())
    session.commit()
    auth.sign_in(world["manager"].username)
    day = factories.next_window().date().isoformat()
    page = client.get(f"/pickups/dispatch?office={world['office'].id}&date={day}").get_data(as_text=True)
    select = page[page.index(f'id="postman-{pickup.reference}"') :].split("</select>")[0]
    options = {line.split(">", 1)[1].split("<")[0] for line in select.split("<option")[2:]}
    assert any(o.startswith("Lý Chưa Học —") for o in options)
    assert world["postman"].full_name in options


def test_certifying_the_postman_removes_the_mark(
    session: Session, client: FlaskClient, auth: AuthActions, clock: Any
) -> None:
    world = factories.pickup_setup(session)
    newcomer = factories.user(
        session,
        Role.POSTMAN,
        organization=world["operator"],
        post_office_id=world["office"].id,
        full_name="Lý Đã Học",
    )
    certify(session, newcomer)
    pickup = factories.booked_pickup(session, world, clock.now())
    session.commit()
    auth.sign_in(world["manager"].username)
    day = factories.next_window().date().isoformat()
    page = client.get(f"/pickups/dispatch?office={world['office'].id}&date={day}").get_data(as_text=True)
    select = page[page.index(f'id="postman-{pickup.reference}"') :].split("</select>")[0]
    assert "Lý Đã Học</option>" in select
