"""The catalogue, the counter, the receipt and public tracking, as clerks and citizens use them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.audit import AuditEntry
from postal_hub.core.users.models import Role
from postal_hub.intake.models import Dossier
from postal_hub.intake.services import AcceptanceInput, accept
from tests import factories
from tests.conftest import AuthActions, count
from tests.fakes import FixedClock


@pytest.fixture
def world(session: Session, clock: FixedClock) -> dict[str, Any]:
    world = factories.intake_setup(session)
    world["procedure"].name = "Đăng ký khai sinh"
    world["procedure"].search_key = "dang ky khai sinh"
    session.commit()
    return world


def _form(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = {
        "procedure_code": world["procedure"].code,
        "submission_token": "tok-web-1",
        "applicant_name": "Nguyễn Văn An",
        "citizen_id": "001090012345",
        "phone": "0912 345 678",
        "province_code": "01",
        "commune_code": "00097",
        "street": "12 Phúc Xá",
        "present": ["TP1", "TP2"],
        "result_delivery": "home",
        "payment_method": "cash",
    }
    data.update(overrides)
    return data


def _accepted(session: Session, world: dict[str, Any], clock: FixedClock) -> Dossier:
    dossier = accept(
        session,
        world["clerk"],
        world["office"],
        AcceptanceInput(
            procedure_id=world["procedure"].id, applicant=factories.applicant(), present={"TP1", "TP2"}
        ),
        clock.now(),
    )
    assert isinstance(dossier, Dossier)
    session.commit()
    return dossier


def test_the_catalogue_finds_a_procedure_without_diacritics(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    assert "Đăng ký khai sinh" in client.get("/procedures?q=dang+ky+khai+sinh").get_data(as_text=True)


def test_a_procedures_page_lists_its_components_for_printing(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    page = client.get(f"/procedures/{world['procedure'].code}").get_data(as_text=True)
    assert "Tờ khai" in page and "Bản sao CCCD" in page and "js-print" in page


def test_a_clerk_accepts_and_lands_on_a_receipt_with_both_codes_and_barcodes(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["clerk"].username)
    response = client.post("/desk/accept", data=_form(world))
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    dossier = session.query(Dossier).one()
    assert dossier.code in receipt and dossier.item_number in receipt
    assert 'aria-label="Code 128"' in receipt and 'aria-label="QR"' in receipt
    assert client.get(response.headers["Location"] + "?paper=80mm").status_code == 200


def test_sending_the_acceptance_form_twice_makes_one_dossier(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["clerk"].username)
    client.post("/desk/accept", data=_form(world))
    client.post("/desk/accept", data=_form(world))
    assert count(session, Dossier) == 1


def test_an_incomplete_dossier_gets_a_printable_missing_list_and_is_not_saved(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["clerk"].username)
    page = client.post("/desk/accept", data=_form(world, present=["TP1"])).get_data(as_text=True)
    assert "Bản sao CCCD" in page and "js-print" in page
    assert count(session, Dossier) == 0


def test_bad_applicant_fields_are_marked_and_nothing_is_saved(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["clerk"].username)
    page = client.post("/desk/accept", data=_form(world, citizen_id="12345", phone="abc")).get_data(
        as_text=True
    )
    assert 'id="citizen_id-err"' in page and 'id="phone-err"' in page
    assert count(session, Dossier) == 0


def test_a_clerk_of_another_office_cannot_open_the_dossier(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = _accepted(session, world, clock)
    other_office = factories.post_office(session, world["operator"])
    stranger = factories.user(
        session, Role.POSTAL_CLERK, organization=world["operator"], post_office_id=other_office.id
    )
    session.commit()
    auth.sign_in(stranger.username)
    assert client.get(f"/desk/dossiers/{dossier.code}").status_code == 404
    assert client.get(f"/desk/dossiers/{dossier.code}/receipt").status_code == 404
    assert f"/desk/dossiers/{dossier.code}" not in client.get(f"/desk?q={dossier.code}").get_data(
        as_text=True
    )


def test_a_desk_search_by_citizen_id_is_recorded_as_a_personal_data_lookup(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = _accepted(session, world, clock)
    auth.sign_in(world["clerk"].username)
    assert dossier.code in client.post("/desk", data={"q": "001090012345"}).get_data(as_text=True)
    lookups = session.query(AuditEntry).filter_by(action="personal_data.lookup").all()
    assert len(lookups) == 1 and "001090012345" not in str(lookups[0].details)


def test_public_tracking_shows_the_timeline_and_no_personal_data(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: FixedClock
) -> None:
    dossier = _accepted(session, world, clock)
    for code in (dossier.code, dossier.item_number.lower(), " ".join(dossier.item_number)):
        page = client.get(f"/track/{code}").get_data(as_text=True)
        assert dossier.code in page and "Nguyễn V. A." in page
        for secret in ("001090012345", "0912345678", "912345678", "Nguyễn Văn An", "12 Phúc Xá"):
            assert secret not in page


def test_an_unknown_code_gets_a_friendly_not_found(client: FlaskClient, world: dict[str, Any]) -> None:
    response = client.get("/track/RR000000000VN")
    assert response.status_code == 404 and "RR000000000VN" in response.get_data(as_text=True)


def test_tracking_lookups_are_rate_limited(app: Flask, client: FlaskClient, world: dict[str, Any]) -> None:
    app.config["TRACK_LOOKUPS_PER_MINUTE"] = 3
    app.extensions.pop("track_limiter", None)
    statuses = [client.get(f"/track/RR00000000{n}VN").status_code for n in range(5)]
    assert statuses[-1] == 429 and statuses[:3] == [404, 404, 404]


def test_the_track_form_takes_a_code_typed_with_spaces(client: FlaskClient, world: dict[str, Any]) -> None:
    response = client.get("/track?code=rr 1234 5678 5 vn")
    assert response.status_code == 302 and re.search(r"/track/rr", response.headers["Location"])


def test_a_scan_uploaded_at_the_desk_is_served_only_to_those_who_may_see_the_dossier(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    import io

    dossier = _accepted(session, world, clock)
    auth.sign_in(world["clerk"].username)
    client.post(
        f"/desk/dossiers/{dossier.code}/scans",
        content_type="multipart/form-data",
        data={"component": "TP1", "file": (io.BytesIO(b"%PDF-1.4 <</Type /Page>>"), "to-khai.pdf")},
    )
    session.refresh(dossier)
    [scan] = dossier.files
    url = f"/desk/dossiers/{dossier.code}/files/{scan.id}"
    download = client.get(url)
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    auth.sign_out()
    other_office = factories.post_office(session, world["operator"])
    stranger = factories.user(
        session, Role.POSTAL_CLERK, organization=world["operator"], post_office_id=other_office.id
    )
    session.commit()
    auth.sign_in(stranger.username)
    assert client.get(url).status_code == 404


def test_a_renamed_file_is_refused_at_the_desk_with_a_message(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    import io

    dossier = _accepted(session, world, clock)
    auth.sign_in(world["clerk"].username)
    page = client.post(
        f"/desk/dossiers/{dossier.code}/scans",
        content_type="multipart/form-data",
        data={"component": "TP1", "file": (io.BytesIO(b"<html>not a pdf</html>"), "to-khai.pdf")},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "flash--error" in page
    session.refresh(dossier)
    assert dossier.files == []


def test_an_old_three_level_address_is_understood_at_the_counter(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["clerk"].username)
    data = _form(world, province_code="", commune_code="", old_address="Phường Phúc Xá, Quận Ba Đình, Hà Nội")
    assert client.post("/desk/accept", data=data).status_code == 302
    dossier = session.query(Dossier).one()
    assert dossier.applicant_commune_code == "00097"  # today's Phường Hồng Hà


def test_an_unknown_old_address_is_marked_on_its_field(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["clerk"].username)
    data = _form(
        world, province_code="", commune_code="", old_address="Phường Không Có, Quận Ba Đình, Hà Nội"
    )
    assert 'id="old_address-err"' in client.post("/desk/accept", data=data).get_data(as_text=True)
    assert count(session, Dossier) == 0


def test_a_desk_search_keeps_personal_data_out_of_the_address_bar(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    _accepted(session, world, clock)
    auth.sign_in(world["clerk"].username)
    page = client.get("/desk").get_data(as_text=True)
    assert 'action="/desk" class="filters"' in page and 'method="post"' in page
    assert 'value="001090012345"' not in client.get("/desk?q=001090012345").get_data(
        as_text=True
    )  # GET ignores q
