"""Handing a result over: at the door, at the post office's counter and at the unit's counter."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.status import TaskStatus, TaskType
from postal_hub.contracts.task_models import Task
from postal_hub.core.custody.models import CustodyEntry
from postal_hub.core.errors import Conflict, PermissionDenied, ValidationFailed
from postal_hub.core.messaging.models import CitizenMessage
from postal_hub.core.notifications import InboxNotifier
from postal_hub.delivery import tokens
from postal_hub.delivery.handover import HandoverInput, IdentityMismatch, hand_over, hand_over_at_unit
from postal_hub.delivery.models import Delivery, DeliveryAttempt
from postal_hub.delivery.status import DeliveryStatus
from postal_hub.intake.status import DossierStatus
from postal_hub.pickup.models import PickupSlot
from postal_hub.webhooks.models import OutboxMessage
from tests.conftest import count
from tests.factories import webhook_endpoint
from tests.factories_delivery import (
    APPLICANT_ID_TAIL,
    delivery_at_office,
    delivery_world,
    out_for_delivery,
    ready_result,
)

SECRET = "test-secret"  # the test app's SECRET_KEY
SIGNATURE = b"\x89PNG\r\n\x1a\n" + b"signature strokes"
PHOTO = b"\xff\xd8\xff\xe0" + b"a photo of the handover"
AUTHORISATION = "%PDF-1.4\n/Type /Page\n giấy ủy quyền".encode()


class FakeStore:
    """A file store in memory: what was put, by digest."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        self.files[digest] = data
        return digest

    def get(self, digest: str) -> bytes:
        return self.files[digest]


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    return delivery_world(session)


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


def _by_id(**overrides: Any) -> HandoverInput:
    values: dict[str, Any] = {"id_digits": APPLICANT_ID_TAIL, "signature": SIGNATURE}
    values.update(overrides)
    return HandoverInput(**values)


def _hand(session: Session, actor: Any, delivery: Delivery, data: HandoverInput, now: Any, store: Any) -> Any:
    return hand_over(session, actor, delivery, data, now, SECRET, store, InboxNotifier())


def _kinds(session: Session, dossier_id: int) -> list[str]:
    return list(session.scalars(sa.select(CustodyEntry.kind).where(CustodyEntry.dossier_id == dossier_id)))


def _near(delivery: Delivery, north_degrees: float) -> tuple[float, float]:
    assert delivery.lat is not None and delivery.lon is not None
    return delivery.lat + north_degrees, delivery.lon


# ---- at the door ------------------------------------------------------------------------------


