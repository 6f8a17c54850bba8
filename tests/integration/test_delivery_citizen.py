"""What the citizen does with the link to their result: switch to the office, name a recipient."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.status import TaskStatus, TaskType
from postal_hub.contracts.task_models import Task
from postal_hub.core.errors import Conflict, NotFound, ValidationFailed
from postal_hub.core.messaging.models import CitizenMessage
from postal_hub.delivery import citizen, tokens
from postal_hub.delivery.events import set_status
from postal_hub.delivery.models import Delivery, DeliveryEvent
from postal_hub.delivery.status import DeliveryStatus
from postal_hub.pickup.models import PickupSlot
from tests.conftest import TEST_CONFIG
from tests.factories_delivery import delivered_result, delivery_at_office, delivery_world

SECRET = str(TEST_CONFIG["SECRET_KEY"])
AUTHORISED_ID = "001085067890"


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    return delivery_world(session)


def _booked(session: Session, slot_id: int) -> int:
    return int(session.scalar(sa.select(PickupSlot.booked).where(PickupSlot.id == slot_id)) or 0)


def _token(delivery: Delivery) -> str:
    return tokens.manage_token(SECRET, delivery.dossier.code, delivery.manage_salt)


def _assigned(session: Session, world: dict[str, Any], delivery: Delivery, now: Any) -> None:
    set_status(
        session, delivery, DeliveryStatus.ASSIGNED, now, world["manager"], "assigned",
        postman_id=world["postman"].id, route_position=1, planned_at=now,
    )  # fmt: skip


def test_the_link_finds_the_delivery_with_its_token(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    found = citizen.get_with_token(session, SECRET, delivery.dossier.code.lower(), _token(delivery))
    assert found.id == delivery.id


def test_a_wrong_token_finds_nothing(session: Session, world: dict[str, Any], clock: Any) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    with pytest.raises(NotFound):
        citizen.get_with_token(session, SECRET, delivery.dossier.code, _token(delivery)[:-1] + "x")


def test_the_token_of_one_result_does_not_open_another(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    first = delivery_at_office(session, world, clock.now())
    second = delivery_at_office(session, world, clock.now())
    with pytest.raises(NotFound):
        citizen.get_with_token(session, SECRET, second.dossier.code, _token(first))


def test_switching_to_the_office_keeps_the_result_there_until_a_deadline(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    citizen.switch_to_office(session, delivery, clock.now())
    assert delivery.method == "post_office" and delivery.status == DeliveryStatus.AT_OFFICE.value
    assert delivery.hold_until is not None and delivery.hold_until > clock.now()
    assert delivery.dossier.result_delivery == "post_office"


def test_switching_to_the_office_gives_the_seat_of_the_visit_back(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    slot_id = delivery.slot_id
    assert slot_id is not None and _booked(session, slot_id) == 1
    citizen.switch_to_office(session, delivery, clock.now())
    assert delivery.slot_id is None and delivery.window_start is None
    assert _booked(session, slot_id) == 0


def test_switching_to_the_office_issues_a_new_collection_code_by_text_message(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    before = delivery.code_round or 0
    citizen.switch_to_office(session, delivery, clock.now())
    assert delivery.code_round == before + 1
    message = session.scalar(sa.select(CitizenMessage).where(CitizenMessage.kind == "delivery.at_office"))
    assert message is not None and message.link.endswith(f":{delivery.code_round}")


def test_switching_to_the_office_takes_the_result_off_the_postmans_run(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    _assigned(session, world, delivery, clock.now())
    citizen.switch_to_office(session, delivery, clock.now())
    assert delivery.status == DeliveryStatus.AT_OFFICE.value and delivery.postman_id is None
    assert delivery.events[-1].code == "switched_to_office"


def test_switching_to_the_office_cancels_the_delivery_task(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    citizen.switch_to_office(session, delivery, clock.now())
    [task] = session.scalars(
        sa.select(Task).where(
            Task.dossier_code == delivery.dossier.code, Task.task_type == TaskType.RESULT_DELIVERY.value
        )
    )
    assert task.status == TaskStatus.CANCELLED.value


def test_a_result_out_with_the_postman_cannot_be_switched_to_the_office(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    _assigned(session, world, delivery, clock.now())
    set_status(session, delivery, DeliveryStatus.OUT, clock.now(), world["postman"], "out")
    with pytest.raises(Conflict):
        citizen.switch_to_office(session, delivery, clock.now())
    assert delivery.method == "home"


def test_a_result_already_for_collection_cannot_be_switched_again(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    with pytest.raises(Conflict):
        citizen.switch_to_office(session, delivery, clock.now())


def test_an_authorised_person_is_recorded_with_their_citizen_id(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    citizen.authorise(session, delivery, "  Trần Thị   Bình ", AUTHORISED_ID, clock.now())
    assert delivery.authorised_name == "Trần Thị Bình"
    assert delivery.authorised_citizen_id == AUTHORISED_ID


def test_the_authorisation_event_names_the_person_masked_and_never_their_id(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    citizen.authorise(session, delivery, "Trần Thị Bình", AUTHORISED_ID, clock.now())
    event = session.scalar(
        sa.select(DeliveryEvent).where(
            DeliveryEvent.delivery_id == delivery.id, DeliveryEvent.code == "authorised"
        )
    )
    assert event is not None and event.note == "Trần T. B."
    assert AUTHORISED_ID not in event.note


def test_an_authorised_person_with_a_bad_citizen_id_is_refused_on_that_field(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    with pytest.raises(ValidationFailed) as caught:
        citizen.authorise(session, delivery, "Trần Thị Bình", "12345", clock.now())
    assert set(caught.value.fields) == {"citizen_id"}
    assert delivery.authorised_name == ""


def test_an_authorised_person_needs_a_name(session: Session, world: dict[str, Any], clock: Any) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    with pytest.raises(ValidationFailed) as caught:
        citizen.authorise(session, delivery, "  ", AUTHORISED_ID, clock.now())
    assert set(caught.value.fields) == {"name"}


def test_the_applicant_cannot_authorise_their_own_citizen_id(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    with pytest.raises(ValidationFailed) as caught:
        citizen.authorise(
            session, delivery, "Nguyễn Văn An", delivery.dossier.applicant_citizen_id, clock.now()
        )
    assert "citizen_id" in caught.value.fields


def test_nobody_can_be_authorised_once_the_result_is_delivered(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivered_result(session, world, clock.now())
    with pytest.raises(Conflict):
        citizen.authorise(session, delivery, "Trần Thị Bình", AUTHORISED_ID, clock.now())
    assert delivery.authorised_name == ""
