"""An uploaded file never comes back as a page of this site: through every upload route, HTML (or SVG
with script, or HTML under a harmless name or magic number) is refused, or served only as a download
with a type that is not HTML, and nosniff."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.contracts.models import ContractDocument
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.users.models import Role
from postal_hub.delivery.models import DeliveryAttempt
from postal_hub.intake.models import Dossier, DossierFile
from tests import factories
from tests.conftest import TEST_PASSWORD, AuthActions, count
from tests.factories_delivery import APPLICANT_ID_TAIL, delivery_world, out_for_delivery
from tests.fakes import FixedClock

SCRIPT = b"<script>alert(document.cookie)</script>"
HOSTILE = [
    ("page.html", b"<!doctype html><html><body>" + SCRIPT + b"</body></html>"),
    ("scan.pdf", b"<html>" + SCRIPT + b"</html>"),
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg">' + SCRIPT + b"</svg>"),
    ("photo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("photo.jpg", b"<html>" + SCRIPT),
    ("scan.html", b"%PDF-1.4\n<html>" + SCRIPT + b"</html>\n%%EOF"),
    ("scan.htm", b"\x89PNG\r\n\x1a\n<html>" + SCRIPT),
]
HOSTILE_IDS = [name for name, _ in HOSTILE]
UNSAFE_TYPES = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml")


def _served_safely(response: Any) -> list[str]:
    problems = []
    if response.mimetype in UNSAFE_TYPES or "html" in (response.mimetype or ""):
        problems.append(f"served as {response.mimetype}")
    if not response.headers.get("Content-Disposition", "").startswith("attachment"):
        problems.append("not a download")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    return problems


def _upload(client: FlaskClient, url: str, fields: dict[str, Any], name: str, data: bytes) -> Any:
    return client.post(
        url,
        data={**fields, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


# ---- scans at the desk --------------------------------------------------------------------------


@pytest.fixture
def desk(session: Session, clock: FixedClock, auth: AuthActions) -> Dossier:
    world = factories.intake_setup(session)
    dossier: Dossier = factories.accepted_dossier(session, world, clock.now())
    session.commit()
    auth.sign_in(world["clerk"].username)
    return dossier


@pytest.mark.parametrize(("name", "data"), HOSTILE, ids=HOSTILE_IDS)
def test_a_scan_that_is_html_underneath_is_refused_with_a_message(
    session: Session, client: FlaskClient, desk: Dossier, name: str, data: bytes
) -> None:
    page = _upload(client, f"/desk/dossiers/{desk.code}/scans", {"component": "TP1"}, name, data)
    assert page.status_code == 200
    assert "flash--error" in page.get_data(as_text=True)
    assert count(session, DossierFile) == 0


def test_a_real_pdf_scan_is_served_back_only_as_a_download(
    session: Session, client: FlaskClient, desk: Dossier
) -> None:
    """The control for the refusals above: a PDF goes in, and comes out as a PDF attachment."""
    _upload(client, f"/desk/dossiers/{desk.code}/scans", {"component": "TP1"}, "to-khai.pdf", b"%PDF-1.4 x")
    scan = session.scalars(sa.select(DossierFile)).one()
    download = client.get(f"/desk/dossiers/{desk.code}/files/{scan.id}")
    assert download.mimetype == "application/pdf"
    assert _served_safely(download) == []


# ---- contract documents --------------------------------------------------------------------------


@pytest.fixture
def contract_id(session: Session, auth: AuthActions) -> int:
    agency = factories.agency(session)
    unit = factories.unit(session, agency)
    made = factories.contract(session, unit, factories.operator(session))
    supervisor = factories.user(session, Role.AGENCY_SUPERVISOR, organization=agency)
    session.commit()
    auth.sign_in(supervisor.username)
    return int(made.id)


@pytest.mark.parametrize(("name", "data"), HOSTILE, ids=HOSTILE_IDS)
def test_a_contract_document_that_is_html_is_refused_or_only_downloaded(
    session: Session, client: FlaskClient, contract_id: int, name: str, data: bytes
) -> None:
    page = _upload(client, f"/contracts/{contract_id}/documents", {}, name, data)
    assert page.status_code == 200
    for document in session.scalars(sa.select(ContractDocument)):
        download = client.get(f"/contracts/{contract_id}/documents/{document.id}")
        assert download.status_code == 200
        assert _served_safely(download) == [], name


def test_a_contract_document_named_html_is_refused_with_a_message(
    session: Session, client: FlaskClient, contract_id: int
) -> None:
    page = _upload(client, f"/contracts/{contract_id}/documents", {}, "page.html", HOSTILE[0][1])
    assert "flash--error" in page.get_data(as_text=True)
    assert count(session, ContractDocument) == 0


# ---- CSV imports -----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(session: Session, client: FlaskClient, auth: AuthActions) -> FlaskClient:
    factories.operator(session)
    admin = factories.user(session, Role.SYSTEM_ADMIN)
    session.commit()
    auth.sign_in(admin.username)
    return client


@pytest.mark.parametrize(
    ("url", "model"), [("/admin/offices/import", PostOffice), ("/admin/procedures/import", Procedure)]
)
@pytest.mark.parametrize(
    ("name", "data"), [(n, d) for n, d in HOSTILE[:1]] + [("offices.csv", HOSTILE[0][1])]
)
def test_an_html_file_sent_as_a_csv_import_is_refused_with_a_message(
    session: Session, admin_client: FlaskClient, url: str, model: type, name: str, data: bytes
) -> None:
    before = count(session, model)
    page = _upload(admin_client, url, {}, name, data)
    assert page.status_code in (200, 400, 422)
    body = page.get_data(as_text=True)
    assert "flash--error" in body or "field-error" in body or "error" in body
    assert SCRIPT.decode() not in body  # the file's content is never echoed back unescaped
    assert count(session, model) == before


# ---- proof at the door -------------------------------------------------------------------------------


def _deliver(**overrides: Any) -> dict[str, Any]:
    return {
        "step": "deliver",
        "recipient": "applicant",
        "id_method": "citizen_id",
        "id_digits": APPLICANT_ID_TAIL,
        **overrides,
    }


@dataclass(frozen=True)
class Door:
    url: str  # the postman (signed in on `client`) hands over here
    manager: str  # who may see the proof afterwards


@pytest.fixture
def door(session: Session, clock: FixedClock, auth: AuthActions) -> Door:
    world = delivery_world(session)
    delivery = out_for_delivery(session, world, clock.now())
    session.commit()
    auth.sign_in(world["postman"].username)
    return Door(f"/deliveries/{delivery.dossier.code}/door", world["manager"].username)


@pytest.mark.parametrize(("name", "data"), HOSTILE, ids=HOSTILE_IDS)
def test_a_door_photo_that_is_html_is_refused_or_served_only_as_an_image(
    app: Flask, session: Session, client: FlaskClient, door: Door, name: str, data: bytes
) -> None:
    """A phone names every photo anything, so the type comes from the content: HTML is refused, and
    HTML behind an image's magic number comes back as that image, never as a page."""
    page = client.post(
        door.url,
        data=_deliver(signature="", photo=(io.BytesIO(data), name)),
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert page.status_code in (200, 400, 422)
    if count(session, DeliveryAttempt):
        reader = app.test_client()  # the postman hands over; the office's manager may see the proof
        reader.post("/sign-in", data={"username": door.manager, "password": TEST_PASSWORD})
        proof = reader.get(door.url.replace("/door", "/proof/1/photo"))
        assert proof.status_code == 200
        assert proof.mimetype in ("image/png", "image/jpeg")
        assert proof.headers["X-Content-Type-Options"] == "nosniff"
    else:
        assert "flash--error" in page.get_data(as_text=True) or "field-error" in page.get_data(as_text=True)


@pytest.mark.parametrize(("name", "data"), HOSTILE[:5], ids=HOSTILE_IDS[:5])
def test_a_door_photo_without_an_image_inside_is_refused(
    session: Session, client: FlaskClient, door: Door, name: str, data: bytes
) -> None:
    client.post(
        door.url,
        data=_deliver(signature="", photo=(io.BytesIO(data), name)),
        content_type="multipart/form-data",
    )
    assert count(session, DeliveryAttempt) == 0


@pytest.mark.parametrize("kind", ["image/png", "image/svg+xml", "text/html"])
def test_a_drawn_signature_that_is_html_is_refused_and_nothing_is_delivered(
    session: Session, client: FlaskClient, door: Door, kind: str
) -> None:
    forged = f"data:{kind};base64," + base64.b64encode(HOSTILE[2][1]).decode()
    page = client.post(door.url, data=_deliver(signature=forged), follow_redirects=True)
    assert page.status_code in (200, 400, 422)
    assert count(session, DeliveryAttempt) == 0
