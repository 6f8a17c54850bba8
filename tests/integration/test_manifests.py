"""Manifests: prepared and sealed at the office, dispatched, confirmed or refused line by line, closed."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.task_models import Task
from postal_hub.core.custody.models import CustodyEntry
from postal_hub.core.custody.services import verify_org
from postal_hub.core.errors import Conflict, PermissionDenied, ValidationFailed
from postal_hub.core.users.models import Role
from postal_hub.handoff import receiving, resend
from postal_hub.handoff.services import LineInput, cancel, create_manifest
from postal_hub.intake.models import Dossier
from tests import factories
from tests.fakes import FixedClock


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    world = factories.intake_setup(session)
    world["officer"] = factories.unit_officer(session, world)
    return world


def _custody_kinds(session: Session, dossier: Dossier, org_id: int) -> list[str]:
    return list(
        session.scalars(
            sa.select(CustodyEntry.kind)
            .where(CustodyEntry.dossier_id == dossier.id, CustodyEntry.organization_id == org_id)
            .order_by(CustodyEntry.seq)
        )
    )


def _task(session: Session, dossier: Dossier, task_type: str) -> Task:
    task = session.scalar(
        sa.select(Task).where(Task.dossier_code == dossier.code, Task.task_type == task_type)
    )
    assert task is not None
    return task


def test_a_manifest_lists_each_dossier_with_its_item_number_components_and_seal(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    manifest = factories.manifest_for(session, world, [dossier], clock.now(), dispatch=False)
    line = manifest.lines[0]
    assert manifest.number.startswith(f"BK-{world['office'].code}-261120-")
    assert (line.dossier_code, line.item_number, line.component_count) == (
        dossier.code,
        dossier.item_number,
        2,
    )
    assert line.seal_number == f"SEAL-{dossier.id:06d}" and manifest.status == "draft"


def test_dispatching_puts_every_dossier_on_its_way_and_starts_the_carriage(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    factories.manifest_for(session, world, [dossier], clock.now())
    assert dossier.status == "dispatched" and dossier.events[-1].code == "dispatched"
    assert _task(session, dossier, "carriage").status == "in_progress"


def test_confirming_receipt_hands_the_dossier_to_the_unit_and_completes_the_carriage(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    manifest = factories.manifest_for(session, world, [dossier], clock.now())
    clock.advance(hours=3)
    receiving.confirm_line(
        session, world["officer"], "officer", manifest, manifest.lines[0], True, None, "", clock.now()
    )
    carriage = _task(session, dossier, "carriage")
    assert dossier.status == "received" and manifest.lines[0].status == "received"
    assert carriage.status == "done" and carriage.sla_met is True


def test_every_custody_change_is_in_the_units_and_the_operators_chain(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    manifest = factories.manifest_for(session, world, [dossier], clock.now())
    receiving.confirm_line(session, None, "api", manifest, manifest.lines[0], True, None, "", clock.now())
    expected = ["accepted_at_counter", "sealed", "dispatched", "received"]
    assert _custody_kinds(session, dossier, world["unit"].id) == expected
    assert _custody_kinds(session, dossier, world["operator"].id) == expected
    assert verify_org(session, world["unit"]).ok and verify_org(session, world["operator"]).ok


def test_a_refusal_needs_a_reason(session: Session, world: dict[str, Any], clock: FixedClock) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    manifest = factories.manifest_for(session, world, [dossier], clock.now())
    with pytest.raises(ValidationFailed) as caught:
        receiving.confirm_line(
            session, None, "api", manifest, manifest.lines[0], False, None, "", clock.now()
        )
    assert "reason" in caught.value.fields and manifest.lines[0].status == "pending"


def test_a_refused_dossier_goes_back_with_the_reason_on_its_timeline(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    manifest = factories.manifest_for(session, world, [dossier], clock.now())
    receiving.confirm_line(
        session, None, "api", manifest, manifest.lines[0], False, "damaged_seal", "Rách", clock.now()
    )
    assert dossier.status == "rejected" and dossier.events[-1].note == "damaged_seal: Rách"
    assert _custody_kinds(session, dossier, world["unit"].id)[-1] == "rejected"


def test_confirming_a_line_twice_is_a_conflict_and_changes_nothing(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    manifest = factories.manifest_for(session, world, [dossier], clock.now())
    line = manifest.lines[0]
    receiving.confirm_line(session, None, "api", manifest, line, True, None, "", clock.now())
    with pytest.raises(Conflict):
        receiving.confirm_line(session, None, "api", manifest, line, False, "other", "x", clock.now())
    assert line.status == "received" and dossier.status == "received"


def test_closing_lists_unconfirmed_lines_and_extra_envelopes_as_discrepancies(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    from postal_hub.handoff.queries import discrepancies

    first = factories.accepted_dossier(session, world, clock.now())
    second = factories.accepted_dossier(session, world, clock.now())
    manifest = factories.manifest_for(session, world, [first, second], clock.now())
    receiving.confirm_line(session, None, "api", manifest, manifest.lines[0], True, None, "", clock.now())
    receiving.record_extra(
        session, "officer", manifest, "rr999999995vn", "Không có trong bảng kê", clock.now()
    )
    missing = receiving.close(session, None, "officer", manifest, clock.now())
    found = discrepancies(manifest)
    assert [m.dossier_code for m in missing] == [second.code] and manifest.status == "closed"
    assert found["not_received"] == [second.code] and found["extra"] == ["RR999999995VN"]
    assert second.status == "dispatched"


def test_a_dossier_cannot_be_on_two_open_manifests(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    factories.manifest_for(session, world, [dossier], clock.now(), dispatch=False)
    with pytest.raises(ValidationFailed) as caught:
        factories.manifest_for(session, world, [dossier], clock.now(), dispatch=False)
    assert "lines-0" in caught.value.fields


def test_a_cancelled_draft_frees_its_dossiers(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    draft = factories.manifest_for(session, world, [dossier], clock.now(), dispatch=False)
    cancel(session, world["clerk"], draft, clock.now())
    again = factories.manifest_for(session, world, [dossier], clock.now(), dispatch=False)
    assert draft.status == "cancelled" and again.lines[0].dossier_id == dossier.id


@pytest.mark.parametrize("seal", ["", "ab", "SEAL 1", "X" * 31])
def test_a_line_needs_a_proper_seal_number(
    session: Session, world: dict[str, Any], clock: FixedClock, seal: str
) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    with pytest.raises(ValidationFailed) as caught:
        create_manifest(
            session,
            world["clerk"],
            world["office"],
            world["unit"],
            [LineInput(dossier.code, seal)],
            clock.now(),
        )
    assert dossier.code in caught.value.fields["lines-0"] and dossier.status == "accepted"


def test_the_same_seal_cannot_close_two_envelopes(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    a = factories.accepted_dossier(session, world, clock.now())
    b = factories.accepted_dossier(session, world, clock.now())
    with pytest.raises(ValidationFailed) as caught:
        create_manifest(
            session,
            world["clerk"],
            world["office"],
            world["unit"],
            [LineInput(a.code, "S-1001"), LineInput(b.code, "S-1001")],
            clock.now(),
        )
    assert set(caught.value.fields) == {"lines-1"}


def test_a_dossier_for_another_unit_cannot_go_on_the_manifest(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    other = factories.unit(session)
    with pytest.raises(ValidationFailed) as caught:
        create_manifest(
            session, world["clerk"], world["office"], other, [LineInput(dossier.code, "S-2001")], clock.now()
        )
    assert "lines-0" in caught.value.fields


def test_a_clerk_of_another_office_cannot_dispatch_the_manifest(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    from postal_hub.handoff.services import dispatch

    dossier = factories.accepted_dossier(session, world, clock.now())
    draft = factories.manifest_for(session, world, [dossier], clock.now(), dispatch=False)
    elsewhere = factories.post_office(session, world["operator"])
    stranger = factories.user(
        session, Role.POSTAL_CLERK, organization=world["operator"], post_office_id=elsewhere.id
    )
    with pytest.raises(PermissionDenied):
        dispatch(session, stranger, draft, clock.now())
    assert draft.status == "draft" and dossier.status == "accepted"


def test_a_wrong_unit_refusal_is_re_routed_to_the_competent_unit(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    manifest = factories.manifest_for(session, world, [dossier], clock.now())
    receiving.confirm_line(
        session, None, "api", manifest, manifest.lines[0], False, "wrong_unit", "", clock.now()
    )
    right = factories.unit(session)
    factories.contract(session, right, world["operator"])
    manager = factories.user(session, Role.POSTAL_MANAGER, organization=world["operator"])
    resend.send_again(session, manager, dossier, right, "", clock.now())
    carriages = session.scalars(
        sa.select(Task)
        .where(Task.dossier_code == dossier.code, Task.task_type == "carriage")
        .order_by(Task.id)
    ).all()
    assert dossier.status == "accepted" and dossier.unit_id == right.id
    assert [t.status for t in carriages] == ["cancelled", "open"] and carriages[1].unit_id == right.id


def test_a_refused_envelope_put_right_goes_again_to_the_same_unit(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    manifest = factories.manifest_for(session, world, [dossier], clock.now())
    receiving.confirm_line(
        session, None, "api", manifest, manifest.lines[0], False, "missing_component", "TP2", clock.now()
    )
    resend.send_again(session, world["clerk"], dossier, None, "Công dân đã bổ sung TP2", clock.now())
    again = factories.manifest_for(session, world, [dossier], clock.now())
    assert dossier.events[-1].code == "dispatched" and dossier.events[-2].code == "resubmitted"
    assert again.unit_id == world["unit"].id and dossier.status == "dispatched"


def test_sending_again_after_a_seal_or_paper_refusal_says_what_was_put_right(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    manifest = factories.manifest_for(session, world, [dossier], clock.now())
    receiving.confirm_line(
        session, None, "api", manifest, manifest.lines[0], False, "damaged_seal", "", clock.now()
    )
    with pytest.raises(ValidationFailed) as caught:
        resend.send_again(session, world["clerk"], dossier, None, " ", clock.now())
    assert set(caught.value.fields) == {"note"} and dossier.status == "rejected"


def test_a_refusal_cancels_the_carriage_so_it_is_not_billed(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    manifest = factories.manifest_for(session, world, [dossier], clock.now())
    receiving.confirm_line(
        session, None, "api", manifest, manifest.lines[0], False, "damaged_seal", "", clock.now()
    )
    assert _task(session, dossier, "carriage").status == "cancelled"


def test_an_envelope_not_received_at_the_closing_can_be_confirmed_when_it_turns_up(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    manifest = factories.manifest_for(session, world, [dossier], clock.now())
    receiving.close(session, None, "officer", manifest, clock.now())
    clock.advance(days=1)
    receiving.confirm_line(session, None, "api", manifest, manifest.lines[0], True, None, "", clock.now())
    assert manifest.lines[0].status == "received" and dossier.status == "received"
    assert _task(session, dossier, "carriage").status == "done"


def test_only_a_refused_dossier_can_be_sent_again(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    factories.manifest_for(session, world, [dossier], clock.now())
    with pytest.raises(Conflict):
        resend.send_again(session, world["clerk"], dossier, None, "x", clock.now())


def test_each_hand_off_goes_to_the_units_webhook_outbox_in_the_same_transaction(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    import json

    from postal_hub.webhooks.models import OutboxMessage

    factories.webhook_endpoint(session, world["unit"])
    dossier = factories.accepted_dossier(session, world, clock.now())
    manifest = factories.manifest_for(session, world, [dossier], clock.now())
    receiving.confirm_line(session, None, "api", manifest, manifest.lines[0], True, None, "", clock.now())
    messages = session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.event_type for m in messages] == ["dossier.accepted", "dossier.dispatched", "dossier.received"]
    body = json.loads(messages[1].body)
    assert body["data"]["dossier_code"] == dossier.code and body["data"]["event"]["note"] == manifest.number
    assert {m.ordering_key for m in messages} == {dossier.code}


def test_an_officer_of_another_unit_cannot_answer_for_an_envelope(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = factories.accepted_dossier(session, world, clock.now())
    manifest = factories.manifest_for(session, world, [dossier], clock.now())
    stranger = factories.user(session, Role.UNIT_OFFICER, organization=factories.unit(session))
    with pytest.raises(PermissionDenied):
        receiving.confirm_line(
            session, stranger, "stranger", manifest, manifest.lines[0], True, None, "", clock.now()
        )
    assert manifest.lines[0].status == "pending" and dossier.status == "dispatched"
