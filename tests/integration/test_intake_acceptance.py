"""Counter acceptance: boundary-free routing, completeness, codes, fees, tasks and the timeline."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.inputs import TermInput
from postal_hub.contracts.status import TaskStatus
from postal_hub.contracts.task_models import Task
from postal_hub.core import codes
from postal_hub.core.errors import ValidationFailed
from postal_hub.intake.models import Dossier
from postal_hub.intake.routing import commune_from_old_address, competent_unit
from postal_hub.intake.services import AcceptanceInput, Incomplete, accept
from tests import factories
from tests.conftest import count
from tests.fakes import FixedClock


def _accept(session: Session, world: dict[str, Any], clock: FixedClock, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "procedure_id": world["procedure"].id,
        "applicant": factories.applicant(),
        "present": {c.code for c in world["procedure"].components},
    }
    values.update(overrides)
    return accept(session, world["clerk"], world["office"], AcceptanceInput(**values), clock.now())


def test_a_dossier_accepted_in_one_province_goes_to_the_unit_in_another(
    session: Session, clock: FixedClock
) -> None:
    world = factories.intake_setup(
        session, unit_commune="00097", office_province="79"
    )  # Hà Nội unit, HCM office
    dossier = _accept(session, world, clock)
    assert isinstance(dossier, Dossier)
    assert dossier.unit_id == world["unit"].id and dossier.office.province_code == "79"


def test_the_dossier_gets_a_national_code_and_a_valid_item_number(
    session: Session, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    first, second = _accept(session, world, clock), _accept(session, world, clock)
    assert first.code == f"{world['unit'].code}-261120-0001" and second.code.endswith("-0002")
    assert codes.is_s10(first.item_number) and first.item_number != second.item_number


def test_an_incomplete_dossier_is_not_accepted_and_nothing_is_written(
    session: Session, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    before = count(session, Dossier)
    result = _accept(session, world, clock, present={"TP1"})
    assert isinstance(result, Incomplete) and [c.code for c in result.missing] == ["TP2"]
    assert count(session, Dossier) == before


def test_acceptance_is_refused_when_no_contract_covers_it(session: Session, clock: FixedClock) -> None:
    world = factories.intake_setup(session, nationwide=False, province_codes=["01"])  # office is in 79
    with pytest.raises(ValidationFailed):
        _accept(session, world, clock)
    assert count(session, Dossier) == 0


def test_the_same_form_sent_twice_makes_one_dossier(session: Session, clock: FixedClock) -> None:
    world = factories.intake_setup(session)
    first = _accept(session, world, clock, submission_token="tok-1")
    again = _accept(session, world, clock, submission_token="tok-1")
    assert first.id == again.id and count(session, Dossier) == 1


def test_fees_come_from_the_procedure_and_the_postal_price_from_the_contract(
    session: Session, clock: FixedClock
) -> None:
    world = factories.intake_setup(
        session, terms=[TermInput(t, 4, 17_000) for t in ("counter_acceptance", "digitization", "carriage")]
    )
    dossier = _accept(session, world, clock)
    assert (dossier.fee, dossier.charge, dossier.postal_price, dossier.total_due) == (
        8_000,
        0,
        17_000,
        25_000,
    )


def test_acceptance_is_done_and_digitization_and_carriage_are_due(
    session: Session, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    dossier = _accept(session, world, clock)
    tasks = {
        t.task_type: t for t in session.scalars(sa.select(Task).where(Task.dossier_code == dossier.code))
    }
    assert tasks["counter_acceptance"].status == TaskStatus.DONE
    assert tasks["digitization"].status == TaskStatus.OPEN and tasks["carriage"].status == TaskStatus.OPEN


def test_the_timeline_starts_with_the_acceptance_at_the_office(session: Session, clock: FixedClock) -> None:
    world = factories.intake_setup(session)
    dossier = _accept(session, world, clock)
    assert [(e.code, e.place, e.at) for e in dossier.events] == [
        ("accepted", world["office"].name, clock.now())
    ]


def test_the_appointment_counts_the_processing_days_in_working_days(
    session: Session, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)  # procedure: 3 processing days; accepted Friday 09:00
    dossier = _accept(session, world, clock)
    assert (
        dossier.appointment_at.isoformat() == "2026-11-26T02:00:00+00:00"
    )  # Thursday 09:00 (24/11 a holiday)


def test_bad_applicant_details_are_named_field_by_field(session: Session, clock: FixedClock) -> None:
    world = factories.intake_setup(session)
    bad = factories.applicant()
    bad.citizen_id, bad.phone, bad.name = "123", "0241234567", ""
    with pytest.raises(ValidationFailed) as caught:
        _accept(session, world, clock, applicant=bad)
    assert {"citizen_id", "phone", "applicant_name"} <= set(caught.value.fields)


def test_a_procedure_not_allowed_by_post_is_refused(session: Session, clock: FixedClock) -> None:
    world = factories.intake_setup(session)
    world["procedure"].postal_allowed = False
    with pytest.raises(ValidationFailed) as caught:
        _accept(session, world, clock)
    assert "procedure_id" in caught.value.fields


def test_an_onsite_inspection_procedure_stays_within_the_units_province(session: Session) -> None:
    world = factories.intake_setup(session, unit_commune="00097", office_province="79")
    world["procedure"].onsite_inspection = True
    with pytest.raises(ValidationFailed) as caught:
        competent_unit(session, world["procedure"], "00097", world["office"])
    assert "Hà Nội" in caught.value.message


def test_a_place_without_a_registered_unit_is_explained(session: Session) -> None:
    proc = factories.procedure(session, competent_level="commune")
    with pytest.raises(ValidationFailed) as caught:
        competent_unit(session, proc, "26740")  # Phường Sài Gòn: no unit registered in this test
    assert "Phường Sài Gòn" in caught.value.message


def test_an_old_address_routes_through_the_crosswalk(session: Session, clock: FixedClock) -> None:
    world = factories.intake_setup(session, unit_commune="00097")
    [commune] = commune_from_old_address("Thành phố Hà Nội", "Quận Ba Đình", "Phường Phúc Xá")
    dossier = _accept(session, world, clock, applicant=factories.applicant(commune_code=commune))
    assert dossier.unit_id == world["unit"].id


def test_the_subjects_place_decides_over_the_applicants(session: Session, clock: FixedClock) -> None:
    world = factories.intake_setup(session, unit_commune="00097")
    elsewhere = factories.applicant(commune_code="26740", province_code="79")  # applicant lives in HCM
    dossier = _accept(session, world, clock, applicant=elsewhere, subject_commune_code="00097")
    assert dossier.unit_id == world["unit"].id
