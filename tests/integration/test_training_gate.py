"""The gate at the counter, at the door and at digitization: certified staff act, others are refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.audit import AuditEntry
from postal_hub.core.errors import PermissionDenied, ValidationFailed
from postal_hub.core.files import LocalFileStore
from postal_hub.core.users.models import Role, User
from postal_hub.intake import digitization
from postal_hub.intake.models import Dossier
from postal_hub.intake.services import AcceptanceInput, accept
from postal_hub.pickup import door
from postal_hub.services import pickup_settings
from postal_hub.training import gate
from postal_hub.training.gate import NotCertified
from tests import factories
from tests.factories_training import DEFAULT_GROUP, certificate, procedure_group

PDF = b"%PDF-1.4\n<</Type /Page>>\n%%EOF"


def _clerk(session: Session, world: dict[str, Any]) -> User:
    return factories.user(
        session, Role.POSTAL_CLERK, organization=world["operator"], post_office_id=world["office"].id
    )


def _accept(session: Session, world: dict[str, Any], actor: User, now: Any) -> Dossier:
    result = accept(
        session,
        actor,
        world["office"],
        AcceptanceInput(
            procedure_id=world["procedure"].id,
            applicant=factories.applicant(),
            present={c.code for c in world["procedure"].components},
        ),
        now,
    )
    assert isinstance(result, Dossier)
    return result


def _group(session: Session) -> Any:
    return procedure_group(session, DEFAULT_GROUP)


def test_the_counter_refuses_a_clerk_never_certified_naming_the_group(session: Session, clock: Any) -> None:
    world = factories.intake_setup(session)
    with pytest.raises(NotCertified, match="Nhóm thủ tục thử"):
        _accept(session, world, _clerk(session, world), clock.now())
    assert session.scalar(sa.select(sa.func.count()).select_from(Dossier)) == 0


def test_the_counter_refuses_an_expired_certificate_saying_when_it_expired(
    session: Session, clock: Any
) -> None:
    world = factories.intake_setup(session)
    clerk = _clerk(session, world)
    certificate(session, clerk, [_group(session)], date(2024, 1, 1), date(2026, 11, 19))
    with pytest.raises(NotCertified, match="19/11/2026"):
        _accept(session, world, clerk, clock.now())


def test_the_counter_refuses_a_revoked_certificate(session: Session, clock: Any) -> None:
    world = factories.intake_setup(session)
    clerk = _clerk(session, world)
    certificate(session, clerk, [_group(session)], revoked=True)
    with pytest.raises(NotCertified):
        _accept(session, world, clerk, clock.now())


def test_the_counter_refuses_a_certificate_for_another_group(session: Session, clock: Any) -> None:
    world = factories.intake_setup(session)
    clerk = _clerk(session, world)
    certificate(session, clerk, [procedure_group(session, "DD", "Đất đai")])
    with pytest.raises(NotCertified):
        _accept(session, world, clerk, clock.now())


def test_the_counter_accepts_from_a_certified_clerk(session: Session, clock: Any) -> None:
    world = factories.intake_setup(session)
    clerk = _clerk(session, world)
    certificate(session, clerk, [_group(session)])
    assert _accept(session, world, clerk, clock.now()).code


def test_a_certificate_valid_until_today_still_counts_today(session: Session, clock: Any) -> None:
    world = factories.intake_setup(session)
    clerk = _clerk(session, world)
    certificate(session, clerk, [_group(session)], date(2024, 11, 20), date(2026, 11, 20))
    assert _accept(session, world, clerk, clock.now()).code


def test_a_procedure_without_a_group_is_refused_while_the_gate_is_on(session: Session, clock: Any) -> None:
    world = factories.intake_setup(session)
    world["procedure"].group_id = None
    session.flush()
    with pytest.raises(NotCertified, match=world["procedure"].code):
        _accept(session, world, world["clerk"], clock.now())


def test_with_the_gate_off_an_uncertified_clerk_is_let_through_and_logged(
    session: Session, clock: Any
) -> None:
    world = factories.intake_setup(session)
    admin = factories.user(session, Role.SYSTEM_ADMIN)
    gate.switch(session, admin, False, "Đợt đào tạo bù chưa xong", clock.now())
    clerk = _clerk(session, world)
    dossier = _accept(session, world, clerk, clock.now())
    logged = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == gate.OVERRIDE_ACTION)).all()
    assert [
        (e.actor_id, e.details["action"], e.details["group"], e.details["reference"]) for e in logged
    ] == [(clerk.id, "counter_acceptance", DEFAULT_GROUP, dossier.code)]


def test_switching_the_gate_needs_an_administrator_and_a_reason(session: Session, clock: Any) -> None:
    admin = factories.user(session, Role.SYSTEM_ADMIN)
    manager = factories.user(session, Role.POSTAL_MANAGER)
    with pytest.raises(PermissionDenied):
        gate.switch(session, manager, False, "Lý do", clock.now())
    with pytest.raises(ValidationFailed) as caught:
        gate.switch(session, admin, False, "", clock.now())
    assert "reason" in caught.value.fields
    assert gate.gate_on(session) is True


def test_the_door_refuses_an_uncertified_postman_and_the_pickup_stays_open(
    session: Session, clock: Any
) -> None:
    world = factories.pickup_setup(session)
    postman = factories.user(
        session, Role.POSTMAN, organization=world["operator"], post_office_id=world["office"].id
    )
    pickup = factories.booked_pickup(session, world, clock.now())
    with pytest.raises(NotCertified, match="Nhóm thủ tục thử"):
        door.complete(session, pickup_settings(), postman, pickup, {"TP1", "TP2"}, "cash", clock.now())
    assert pickup.status == "booked"


def test_the_door_refuses_a_postman_whose_certificate_expired(session: Session, clock: Any) -> None:
    world = factories.pickup_setup(session)
    postman = factories.user(
        session, Role.POSTMAN, organization=world["operator"], post_office_id=world["office"].id
    )
    certificate(session, postman, [_group(session)], date(2024, 1, 1), date(2026, 10, 31))
    pickup = factories.booked_pickup(session, world, clock.now())
    with pytest.raises(NotCertified, match="31/10/2026"):
        door.complete(session, pickup_settings(), postman, pickup, {"TP1", "TP2"}, "cash", clock.now())


def test_the_door_accepts_from_a_certified_postman(session: Session, clock: Any) -> None:
    world = factories.pickup_setup(session)
    pickup = factories.booked_pickup(session, world, clock.now())
    result = door.complete(
        session, pickup_settings(), world["postman"], pickup, {"TP1", "TP2"}, "cash", clock.now()
    )
    assert isinstance(result, Dossier)


def test_digitization_refuses_an_uncertified_clerk_of_the_office(
    session: Session, clock: Any, tmp_path: Path
) -> None:
    world = factories.intake_setup(session)
    dossier = factories.accepted_dossier(session, world, clock.now())
    other = _clerk(session, world)
    with pytest.raises(NotCertified, match="Nhóm thủ tục thử"):
        digitization.upload_scan(
            session, other, dossier, "TP1", "a.pdf", PDF, LocalFileStore(tmp_path), clock.now(), 10**6
        )
    assert dossier.files == []


def test_digitization_refuses_marking_done_once_the_certificate_expired(
    session: Session, clock: Any, tmp_path: Path
) -> None:
    world = factories.intake_setup(session)
    clerk = _clerk(session, world)
    certificate(session, clerk, [_group(session)], date(2024, 1, 1), date(2026, 11, 25))
    dossier = _accept(session, world, clerk, clock.now())
    store = LocalFileStore(tmp_path)
    for code in ("TP1", "TP2"):
        digitization.upload_scan(session, clerk, dossier, code, "a.pdf", PDF, store, clock.now(), 10**6)
    clock.advance(days=6)
    with pytest.raises(NotCertified, match="25/11/2026"):
        digitization.mark_digitized(session, clerk, dossier, clock.now())


def test_digitization_by_a_certified_clerk_goes_through(session: Session, clock: Any, tmp_path: Path) -> None:
    world = factories.intake_setup(session)
    dossier = factories.accepted_dossier(session, world, clock.now())
    store = LocalFileStore(tmp_path)
    for code in ("TP1", "TP2"):
        digitization.upload_scan(
            session, world["clerk"], dossier, code, "a.pdf", PDF, store, clock.now(), 10**6
        )
    digitization.mark_digitized(session, world["clerk"], dossier, clock.now())
    assert dossier.status == "digitized"


def test_the_api_channel_is_not_gated_by_a_user_certificate(session: Session, clock: Any) -> None:
    world = factories.intake_setup(session)
    world["procedure"].group_id = None
    session.flush()
    result = accept(
        session,
        None,
        world["office"],
        AcceptanceInput(
            procedure_id=world["procedure"].id, applicant=factories.applicant(), present={"TP1", "TP2"}
        ),
        clock.now(),
    )
    assert isinstance(result, Dossier)
