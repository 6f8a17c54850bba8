"""When a result is not handed over: wrong identity checks, failed visits, returns and expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.audit import AuditEntry
from postal_hub.core.custody.models import CustodyEntry
from postal_hub.core.errors import Conflict, PermissionDenied, ValidationFailed
from postal_hub.core.messaging.models import CitizenMessage
from postal_hub.core.notifications import InboxNotifier, Notification
from postal_hub.delivery.failures import expire_uncollected, fail_attempt, release_block
from postal_hub.delivery.handover import MAX_ID_FAILURES, HandoverInput, IdentityMismatch, hand_over
from postal_hub.delivery.models import Delivery, DeliveryEvent
from postal_hub.delivery.status import DeliveryStatus
from postal_hub.handoff.receiving import confirm_line
from postal_hub.handoff.services import LineInput, create_manifest, dispatch
from postal_hub.handoff.status import Direction
from postal_hub.intake.status import DossierStatus
from postal_hub.pickup.models import PickupSlot
from postal_hub.webhooks.models import OutboxMessage
from tests.factories import webhook_endpoint
from tests.factories_delivery import (
    APPLICANT_ID_TAIL,
    delivery_at_office,
    delivery_world,
    out_for_delivery,
)

SECRET = "test-secret"
SIGNATURE = b"\x89PNG\r\n\x1a\n" + b"signature strokes"


class NullStore:
    def put(self, data: bytes) -> str:
        raise AssertionError("nothing is stored for a refused handover")

    def get(self, digest: str) -> bytes:
        raise KeyError(digest)


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    return delivery_world(session)


def _wrong_try(session: Session, actor: Any, delivery: Delivery, now: Any) -> IdentityMismatch:
    with pytest.raises(IdentityMismatch) as caught:
        hand_over(
            session,
            actor,
            delivery,
            HandoverInput(id_digits="0000", signature=SIGNATURE),
            now,
            SECRET,
            NullStore(),
            InboxNotifier(),
        )
    return caught.value


def _blocked_at_door(session: Session, world: dict[str, Any], now: Any) -> Delivery:
    delivery = out_for_delivery(session, world, now)
    for _ in range(MAX_ID_FAILURES):
        _wrong_try(session, world["postman"], delivery, now)
    return delivery


def _event_codes(session: Session, delivery: Delivery) -> list[str]:
    return list(
        session.scalars(
            sa.select(DeliveryEvent.code)
            .where(DeliveryEvent.delivery_id == delivery.id)
            .order_by(DeliveryEvent.id)
        )
    )


def _outbox_types(session: Session) -> set[str]:
    return set(session.scalars(sa.select(OutboxMessage.event_type)))


def _message_kinds(session: Session) -> list[str]:
    return list(session.scalars(sa.select(CitizenMessage.kind).order_by(CitizenMessage.id)))


# ---- wrong identity checks --------------------------------------------------------------------


def test_wrong_id_digits_are_refused_and_logged(session: Session, world: dict[str, Any], clock: Any) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    refused = _wrong_try(session, world["postman"], delivery, clock.now())
    assert "id_digits" in refused.fields and not refused.blocked
    assert delivery.id_failures == 1 and delivery.status == DeliveryStatus.OUT.value
    assert _event_codes(session, delivery)[-1] == "id_mismatch"
    assert session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "delivery.id_mismatch"))


def test_a_wrong_code_is_refused_and_counted(session: Session, world: dict[str, Any], clock: Any) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    with pytest.raises(IdentityMismatch) as caught:
        hand_over(
            session,
            world["postman"],
            delivery,
            HandoverInput(id_method="one_time_code", code="000000", signature=SIGNATURE),
            clock.now(),
            SECRET,
            NullStore(),
            InboxNotifier(),
        )
    assert "code" in caught.value.fields and delivery.id_failures == 1


def test_the_third_wrong_try_blocks_the_delivery(session: Session, world: dict[str, Any], clock: Any) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    tries = [_wrong_try(session, world["postman"], delivery, clock.now()) for _ in range(MAX_ID_FAILURES)]
    assert [t.blocked for t in tries] == [False, False, True]
    assert delivery.status == DeliveryStatus.BLOCKED.value


def test_blocking_at_the_door_takes_the_result_back_to_the_office(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    webhook_endpoint(session, world["unit"])
    delivery = _blocked_at_door(session, world, clock.now())
    assert delivery.postman_id is None and delivery.attempts == 1
    assert delivery.dossier.status == DossierStatus.RESULT_COLLECTED.value
    assert delivery.dossier.events[-1].code == "delivery_failed"
    assert delivery.attempts_made[-1].reason == "id_mismatch"
    assert "dossier.delivery_failed" in _outbox_types(session)


def test_blocking_alerts_the_offices_postal_manager(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = _blocked_at_door(session, world, clock.now())
    alerts = session.scalars(sa.select(Notification).where(Notification.user_id == world["manager"].id)).all()
    assert [a.link for a in alerts] == [f"/deliveries/{delivery.dossier.code}/collect"]


def test_a_blocked_result_cannot_be_handed_over_even_with_the_right_id(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = _blocked_at_door(session, world, clock.now())
    with pytest.raises(Conflict):
        hand_over(
            session,
            world["clerk"],
            delivery,
            HandoverInput(id_digits=APPLICANT_ID_TAIL, signature=SIGNATURE),
            clock.now(),
            SECRET,
            NullStore(),
            InboxNotifier(),
        )
    assert delivery.status == DeliveryStatus.BLOCKED.value


def test_wrong_tries_at_the_office_counter_block_the_result_too(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    for _ in range(MAX_ID_FAILURES):
        _wrong_try(session, world["clerk"], delivery, clock.now())
    assert delivery.status == DeliveryStatus.BLOCKED.value and delivery.attempts == 0


def test_the_manager_releasing_a_block_puts_the_result_back_at_the_office_with_a_fresh_count(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = _blocked_at_door(session, world, clock.now())
    release_block(session, world["manager"], delivery, clock.now(), to_return=False)
    assert delivery.status == DeliveryStatus.AT_OFFICE.value and delivery.id_failures == 0
    assert _event_codes(session, delivery)[-1] == "unblocked"
    assert _message_kinds(session)[-1] == "delivery.failed"  # the citizen may choose a new window


def test_the_manager_may_send_a_blocked_result_back_to_the_unit(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = _blocked_at_door(session, world, clock.now())
    release_block(session, world["manager"], delivery, clock.now(), to_return=True)
    assert delivery.status == DeliveryStatus.TO_RETURN.value and delivery.return_reason


def test_a_clerk_cannot_release_a_blocked_result(session: Session, world: dict[str, Any], clock: Any) -> None:
    delivery = _blocked_at_door(session, world, clock.now())
    with pytest.raises(PermissionDenied):
        release_block(session, world["clerk"], delivery, clock.now(), to_return=False)


def test_only_a_blocked_result_is_released(session: Session, world: dict[str, Any], clock: Any) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    with pytest.raises(Conflict):
        release_block(session, world["manager"], delivery, clock.now(), to_return=False)


# ---- failed visits ----------------------------------------------------------------------------


def test_a_failed_visit_puts_the_result_back_at_the_office_off_the_run(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    attempt = fail_attempt(session, world["postman"], delivery, "nobody_home", "", None, None, clock.now())
    assert attempt.outcome == "failed" and attempt.reason == "nobody_home" and attempt.number == 1
    assert delivery.status == DeliveryStatus.AT_OFFICE.value and delivery.attempts == 1
    assert delivery.postman_id is None and delivery.window_start is None and delivery.slot_id is None


def test_a_failed_visit_tells_the_citizen_to_choose_a_new_window(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    fail_attempt(session, world["postman"], delivery, "nobody_home", "", None, None, clock.now())
    message = session.scalar(sa.select(CitizenMessage).where(CitizenMessage.kind == "delivery.failed"))
    assert message is not None and message.link == f"delivery:{delivery.dossier.code}"


def test_a_failed_visit_publishes_the_delivery_failed_webhook_and_custody_entry(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    webhook_endpoint(session, world["unit"])
    delivery = out_for_delivery(session, world, clock.now())
    fail_attempt(session, world["postman"], delivery, "refused", "", None, None, clock.now())
    assert delivery.dossier.status == DossierStatus.RESULT_COLLECTED.value
    assert "dossier.delivery_failed" in _outbox_types(session)
    kinds = session.scalars(
        sa.select(CustodyEntry.kind).where(CustodyEntry.dossier_id == delivery.dossier_id)
    )
    assert list(kinds)[-1] == "back_at_office"


def test_a_failed_visit_gives_its_window_seat_back(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    slot_id = delivery.slot_id
    assert slot_id is not None
    fail_attempt(session, world["postman"], delivery, "nobody_home", "", None, None, clock.now())
    slot = session.get(PickupSlot, slot_id)
    assert slot is not None
    session.refresh(slot)
    assert slot.booked == 0


def test_a_failed_visit_far_from_the_address_is_flagged(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    assert delivery.lat is not None and delivery.lon is not None
    attempt = fail_attempt(
        session, world["postman"], delivery, "nobody_home", "", delivery.lat + 0.05, delivery.lon, clock.now()
    )
    assert attempt.far_from_address and (attempt.distance_m or 0) > 5000


def test_a_failed_visit_for_another_reason_needs_a_note(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    with pytest.raises(ValidationFailed) as caught:
        fail_attempt(session, world["postman"], delivery, "other", "  ", None, None, clock.now())
    assert "note" in caught.value.fields and delivery.status == DeliveryStatus.OUT.value


@pytest.mark.parametrize("reason", ["", "asleep", "delivered"])
def test_a_failed_visit_with_an_unknown_reason_is_refused(
    session: Session, world: dict[str, Any], clock: Any, reason: str
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    with pytest.raises(ValidationFailed) as caught:
        fail_attempt(session, world["postman"], delivery, reason, "", None, None, clock.now())
    assert "reason" in caught.value.fields


def test_a_postman_cannot_record_a_failed_visit_on_another_postmans_run(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    with pytest.raises(PermissionDenied):
        fail_attempt(session, world["second_postman"], delivery, "nobody_home", "", None, None, clock.now())


def _fail_three_times(session: Session, world: dict[str, Any], now: Any) -> Delivery:
    delivery = out_for_delivery(session, world, now)
    for number in range(3):
        if number:
            out_for_delivery(session, world, now, delivery=delivery)
        fail_attempt(session, world["postman"], delivery, "nobody_home", "", None, None, now)
    return delivery


def test_the_third_failed_visit_makes_the_result_due_back_to_the_unit(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = _fail_three_times(session, world, clock.now())
    assert delivery.max_attempts == 3 and delivery.attempts == 3
    assert delivery.status == DeliveryStatus.TO_RETURN.value and delivery.return_reason
    assert _message_kinds(session)[-1] == "delivery.to_return"


def _return_to_unit(session: Session, world: dict[str, Any], delivery: Delivery, now: Any) -> Any:
    clerk, officer = world["clerk"], world["officer"]
    manifest = create_manifest(
        session,
        clerk,
        world["office"],
        world["unit"],
        [LineInput(delivery.dossier.code, "HT-SEAL-1")],
        now,
        direction=Direction.RETURN,
    )
    dispatch(session, clerk, manifest, now)
    confirm_line(session, officer, officer.username, manifest, manifest.lines[0], True, None, "", now)
    return manifest


def test_a_result_failed_three_times_goes_back_to_the_unit_on_a_return_manifest(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    webhook_endpoint(session, world["unit"])
    delivery = _fail_three_times(session, world, clock.now())
    manifest = _return_to_unit(session, world, delivery, clock.now())
    assert manifest.number.startswith("HT-")
    assert delivery.status == DeliveryStatus.RETURNED.value
    assert delivery.dossier.status == DossierStatus.RETURNED.value
    assert "dossier.returned" in _outbox_types(session)


# ---- collection at the office: expiry ---------------------------------------------------------


def test_a_result_not_collected_by_the_end_of_the_holding_period_is_due_back(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    assert delivery.hold_until is not None
    assert expire_uncollected(session, delivery.hold_until + timedelta(seconds=1)) == 1
    assert delivery.status == DeliveryStatus.TO_RETURN.value
    assert _event_codes(session, delivery)[-1] == "expired"
    assert _message_kinds(session)[-1] == "delivery.to_return"


def test_a_result_within_its_holding_period_stays_at_the_office(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    assert delivery.hold_until is not None
    assert expire_uncollected(session, delivery.hold_until - timedelta(minutes=1)) == 0
    assert delivery.status == DeliveryStatus.AT_OFFICE.value


def test_a_home_delivery_waiting_at_the_office_does_not_expire(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    assert expire_uncollected(session, clock.now() + timedelta(days=60)) == 0
    assert delivery.status == DeliveryStatus.AT_OFFICE.value


def test_an_expired_result_goes_back_to_the_unit_on_a_return_manifest(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    assert delivery.hold_until is not None
    later = delivery.hold_until + timedelta(hours=1)
    expire_uncollected(session, later)
    _return_to_unit(session, world, delivery, later)
    assert delivery.dossier.status == DossierStatus.RETURNED.value


def test_the_periodic_jobs_expire_uncollected_results(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    from postal_hub import jobs

    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    assert delivery.hold_until is not None
    summary = jobs.run(session, delivery.hold_until + timedelta(seconds=1), InboxNotifier())
    assert summary["deliveries_expired"] == 1
