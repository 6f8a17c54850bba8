"""Digitization: types by content, size limit, pages, reuse with consent, and marking digitized."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.status import TaskStatus
from postal_hub.contracts.task_models import Task
from postal_hub.core.errors import ValidationFailed
from postal_hub.core.files import LocalFileStore
from postal_hub.intake import digitization
from postal_hub.intake.lifecycle import set_status
from postal_hub.intake.models import Dossier
from postal_hub.intake.services import AcceptanceInput, accept
from postal_hub.intake.status import DossierStatus
from tests import factories
from tests.fakes import FixedClock

PDF_3_PAGES = b"%PDF-1.4\n1 0 obj <</Type /Pages /Count 3>>\n" + b"<</Type /Page>>\n" * 3 + b"%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LIMIT = 1024


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStore:
    return LocalFileStore(tmp_path)


def _dossier(
    session: Session, world: dict[str, Any], clock: FixedClock, citizen_id: str = "001090012345"
) -> Dossier:
    applicant = factories.applicant()
    applicant.citizen_id = citizen_id
    dossier = accept(
        session,
        world["clerk"],
        world["office"],
        AcceptanceInput(procedure_id=world["procedure"].id, applicant=applicant, present={"TP1", "TP2"}),
        clock.now(),
    )
    assert isinstance(dossier, Dossier)
    return dossier


def _upload(
    session: Session,
    world: dict[str, Any],
    dossier: Dossier,
    store: LocalFileStore,
    clock: FixedClock,
    component: str = "TP1",
    name: str = "to-khai.pdf",
    data: bytes = PDF_3_PAGES,
) -> Any:
    return digitization.upload_scan(
        session, world["clerk"], dossier, component, name, data, store, clock.now(), LIMIT
    )


def _complete(session: Session, dossier: Dossier, clock: FixedClock) -> None:
    for step in (
        DossierStatus.DISPATCHED,
        DossierStatus.RECEIVED,
        DossierStatus.RESULT_READY,
        DossierStatus.DELIVERED,
    ):
        set_status(session, dossier, step, clock.now(), "test", None)


def test_a_pdf_scan_is_stored_with_its_page_count(
    session: Session, store: LocalFileStore, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    scan = _upload(session, world, _dossier(session, world, clock), store, clock)
    assert (scan.content_type, scan.pages) == ("application/pdf", 3)
    assert store.get(scan.sha256) == PDF_3_PAGES


def test_a_file_that_is_not_what_its_name_says_is_refused(
    session: Session, store: LocalFileStore, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    with pytest.raises(ValidationFailed) as caught:
        _upload(session, world, _dossier(session, world, clock), store, clock, name="scan.pdf", data=PNG)
    assert "file" in caught.value.fields


@pytest.mark.parametrize("data", [b"<html><script>alert(1)</script>", b"GIF89a......", b"PK\x03\x04 docx"])
def test_content_that_is_not_pdf_jpeg_or_png_is_refused(
    session: Session, store: LocalFileStore, clock: FixedClock, data: bytes
) -> None:
    world = factories.intake_setup(session)
    with pytest.raises(ValidationFailed):
        _upload(session, world, _dossier(session, world, clock), store, clock, name="x.pdf", data=data)


def test_an_oversize_file_is_refused(session: Session, store: LocalFileStore, clock: FixedClock) -> None:
    world = factories.intake_setup(session)
    with pytest.raises(ValidationFailed):
        _upload(
            session, world, _dossier(session, world, clock), store, clock, data=PDF_3_PAGES + b"0" * LIMIT
        )


def test_marking_digitized_needs_every_component(
    session: Session, store: LocalFileStore, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    dossier = _dossier(session, world, clock)
    _upload(session, world, dossier, store, clock)
    with pytest.raises(ValidationFailed):
        digitization.mark_digitized(session, world["clerk"], dossier, clock.now())
    assert dossier.status == DossierStatus.ACCEPTED


def test_marking_digitized_completes_the_task_with_the_pages(
    session: Session, store: LocalFileStore, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    dossier = _dossier(session, world, clock)
    _upload(session, world, dossier, store, clock)
    _upload(session, world, dossier, store, clock, component="TP2", name="cccd.png", data=PNG)
    digitization.mark_digitized(session, world["clerk"], dossier, clock.now())
    task = session.scalar(
        sa.select(Task).where(Task.dossier_code == dossier.code, Task.task_type == "digitization")
    )
    assert dossier.status == DossierStatus.DIGITIZED and [e.code for e in dossier.events][-1] == "digitized"
    assert task is not None and task.status == TaskStatus.DONE and task.pages == 4


def test_reuse_is_offered_for_the_same_citizen_from_a_completed_dossier(
    session: Session, store: LocalFileStore, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    earlier = _dossier(session, world, clock)
    _upload(session, world, earlier, store, clock, component="TP2", name="cccd.png", data=PNG)
    _complete(session, earlier, clock)
    later = _dossier(session, world, clock)
    offers = digitization.reuse_offers(session, later)
    assert [(o.component_code, o.from_code) for o in offers] == [("TP2", earlier.code)]
    digitization.reuse(session, world["clerk"], later, "TP2", offers[0].file.id, True, clock.now())
    _upload(session, world, later, store, clock)
    digitization.mark_digitized(session, world["clerk"], later, clock.now())
    assert later.status == DossierStatus.DIGITIZED


def test_reuse_is_not_offered_from_another_citizen(
    session: Session, store: LocalFileStore, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    earlier = _dossier(session, world, clock, citizen_id="001090099999")
    _upload(session, world, earlier, store, clock, component="TP2", name="cccd.png", data=PNG)
    _complete(session, earlier, clock)
    assert digitization.reuse_offers(session, _dossier(session, world, clock)) == []


def test_reuse_is_not_offered_from_an_unfinished_dossier(
    session: Session, store: LocalFileStore, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    earlier = _dossier(session, world, clock)
    _upload(session, world, earlier, store, clock, component="TP2", name="cccd.png", data=PNG)
    assert digitization.reuse_offers(session, _dossier(session, world, clock)) == []


def test_reuse_without_the_citizens_consent_is_refused(
    session: Session, store: LocalFileStore, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    earlier = _dossier(session, world, clock)
    _upload(session, world, earlier, store, clock, component="TP2", name="cccd.png", data=PNG)
    _complete(session, earlier, clock)
    later = _dossier(session, world, clock)
    with pytest.raises(ValidationFailed) as caught:
        digitization.reuse(session, world["clerk"], later, "TP2", earlier.files[0].id, False, clock.now())
    assert "consent" in caught.value.fields
