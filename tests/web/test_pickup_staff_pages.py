"""The staff's home-pickup screens: dispatch, route sheets, the door and the office's schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.clock import LOCAL_TZ
from postal_hub.core.messaging.models import CitizenMessage
from postal_hub.core.procedures.services import ComponentInput
from postal_hub.core.users.models import Role, User
from postal_hub.intake.models import Dossier
from postal_hub.pickup import tokens
from postal_hub.pickup.models import Pickup, PickupEvent, PickupSchedule
from tests import factories
from tests.conftest import AuthActions, count
from tests.factories_training import certify
from tests.fakes import FixedClock

DAY = date(2026, 11, 20)  # the fixed clock's Friday
NEAR_OFFICE = [(10.7800, 106.7000), (10.7850, 106.6950), (10.7700, 106.7100), (10.7650, 106.6900)]

# ---- builders (until tests/factories.py has pickup_setup) -----------------------------------------


def pickup_world(session: Session) -> dict[str, Any]:
    """An office in Hồ Chí Minh City with a map position, opening hours, a pickup schedule, a manager
    and two postmen, and a contract covering home pickup for a commune unit of the same city."""
    commune = factories.commune_in(session, "79")
    world = factories.intake_setup(session, unit_commune=commune.code, office_province="79")
    office = world["office"]
    office.lat, office.lon = 10.7769, 106.7009
    world["commune"] = commune
    world["manager"] = factories.user(
        session, Role.POSTAL_MANAGER, organization=world["operator"], post_office_id=office.id
    )
    world["postmen"] = [
        factories.user(session, Role.POSTMAN, organization=world["operator"], post_office_id=office.id)
        for _ in range(2)
    ]
    certify(session, world["manager"], *world["postmen"])
    session.add(
        PickupSchedule(
            office_id=office.id,
            windows="Mo-Fr 08:00-10:00,10:00-12:00,14:00-16:00",
            capacity=5,
            service_minutes=10,
        )
    )
    session.flush()
    return world


def booked(
    session: Session,
    world: dict[str, Any],
    start_hour: int = 8,
    day: date = DAY,
    point: tuple[float, float] = NEAR_OFFICE[0],
    postman: User | None = None,
    position: int | None = None,
    **overrides: Any,
) -> Pickup:
    start = datetime.combine(day, time(start_hour), LOCAL_TZ).astimezone(UTC)
    now = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
    values: dict[str, Any] = {
        "reference": tokens.new_reference(),
        "manage_salt": tokens.new_salt(),
        "status": "assigned" if postman else "booked",
        "source": "web",
        "procedure_id": world["procedure"].id,
        "unit_id": world["unit"].id,
        "operator_id": world["operator"].id,
        "office_id": world["office"].id,
        "contract_id": world["contract"].id,
        "slot_start": start,
        "slot_end": start + timedelta(hours=2),
        "applicant_name": "Trần Thị Bình",
        "applicant_phone": "+84912345678",
        "applicant_citizen_id": "001090012345",
        "province_code": "79",
        "commune_code": world["commune"].code,
        "street": "12 Lê Lợi",
        "lat": point[0],
        "lon": point[1],
        "point_source": "device",
        "point_precision": "device",
        "distance_km": 1.2,
        "result_delivery": "home",
        "fee": 10_000,
        "consent_version": "2026-12-01",
        "language": "vi",
        "consent_at": now,
        "created_at": now,
        "updated_at": now,
        "postman_id": postman.id if postman else None,
        "route_position": position,
    }
    values.update(overrides)
    pickup = Pickup(**values)
    session.add(pickup)
    session.flush()
    return pickup


@pytest.fixture
def world(session: Session, clock: FixedClock) -> dict[str, Any]:
    made = pickup_world(session)
    session.commit()
    return made


def _door_accept(pickup: Pickup, present: list[str]) -> dict[str, Any]:
    return {"step": "accept", "present": present, "payment_method": "cash"}


# ---- dispatch ---------------------------------------------------------------------------------


def test_dispatch_lists_the_offices_pickups_of_the_day(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    today = [booked(session, world, 8), booked(session, world, 14)]
    tomorrow = booked(session, world, 8, day=DAY + timedelta(days=1))
    session.commit()
    auth.sign_in(world["manager"].username)
    page = client.get(f"/pickups/dispatch?office={world['office'].id}").get_data(as_text=True)
    assert all(f'data-reference="{p.reference}"' in page for p in today)
    assert tomorrow.reference not in page


def test_dispatch_flags_a_point_known_only_to_the_commune(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    rough = booked(session, world, point_precision="commune")
    session.commit()
    auth.sign_in(world["manager"].username)
    page = client.get(f"/pickups/dispatch?office={world['office'].id}&date={DAY}").get_data(as_text=True)
    row = page.split(f'data-reference="{rough.reference}"')[1].split("</tr>")[0]
    assert "flag--near" in row


def test_a_manager_of_another_operator_gets_404_for_the_dispatch_of_an_office_not_theirs(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    stranger = factories.user(session, Role.POSTAL_MANAGER)
    session.commit()
    auth.sign_in(stranger.username)
    assert client.get(f"/pickups/dispatch?office={world['office'].id}").status_code == 404


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.POSTAL_CLERK])
def test_citizens_and_clerks_are_refused_the_dispatch_page(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], role: Role
) -> None:
    someone = factories.user(
        session,
        role,
        organization=world["operator"] if role == Role.POSTAL_CLERK else None,
        post_office_id=world["office"].id if role == Role.POSTAL_CLERK else None,
    )
    session.commit()
    auth.sign_in(someone.username)
    assert client.get(f"/pickups/dispatch?office={world['office'].id}").status_code == 403


def test_assigning_a_pickup_to_a_postman_of_the_office_puts_it_on_their_route(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    pickup = booked(session, world)
    session.commit()
    postman = world["postmen"][0]
    auth.sign_in(world["manager"].username)
    response = client.post(f"/pickups/{pickup.reference}/assign", data={"postman_id": str(postman.id)})
    session.refresh(pickup)
    assert response.status_code == 302
    assert (pickup.status, pickup.postman_id) == ("assigned", postman.id)


def test_assigning_to_a_postman_of_another_office_is_refused_on_the_row(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    pickup = booked(session, world)
    elsewhere = factories.post_office(session, world["operator"], province_code="79")
    outsider = factories.user(
        session, Role.POSTMAN, organization=world["operator"], post_office_id=elsewhere.id
    )
    session.commit()
    auth.sign_in(world["manager"].username)
    response = client.post(f"/pickups/{pickup.reference}/assign", data={"postman_id": str(outsider.id)})
    row = response.get_data(as_text=True).split(f'data-reference="{pickup.reference}"')[1].split("</tr>")[0]
    session.refresh(pickup)
    assert response.status_code == 200 and 'aria-invalid="true"' in row
    assert (pickup.status, pickup.postman_id) == ("booked", None)


def test_planning_the_day_assigns_every_open_pickup_with_a_planned_time(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    pickups = [
        booked(session, world, hour, point=point)
        for hour, point in zip((8, 8, 10, 14), NEAR_OFFICE, strict=True)
    ]
    session.commit()
    auth.sign_in(world["manager"].username)
    response = client.post(
        "/pickups/dispatch/plan",
        data={
            "office": str(world["office"].id),
            "date": DAY.isoformat(),
            "postman_ids": [str(u.id) for u in world["postmen"]],
        },
    )
    for pickup in pickups:
        session.refresh(pickup)
    assert response.status_code == 302
    assert all(p.status == "assigned" and p.planned_at is not None for p in pickups)
    assert all(p.slot_start <= p.planned_at <= p.slot_end for p in pickups if p.planned_at)


def test_planning_with_no_postman_ticked_changes_nothing_and_says_why(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    pickup = booked(session, world)
    session.commit()
    auth.sign_in(world["manager"].username)
    response = client.post(
        "/pickups/dispatch/plan",
        data={"office": str(world["office"].id), "date": DAY.isoformat()},
        follow_redirects=True,
    )
    session.refresh(pickup)
    assert response.status_code == 200 and "flash--error" in response.get_data(as_text=True)
    assert pickup.status == "booked"


# ---- route sheets -----------------------------------------------------------------------------


def test_the_route_sheet_lists_the_stops_in_route_order_with_the_checklist(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    postman = world["postmen"][0]
    second = booked(session, world, 8, postman=postman, position=2)
    first = booked(session, world, 8, postman=postman, position=1)
    session.commit()
    auth.sign_in(world["manager"].username)
    page = client.get(f"/pickups/route?office={world['office'].id}&postman={postman.id}&date={DAY}").get_data(
        as_text=True
    )
    assert page.index(f'data-reference="{first.reference}"') < page.index(
        f'data-reference="{second.reference}"'
    )
    assert page.count('data-component="TP1"') == 2 and page.count('data-component="TP2"') == 2


def test_a_postman_cannot_open_another_postmans_route_sheet(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    me, colleague = world["postmen"]
    auth.sign_in(me.username)
    response = client.get(f"/pickups/route?office={world['office'].id}&postman={colleague.id}")
    assert response.status_code == 404


def test_a_postmans_route_shows_only_their_own_stops(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    me, colleague = world["postmen"]
    mine = booked(session, world, postman=me, position=1)
    theirs = booked(session, world, postman=colleague, position=1)
    unassigned = booked(session, world)
    session.commit()
    auth.sign_in(me.username)
    page = client.get("/pickups/my-route").get_data(as_text=True)
    assert f'data-reference="{mine.reference}"' in page
    assert theirs.reference not in page and unassigned.reference not in page


# ---- at the door ------------------------------------------------------------------------------


def test_the_door_with_every_component_ticked_accepts_a_pickup_dossier(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    postman = world["postmen"][0]
    pickup = booked(session, world, postman=postman, position=1)
    session.commit()
    auth.sign_in(postman.username)
    response = client.post(f"/pickups/{pickup.reference}/door", data=_door_accept(pickup, ["TP1", "TP2"]))
    dossier = session.scalar(sa.select(Dossier))
    assert dossier is not None and (dossier.status, dossier.channel) == ("accepted", "pickup")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/desk/dossiers/{dossier.code}"
    )


def test_the_door_with_every_component_ticked_closes_the_pickup_as_completed(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    postman = world["postmen"][0]
    pickup = booked(session, world, postman=postman, position=1)
    session.commit()
    auth.sign_in(postman.username)
    client.post(f"/pickups/{pickup.reference}/door", data=_door_accept(pickup, ["TP1", "TP2"]))
    session.refresh(pickup)
    codes = session.scalars(sa.select(PickupEvent.code).where(PickupEvent.pickup_id == pickup.id)).all()
    assert pickup.status == "completed" and pickup.dossier_id is not None
    assert "completed" in codes


def test_the_door_with_a_component_missing_fails_the_pickup_as_incomplete_without_a_dossier(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    postman = world["postmen"][0]
    pickup = booked(session, world, postman=postman, position=1)
    session.commit()
    auth.sign_in(postman.username)
    response = client.post(f"/pickups/{pickup.reference}/door", data=_door_accept(pickup, ["TP1"]))
    session.refresh(pickup)
    assert response.status_code == 200 and 'data-component="TP2"' in response.get_data(as_text=True)
    assert (pickup.status, pickup.failure_reason) == ("failed", "incomplete")
    assert count(session, Dossier) == 0


def test_the_door_records_an_incomplete_visit_even_when_the_missing_list_is_long(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    names = [
        "Bản sao Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất",
        "Văn bản ủy quyền cho người nộp hồ sơ có công chứng hoặc chứng thực theo quy định của pháp luật",
        "Bản sao giấy tờ chứng minh nơi cư trú của người yêu cầu đăng ký tại thời điểm nộp hồ sơ",
        "Tờ khai theo mẫu ban hành kèm theo Thông tư số 04/2024/TT-BTP có chữ ký của người yêu cầu",
        "Giấy xác nhận tình trạng hôn nhân do Ủy ban nhân dân cấp xã nơi thường trú cấp trong 6 tháng",
        "Bản sao hộ chiếu hoặc giấy tờ có giá trị thay thế hộ chiếu còn giá trị sử dụng của người nước ngoài",
    ]
    components = [ComponentInput(f"TP{i}", name, False, 1) for i, name in enumerate(names, start=1)]
    many = factories.procedure(session, competent_level="commune", components=components)
    postman = world["postmen"][0]
    pickup = booked(session, world, postman=postman, position=1, procedure_id=many.id)
    session.commit()
    auth.sign_in(postman.username)
    client.post(f"/pickups/{pickup.reference}/door", data=_door_accept(pickup, []))
    session.refresh(pickup)
    assert (pickup.status, pickup.failure_reason) == ("failed", "incomplete")


def test_nobody_home_records_the_reason_and_queues_a_message_to_the_citizen(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    postman = world["postmen"][0]
    pickup = booked(session, world, postman=postman, position=1)
    session.commit()
    auth.sign_in(postman.username)
    response = client.post(
        f"/pickups/{pickup.reference}/door", data={"step": "fail", "reason": "nobody_home", "note": ""}
    )
    session.refresh(pickup)
    message = session.scalar(sa.select(CitizenMessage).where(CitizenMessage.kind == "pickup.failed"))
    assert response.status_code == 302
    assert (pickup.status, pickup.failure_reason) == ("failed", "nobody_home")
    assert message is not None and message.recipient == pickup.applicant_phone


def test_other_reason_without_a_note_is_refused_on_the_note_field(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    postman = world["postmen"][0]
    pickup = booked(session, world, postman=postman, position=1)
    session.commit()
    auth.sign_in(postman.username)
    response = client.post(
        f"/pickups/{pickup.reference}/door", data={"step": "fail", "reason": "other", "note": ""}
    )
    session.refresh(pickup)
    assert response.status_code == 200 and 'id="note-err"' in response.get_data(as_text=True)
    assert pickup.status == "assigned"


def test_a_closed_pickup_shows_its_outcome_without_the_door_forms(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    postman = world["postmen"][0]
    pickup = booked(session, world, status="failed", failure_reason="nobody_home")
    session.commit()
    auth.sign_in(postman.username)
    page = client.get(f"/pickups/{pickup.reference}/door").get_data(as_text=True)
    assert "door-outcome" in page and 'name="step"' not in page


def test_accepting_a_pickup_already_closed_answers_with_the_page_not_an_error(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    postman = world["postmen"][0]
    pickup = booked(session, world, status="cancelled")
    session.commit()
    auth.sign_in(postman.username)
    response = client.post(f"/pickups/{pickup.reference}/door", data=_door_accept(pickup, ["TP1", "TP2"]))
    assert response.status_code == 200 and "flash--error" in response.get_data(as_text=True)
    assert count(session, Dossier) == 0


def test_a_postman_of_another_office_gets_404_at_the_door(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    pickup = booked(session, world)
    elsewhere = factories.post_office(session, world["operator"], province_code="79")
    outsider = factories.user(
        session, Role.POSTMAN, organization=world["operator"], post_office_id=elsewhere.id
    )
    session.commit()
    auth.sign_in(outsider.username)
    assert client.get(f"/pickups/{pickup.reference}/door").status_code == 404


# ---- the office's schedule --------------------------------------------------------------------


def _schedule_form(**overrides: Any) -> dict[str, Any]:
    data = {"windows": "Mo-Fr 08:00-11:00; Sa 08:00-10:00", "capacity": "8", "service_minutes": "15"}
    data.update(overrides)
    return data


def test_the_schedule_form_refuses_a_window_outside_the_opening_hours(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    office = world["office"]  # open Mo-Fr 07:30-17:00
    auth.sign_in(world["manager"].username)
    response = client.post(
        f"/pickups/schedule/{office.id}", data=_schedule_form(windows="Mo-Fr 06:00-08:00", active="y")
    )
    schedule = session.get(PickupSchedule, office.id)
    session.refresh(schedule)
    assert response.status_code == 200 and 'id="windows-err"' in response.get_data(as_text=True)
    assert schedule is not None and schedule.windows == "Mo-Fr 08:00-10:00,10:00-12:00,14:00-16:00"


def test_the_schedule_form_saves_valid_windows_with_who_changed_them(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    office = world["office"]
    auth.sign_in(world["manager"].username)
    response = client.post(
        f"/pickups/schedule/{office.id}",
        data=_schedule_form(windows="Mo-Fr   08:00-11:00", active="y"),
    )
    schedule = session.get(PickupSchedule, office.id)
    session.refresh(schedule)
    assert response.status_code == 302 and schedule is not None
    assert (schedule.windows, schedule.capacity, schedule.service_minutes, schedule.active) == (
        "Mo-Fr 08:00-11:00",
        8,
        15,
        True,
    )
    assert schedule.updated_by_id == world["manager"].id


def test_the_schedule_of_an_office_of_another_operator_is_404(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    stranger = factories.user(session, Role.POSTAL_MANAGER)
    session.commit()
    auth.sign_in(stranger.username)
    assert client.get(f"/pickups/schedule/{world['office'].id}").status_code == 404
