"""Using the admin screens as an administrator or a postal manager would."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.users.models import Role, User
from tests import factories
from tests.conftest import AuthActions, count


def _admin(session: Session, auth: AuthActions) -> User:
    admin = factories.user(session, Role.SYSTEM_ADMIN)
    session.commit()
    auth.sign_in(admin.username)
    return admin


def _office_form(operator_id: int, **overrides: str) -> dict[str, str]:
    data = {
        "operator_id": str(operator_id),
        "code": "HN0001",
        "name": "Bưu cục Ba Đình",
        "postcode": "11100",
        "address": "1 Điện Biên Phủ",
        "province_code": "01",
        "commune_code": "00004",
        "opening_hours": "Mo-Fr 07:30-17:00",
        "lat": "",
        "lon": "",
    }
    data.update(overrides)
    return data


def test_an_administrator_creates_a_post_office(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    _admin(session, auth)
    operator = factories.operator(session)
    session.commit()
    response = client.post("/admin/offices/new", data=_office_form(operator.id))
    assert response.status_code == 302
    assert session.scalar(sa.select(PostOffice).where(PostOffice.code == "HN0001")) is not None


def test_a_bad_postcode_is_shown_next_to_the_field_and_nothing_is_saved(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    _admin(session, auth)
    operator = factories.operator(session)
    session.commit()
    before = count(session, PostOffice)
    page = client.post("/admin/offices/new", data=_office_form(operator.id, postcode="12")).get_data(
        as_text=True
    )
    assert 'id="postcode-err"' in page
    assert count(session, PostOffice) == before


def test_the_commune_list_follows_the_chosen_province(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    _admin(session, auth)
    operator = factories.operator(session)
    session.commit()
    page = client.post(
        "/admin/offices/new", data=_office_form(operator.id, province_code="79", commune_code="00004")
    )
    text = page.get_data(as_text=True)
    assert "Phường Sài Gòn" in text and 'id="commune_code-err"' in text


def test_an_administrator_creates_a_procedure_with_its_components(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    _admin(session, auth)
    data = {
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "field": "Hộ tịch",
        "competent_level": "commune",
        "unit_id": "",
        "fee": "8.000",
        "charge": "0",
        "processing_days": "1",
        "postal_allowed": "y",
        "components-0-code": "TP1",
        "components-0-name": "Tờ khai",
        "components-0-original": "original",
        "components-0-count": "1",
        "components-1-code": "",
        "components-1-name": "",
        "components-1-original": "copy",
        "components-1-count": "1",
        "components-2-code": "TP2",
        "components-2-name": "Giấy chứng sinh",
        "components-2-original": "original",
        "components-2-count": "1",
    }
    assert client.post("/admin/procedures/new", data=data).status_code == 302
    procedure = session.scalar(sa.select(Procedure).where(Procedure.code == "1.001193"))
    assert procedure is not None
    assert procedure.fee == 8000
    assert [c.code for c in procedure.components] == ["TP1", "TP2"]


def test_a_component_error_points_at_the_row_on_screen(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    _admin(session, auth)
    data = {
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "competent_level": "commune",
        "processing_days": "1",
        "fee": "0",
        "charge": "0",
        "components-0-code": "",
        "components-0-name": "",
        "components-0-count": "1",
        "components-1-code": "TP1",
        "components-1-name": "",
        "components-1-count": "1",
    }
    page = client.post("/admin/procedures/new", data=data).get_data(as_text=True)
    assert 'name="components-1-name"' in page and 'aria-invalid="true"' in page
    assert count(session, Procedure) == 0


def test_deactivating_an_office_keeps_it_but_hides_it_from_the_list(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    _admin(session, auth)
    office = factories.post_office(session, name="Bưu cục sắp đóng")
    session.commit()
    client.post(f"/admin/offices/{office.id}/active", data={"active": "0"}, follow_redirects=True)
    session.refresh(office)
    assert office.active is False
    assert "Bưu cục sắp đóng" not in client.get("/admin/offices").get_data(as_text=True)
    assert "Bưu cục sắp đóng" in client.get("/admin/offices?inactive=1").get_data(as_text=True)


def test_search_finds_a_procedure_without_diacritics(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    _admin(session, auth)
    factories.procedure(session, name="Đăng ký khai sinh")
    factories.procedure(session, name="Đăng ký kết hôn")
    session.commit()
    page = client.get("/admin/procedures?q=dang+ky+khai+sinh").get_data(as_text=True)
    assert "Đăng ký khai sinh" in page and "Đăng ký kết hôn" not in page


def test_lists_are_paged(session: Session, client: FlaskClient, auth: AuthActions) -> None:
    _admin(session, auth)
    for n in range(30):
        factories.procedure(session, name=f"Thủ tục phân trang {n:02d}")
    session.commit()
    first = client.get("/admin/procedures?q=phan+trang").get_data(as_text=True)
    second = client.get("/admin/procedures?q=phan+trang&page=2").get_data(as_text=True)
    assert "Thủ tục phân trang 00" in first and "Thủ tục phân trang 29" not in first
    assert "Thủ tục phân trang 29" in second


def test_an_office_csv_upload_with_a_bad_row_lists_the_line(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    _admin(session, auth)
    operator = factories.operator(session)
    session.commit()
    csv_bytes = (
        "code,name,postcode,address,province_code,commune_code,opening_hours\n"
        "A1001,Bưu cục A,10000,1 Phố,01,00004,Mo-Fr 07:30-17:00\n"
        "A1002,Bưu cục B,10000,1 Phố,01,00004,every day\n"
    ).encode()
    page = client.post(
        "/admin/offices/import",
        data={"operator_id": str(operator.id), "file": (io.BytesIO(csv_bytes), "offices.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "<td>3</td>" in page
    assert session.scalar(sa.select(PostOffice).where(PostOffice.code == "A1001")) is None


def test_a_new_api_key_is_shown_once_and_stored_hashed(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    _admin(session, auth)
    unit = factories.unit(session)
    session.commit()
    page = client.post(f"/admin/organizations/{unit.id}/api-keys", data={"name": "Hệ thống một cửa"})
    text = page.get_data(as_text=True)
    assert '<code class="secret">ph_' in text
    assert '<code class="secret">' not in client.get(f"/admin/units/{unit.id}/edit").get_data(as_text=True)


def test_a_postal_manager_creates_a_clerk_for_their_office(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    manager = factories.user(session, Role.POSTAL_MANAGER)
    office = factories.post_office(session, manager.organization)
    session.commit()
    auth.sign_in(manager.username)
    response = client.post(
        "/admin/users/new",
        data={
            "username": "gdv.moi",
            "full_name": "Giao dịch viên mới",
            "role": "postal_clerk",
            "organization_id": str(manager.organization_id),
            "post_office_id": str(office.id),
            "password": "long-enough-pass",
            "active": "y",
        },
    )
    assert response.status_code == 302
    clerk = session.scalar(sa.select(User).where(User.username == "gdv.moi"))
    assert clerk is not None and clerk.post_office_id == office.id
