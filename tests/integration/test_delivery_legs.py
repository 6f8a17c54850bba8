"""Results travel on the hand-off machinery: unit -> post office, and back to the unit."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.status import TaskStatus, TaskType
from postal_hub.contracts.task_models import Task
from postal_hub.core.custody.models import CustodyEntry
from postal_hub.core.errors import PermissionDenied, ValidationFailed
from postal_hub.core.messaging.models import CitizenMessage
from postal_hub.delivery.status import DeliveryStatus
from postal_hub.handoff.receiving import confirm_line
from postal_hub.handoff.services import LineInput, create_manifest, dispatch
from postal_hub.handoff.status import Direction, ManifestStatus
from postal_hub.intake.models import DossierEvent
from postal_hub.intake.status import DossierStatus
from postal_hub.webhooks.models import OutboxMessage
from tests.factories import webhook_endpoint
from tests.factories_delivery import delivery_at_office, delivery_world, ready_result, result_manifest


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    return delivery_world(session)


def _tasks(session: Session, code: str, task_type: TaskType) -> list[Task]:
    return list(
        session.scalars(sa.select(Task).where(Task.dossier_code == code, Task.task_type == task_type.value))
    )


def test_result_ready_creates_the_collection_and_delivery_tasks_and_a_delivery_at_the_unit(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    dossier, delivery = ready_result(session, world, clock.now())
    assert dossier.status == DossierStatus.RESULT_READY.value
    assert delivery.status == DeliveryStatus.AT_UNIT.value and delivery.office_id == world["office"].id
    assert len(_tasks(session, dossier.code, TaskType.RESULT_COLLECTION)) == 1
    assert len(_tasks(session, dossier.code, TaskType.RESULT_DELIVERY)) == 1
    assert session.scalar(sa.select(CitizenMessage).where(CitizenMessage.kind == "delivery.result_ready"))


def test_collection_at_the_office_creates_no_delivery_task(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    dossier, delivery = ready_result(session, world, clock.now(), result_delivery="post_office")
    assert delivery.method == "post_office"
    assert _tasks(session, dossier.code, TaskType.RESULT_DELIVERY) == []


def test_a_result_handed_over_at_the_units_counter_has_no_delivery(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    dossier, delivery = ready_result(session, world, clock.now(), result_delivery="counter")
    assert delivery is None and _tasks(session, dossier.code, TaskType.RESULT_COLLECTION) == []


def test_result_ready_is_refused_when_no_contract_covers_result_collection(
    session: Session, clock: Any
) -> None:

    world = delivery_world(session, terms=_terms_without(TaskType.RESULT_COLLECTION))
    with pytest.raises(ValidationFailed) as caught:
        ready_result(session, world, clock.now())
    assert "contract" in caught.value.fields


def _terms_without(missing: TaskType) -> list[Any]:
    from postal_hub.contracts.inputs import TermInput

    return [TermInput(t.value, 8, 10_000) for t in TaskType if t != missing]


def test_the_unit_dispatching_a_results_manifest_hands_the_result_to_the_post(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    webhook_endpoint(session, world["unit"])
    dossier, delivery = ready_result(session, world, clock.now())
    manifest = result_manifest(session, world, [dossier], clock.now())
    assert manifest.direction == Direction.TO_POST.value and manifest.number.startswith("KQ-")
    assert dossier.status == DossierStatus.RESULT_COLLECTED.value
    assert delivery.status == DeliveryStatus.IN_TRANSIT.value
    kinds = [
        e.kind for e in session.scalars(sa.select(CustodyEntry).where(CustodyEntry.dossier_id == dossier.id))
    ]
    assert "result_handed_to_post" in kinds
    types = set(session.scalars(sa.select(OutboxMessage.event_type)))
    assert "dossier.result_collected" in types
    [task] = _tasks(session, dossier.code, TaskType.RESULT_COLLECTION)
    assert task.status == TaskStatus.IN_PROGRESS.value


def test_the_office_confirming_the_line_puts_the_result_at_the_office_with_a_window(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    assert delivery.status == DeliveryStatus.AT_OFFICE.value
    assert delivery.window_start is not None and delivery.slot_id is not None
    [task] = _tasks(session, delivery.dossier.code, TaskType.RESULT_COLLECTION)
    assert task.status == TaskStatus.DONE.value
    codes = [
        e.code
        for e in session.scalars(
            sa.select(DossierEvent).where(DossierEvent.dossier_id == delivery.dossier_id)
        )
    ]
    assert codes[-2:] == ["result_collected", "at_office"]


def test_a_result_for_collection_waits_at_the_office_with_a_deadline_and_a_code(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    assert delivery.hold_until is not None and delivery.code_round == 1
    assert session.scalar(sa.select(CitizenMessage).where(CitizenMessage.kind == "delivery.at_office"))


def test_the_office_refusing_a_result_envelope_sends_it_back_to_the_unit(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    dossier, delivery = ready_result(session, world, clock.now())
    manifest = result_manifest(session, world, [dossier], clock.now())
    clerk = world["clerk"]
    confirm_line(
        session, clerk, clerk.username, manifest, manifest.lines[0], False, "damaged_seal", "", clock.now()
    )
    assert dossier.status == DossierStatus.RESULT_READY.value
    assert delivery.status == DeliveryStatus.AT_UNIT.value


def test_a_postal_clerk_cannot_prepare_a_results_manifest(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    dossier, _ = ready_result(session, world, clock.now())
    made = create_manifest(
        session,
        world["officer"],
        world["office"],
        world["unit"],
        [LineInput(dossier.code, "S-001")],
        clock.now(),
        direction=Direction.TO_POST,
    )
    with pytest.raises(PermissionDenied):
        dispatch(session, world["clerk"], made, clock.now())


def test_the_unit_cannot_confirm_its_own_results_manifest(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    from postal_hub.handoff.access import can_receive

    dossier, _ = ready_result(session, world, clock.now())
    manifest = result_manifest(session, world, [dossier], clock.now())
    assert not can_receive(session, world["officer"], manifest)
    assert can_receive(session, world["clerk"], manifest)


def test_a_dossier_whose_result_is_not_ready_cannot_go_on_a_results_manifest(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    from tests.factories_delivery import received_dossier

    dossier = received_dossier(session, world, clock.now())
    with pytest.raises(ValidationFailed) as caught:
        create_manifest(
            session,
            world["officer"],
            world["office"],
            world["unit"],
            [LineInput(dossier.code, "S-001")],
            clock.now(),
            direction=Direction.TO_POST,
        )
    assert "lines-0" in caught.value.fields


def test_a_results_manifest_draft_is_hidden_from_the_post_office(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    from postal_hub.handoff.access import scope_manifests
    from postal_hub.handoff.models import Manifest

    dossier, _ = ready_result(session, world, clock.now())
    draft = result_manifest(session, world, [dossier], clock.now(), dispatch=False)
    assert draft.status == ManifestStatus.DRAFT.value
    seen = session.scalars(scope_manifests(session, world["clerk"], sa.select(Manifest.number))).all()
    assert draft.number not in seen
    seen_by_unit = session.scalars(
        scope_manifests(session, world["officer"], sa.select(Manifest.number))
    ).all()
    assert draft.number in seen_by_unit