def test_the_applicant_showing_matching_id_digits_receives_the_result_at_the_door(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    attempt = _hand(session, world["postman"], delivery, _by_id(), clock.now(), store)
    assert delivery.status == DeliveryStatus.DELIVERED.value and delivery.closed_at == clock.now()
    assert delivery.dossier.status == DossierStatus.DELIVERED.value
    assert attempt.outcome == "delivered" and attempt.number == 1 and not attempt.at_counter
    assert attempt.recipient == "applicant" and attempt.id_method == "citizen_id"
    assert attempt.recipient_name == delivery.dossier.applicant_name


def test_the_signature_is_kept_in_the_file_store(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    attempt = _hand(session, world["postman"], delivery, _by_id(photo=PHOTO), clock.now(), store)
    assert attempt.signature_sha256 is not None and store.files[attempt.signature_sha256] == SIGNATURE
    assert attempt.photo_sha256 is not None and store.files[attempt.photo_sha256] == PHOTO


def test_a_delivery_publishes_the_delivered_webhook(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    webhook_endpoint(session, world["unit"])
    delivery = out_for_delivery(session, world, clock.now())
    _hand(session, world["postman"], delivery, _by_id(), clock.now(), store)
    assert "dossier.delivered" in set(session.scalars(sa.select(OutboxMessage.event_type)))


def test_a_delivery_completes_the_result_delivery_task(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    _hand(session, world["postman"], delivery, _by_id(), clock.now(), store)
    [task] = session.scalars(
        sa.select(Task).where(
            Task.dossier_code == delivery.dossier.code, Task.task_type == TaskType.RESULT_DELIVERY.value
        )
    )
    assert task.status == TaskStatus.DONE.value


def test_a_delivery_is_written_to_the_custody_log(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    _hand(session, world["postman"], delivery, _by_id(), clock.now(), store)
    assert _kinds(session, delivery.dossier_id)[-1] == "delivered"


def test_the_citizen_is_sent_the_rating_link_after_delivery(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    _hand(session, world["postman"], delivery, _by_id(), clock.now(), store)
    message = session.scalar(sa.select(CitizenMessage).where(CitizenMessage.kind == "delivery.delivered"))
    assert message is not None and message.link == f"delivery:{delivery.dossier.code}"


def test_the_one_time_code_sent_when_the_result_went_out_opens_the_handover(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    assert delivery.code_round is not None
    code = tokens.one_time_code(SECRET, delivery.dossier.code, delivery.manage_salt, delivery.code_round)
    data = HandoverInput(id_method="one_time_code", code=code, signature=SIGNATURE)
    attempt = _hand(session, world["postman"], delivery, data, clock.now(), store)
    assert attempt.id_method == "one_time_code" and delivery.status == DeliveryStatus.DELIVERED.value


def test_a_code_of_an_earlier_round_does_not_match(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    from postal_hub.delivery.failures import fail_attempt

    delivery = out_for_delivery(session, world, clock.now())
    old = tokens.one_time_code(SECRET, delivery.dossier.code, delivery.manage_salt, delivery.code_round or 0)
    fail_attempt(session, world["postman"], delivery, "nobody_home", "", None, None, clock.now())
    out_for_delivery(session, world, clock.now(), delivery=delivery)
    with pytest.raises(IdentityMismatch):
        _hand(
            session,
            world["postman"],
            delivery,
            HandoverInput(id_method="one_time_code", code=old, signature=SIGNATURE),
            clock.now(),
            store,
        )


def test_a_code_is_refused_when_none_was_sent(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    assert delivery.code_round is None
    data = HandoverInput(id_method="one_time_code", code="123456", signature=SIGNATURE)
    with pytest.raises(ValidationFailed) as caught:
        _hand(session, world["clerk"], delivery, data, clock.now(), store)
    assert "id_method" in caught.value.fields and delivery.id_failures == 0


def _authorise(delivery: Delivery) -> None:
    # What the citizen's page (or the unit at result-ready) records.
    delivery.authorised_name = "Lê Thị Bình"
    delivery.authorised_citizen_id = "001190067890"


def test_an_authorised_person_with_their_id_and_the_authorisation_receives_the_result(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    _authorise(delivery)
    data = _by_id(recipient="authorised", relation="vợ", id_digits="7890", authorisation=AUTHORISATION)
    attempt = _hand(session, world["postman"], delivery, data, clock.now(), store)
    assert attempt.recipient == "authorised" and attempt.relation == "vợ"
    assert attempt.recipient_name == "Lê Thị Bình"
    assert (
        attempt.authorisation_sha256 is not None
        and store.files[attempt.authorisation_sha256] == AUTHORISATION
    )


def test_an_authorised_person_without_the_authorisation_document_is_refused(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    _authorise(delivery)
    with pytest.raises(ValidationFailed) as caught:
        _hand(
            session,
            world["postman"],
            delivery,
            _by_id(recipient="authorised", relation="vợ", id_digits="7890"),
            clock.now(),
            store,
        )
    assert "authorisation" in caught.value.fields and delivery.status == DeliveryStatus.OUT.value


def test_an_authorised_person_must_say_their_relation_to_the_applicant(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    _authorise(delivery)
    data = _by_id(recipient="authorised", id_digits="7890", authorisation=AUTHORISATION)
    with pytest.raises(ValidationFailed) as caught:
        _hand(session, world["postman"], delivery, data, clock.now(), store)
    assert "relation" in caught.value.fields


def test_nobody_may_receive_for_the_applicant_when_no_authorised_person_is_recorded(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    data = _by_id(recipient="authorised", relation="vợ", id_digits="7890", authorisation=AUTHORISATION)
    with pytest.raises(ValidationFailed) as caught:
        _hand(session, world["postman"], delivery, data, clock.now(), store)
    assert "recipient" in caught.value.fields


def test_an_authorised_person_showing_the_applicants_id_does_not_match(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    _authorise(delivery)
    data = _by_id(recipient="authorised", relation="vợ", authorisation=AUTHORISATION)
    with pytest.raises(IdentityMismatch):
        _hand(session, world["postman"], delivery, data, clock.now(), store)


def test_proof_without_a_signature_or_a_photo_is_refused_and_nothing_is_saved(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    with pytest.raises(ValidationFailed) as caught:
        _hand(session, world["postman"], delivery, _by_id(signature=None), clock.now(), store)
    assert "signature" in caught.value.fields
    assert count(session, DeliveryAttempt) == 0 and store.files == {}
    assert delivery.status == DeliveryStatus.OUT.value and delivery.id_failures == 0


def test_a_photo_that_is_no_picture_is_refused(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    with pytest.raises(ValidationFailed) as caught:
        _hand(
            session,
            world["postman"],
            delivery,
            _by_id(signature=None, photo=b"GIF89a..."),
            clock.now(),
            store,
        )
    assert "photo" in caught.value.fields and store.files == {}


def test_a_photo_over_five_megabytes_is_refused(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    huge = PHOTO + b"0" * (5 * 1024 * 1024)
    with pytest.raises(ValidationFailed) as caught:
        _hand(session, world["postman"], delivery, _by_id(photo=huge), clock.now(), store)
    assert "photo" in caught.value.fields


def test_a_gps_point_far_from_the_address_is_allowed_and_flagged(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    lat, lon = _near(delivery, 0.02)  # about 2.2 km north
    attempt = _hand(session, world["postman"], delivery, _by_id(lat=lat, lon=lon), clock.now(), store)
    assert attempt.far_from_address and attempt.distance_m is not None and 2000 < attempt.distance_m < 2400
    assert delivery.status == DeliveryStatus.DELIVERED.value


def test_a_gps_point_at_the_address_is_not_flagged(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    lat, lon = _near(delivery, 0.001)  # about 110 m
    attempt = _hand(session, world["postman"], delivery, _by_id(lat=lat, lon=lon), clock.now(), store)
    assert not attempt.far_from_address and attempt.distance_m is not None and attempt.distance_m < 200


def test_a_postman_whose_run_it_is_not_is_refused(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    with pytest.raises(PermissionDenied):
        _hand(session, world["second_postman"], delivery, _by_id(), clock.now(), store)
    assert delivery.status == DeliveryStatus.OUT.value


def test_a_clerk_cannot_hand_over_a_result_that_is_out_with_the_postman(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    with pytest.raises(Conflict):
        _hand(session, world["clerk"], delivery, _by_id(), clock.now(), store)


def test_a_result_already_delivered_cannot_be_handed_over_again(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    _hand(session, world["postman"], delivery, _by_id(), clock.now(), store)
    with pytest.raises(Conflict):
        _hand(session, world["postman"], delivery, _by_id(), clock.now(), store)


def test_the_fee_due_on_delivery_must_be_collected_in_full(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now(), amount_due=50_000)
    data = _by_id(amount_collected=40_000, payment_method="cash")
    with pytest.raises(ValidationFailed) as caught:
        _hand(session, world["postman"], delivery, data, clock.now(), store)
    assert "amount_collected" in caught.value.fields


def test_the_fee_collected_on_delivery_is_recorded_with_its_method(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now(), amount_due=50_000)
    data = _by_id(amount_collected=50_000, payment_method="transfer")
    attempt = _hand(session, world["postman"], delivery, data, clock.now(), store)
    assert (attempt.amount_collected, attempt.payment_method) == (50_000, "transfer")


def test_a_fee_due_needs_the_way_it_was_paid(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now(), amount_due=50_000)
    with pytest.raises(ValidationFailed) as caught:
        _hand(session, world["postman"], delivery, _by_id(amount_collected=50_000), clock.now(), store)
    assert "payment_method" in caught.value.fields


def test_nothing_is_collected_when_no_fee_is_due(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    with pytest.raises(ValidationFailed) as caught:
        _hand(session, world["postman"], delivery, _by_id(amount_collected=10_000), clock.now(), store)
    assert "amount_collected" in caught.value.fields


# ---- at the post office's counter -------------------------------------------------------------


def test_a_result_for_collection_is_collected_at_the_office_with_the_citizen_id(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    webhook_endpoint(session, world["unit"])
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    attempt = _hand(session, world["clerk"], delivery, _by_id(), clock.now(), store)
    assert attempt.at_counter and attempt.lat is None
    assert delivery.status == DeliveryStatus.DELIVERED.value
    assert delivery.dossier.status == DossierStatus.DELIVERED.value
    assert "dossier.delivered" in set(session.scalars(sa.select(OutboxMessage.event_type)))


def test_a_result_for_collection_is_collected_with_the_code_sent_on_arrival(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    code = tokens.one_time_code(SECRET, delivery.dossier.code, delivery.manage_salt, 1)
    data = HandoverInput(id_method="one_time_code", code=code, photo=PHOTO)
    attempt = _hand(session, world["clerk"], delivery, data, clock.now(), store)
    assert attempt.id_method == "one_time_code" and attempt.at_counter


def test_a_citizen_may_collect_a_home_delivery_at_the_office_instead(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    slot_id = delivery.slot_id
    assert slot_id is not None
    _hand(session, world["clerk"], delivery, _by_id(), clock.now(), store)
    assert delivery.status == DeliveryStatus.DELIVERED.value
    slot = session.get(PickupSlot, slot_id)
    assert slot is not None
    session.refresh(slot)
    assert slot.booked == 0  # the door visit that will not happen gives its seat back


def test_a_home_delivery_collected_at_the_office_is_not_billed_as_a_door_delivery(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    _hand(session, world["clerk"], delivery, _by_id(), clock.now(), store)
    [task] = session.scalars(
        sa.select(Task).where(
            Task.dossier_code == delivery.dossier.code, Task.task_type == TaskType.RESULT_DELIVERY.value
        )
    )
    assert task.status == TaskStatus.CANCELLED.value


def test_a_postal_manager_of_the_operator_may_hand_over_at_the_counter(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    attempt = _hand(session, world["manager"], delivery, _by_id(), clock.now(), store)
    assert attempt.at_counter


def test_a_clerk_of_another_office_cannot_hand_the_result_over(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    from postal_hub.core.users.models import Role
    from tests.factories import post_office, user

    other = post_office(session, world["operator"])
    clerk = user(session, Role.POSTAL_CLERK, organization=world["operator"], post_office_id=other.id)
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    with pytest.raises(PermissionDenied):
        _hand(session, clerk, delivery, _by_id(), clock.now(), store)


def test_a_result_still_at_the_unit_cannot_be_collected_at_the_office(
    session: Session, world: dict[str, Any], clock: Any, store: FakeStore
) -> None:
    _, delivery = ready_result(session, world, clock.now(), result_delivery="post_office")
    with pytest.raises(Conflict):
        _hand(session, world["clerk"], delivery, _by_id(), clock.now(), store)


# ---- at the unit's counter --------------------------------------------------------------------


def test_the_unit_hands_a_counter_result_over_when_the_id_digits_match(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    webhook_endpoint(session, world["unit"])
    dossier, _ = ready_result(session, world, clock.now(), result_delivery="counter")
    hand_over_at_unit(session, world["officer"], dossier, "", APPLICANT_ID_TAIL, clock.now())
    assert dossier.status == DossierStatus.DELIVERED.value
    assert dossier.events[-1].code == "delivered" and dossier.applicant_name in dossier.events[-1].note
    assert _kinds(session, dossier.id)[-1] == "delivered"
    assert "dossier.delivered" in set(session.scalars(sa.select(OutboxMessage.event_type)))


def test_wrong_id_digits_at_the_units_counter_are_refused(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    dossier, _ = ready_result(session, world, clock.now(), result_delivery="counter")
    with pytest.raises(IdentityMismatch) as caught:
        hand_over_at_unit(session, world["officer"], dossier, "", "0000", clock.now())
    assert "id_digits" in caught.value.fields and dossier.status == DossierStatus.RESULT_READY.value


def test_an_officer_of_another_unit_cannot_hand_the_result_over(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    from tests.factories import unit_officer

    dossier, _ = ready_result(session, world, clock.now(), result_delivery="counter")
    stranger = unit_officer(session, {"unit": None})
    with pytest.raises(PermissionDenied):
        hand_over_at_unit(session, stranger, dossier, "", APPLICANT_ID_TAIL, clock.now())


def test_a_result_coming_back_by_post_is_not_handed_over_at_the_units_counter(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    dossier, _ = ready_result(session, world, clock.now(), result_delivery="home")
    with pytest.raises(Conflict):
        hand_over_at_unit(session, world["officer"], dossier, "", APPLICANT_ID_TAIL, clock.now())
