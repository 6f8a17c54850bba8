"""The coverage screens and their exports, scoped to the operator; the gate's switch and its log."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from postal_hub.core.users.models import Role
from postal_hub.training import gate
from postal_hub.training.status import EnrolmentStatus
from tests import factories
from tests.conftest import AuthActions
from tests.factories_training import enrolment_only, expiring_in, procedure_group
from tests.fakes import FixedClock

TODAY = date(2026, 11, 20)


@pytest.fixture
def net(session: Session) -> dict[str, Any]:
    """Operator A: Hà Nội (clerk CA 10 days left, postman CB, clerk who failed, clerk never trained) and
    Hồ Chí Minh (clerk CA+CB 80 days left); operator B: one office with a certified clerk."""
    ca, cb = procedure_group(session, "CA"), procedure_group(session, "CB")
    op_a, op_b = factories.operator(session), factories.operator(session)
    hanoi = factories.post_office(session, op_a, province_code="01", name="Bưu cục Hoàn Kiếm")
    saigon = factories.post_office(session, op_a, province_code="79", name="Bưu cục Bến Thành")
    other = factories.post_office(session, op_b, province_code="01", name="Bưu cục Đối Thủ")

    def staff(office: Any, op: Any, role: Role = Role.POSTAL_CLERK, name: str = "") -> Any:
        extra = {"full_name": name} if name else {}
        return factories.user(session, role, organization=op, post_office_id=office.id, **extra)

    expiring_in(session, staff(hanoi, op_a, name="Nguyễn Thị Lan"), [ca], TODAY, 10)
    expiring_in(session, staff(hanoi, op_a, Role.POSTMAN, "Trần Văn Bưu"), [cb], TODAY, 200)
    enrolment_only(session, staff(hanoi, op_a, name="Lê Văn Trượt"), EnrolmentStatus.FAILED)
    staff(hanoi, op_a, name="Phạm Thị Mới")
    expiring_in(session, staff(saigon, op_a, name="Võ Văn Sài"), [ca, cb], TODAY, 80)
    expiring_in(session, staff(other, op_b, name="Đỗ Văn Khác"), [ca], TODAY, 20)
    people = {
        "manager_a": factories.user(session, Role.POSTAL_MANAGER, organization=op_a),
        "manager_b": factories.user(session, Role.POSTAL_MANAGER, organization=op_b),
        "trainer_a": factories.user(session, Role.TRAINER, organization=op_a),
        "clerk_a": factories.user(session, Role.POSTAL_CLERK, organization=op_a),
        "admin": factories.user(session, Role.SYSTEM_ADMIN),
    }
    session.commit()
    return {"hanoi": hanoi, "saigon": saigon, "other": other, **people}


def _page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def _rows(page: str) -> list[str]:
    return re.findall(r'data-office="([^"]+)"', page)


# --- coverage ------------------------------------------------------------------------------------------


def test_a_manager_sees_only_their_operators_offices(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["manager_a"].username)
    page = _page(client, "/training/coverage")
    assert sorted(_rows(page)) == sorted([net["hanoi"].code, net["saigon"].code])
    assert "Đối Thủ" not in page


def test_another_operators_office_page_is_not_found(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["manager_a"].username)
    _page(client, f"/training/coverage/{net['other'].id}", 404)
    _page(client, "/training/coverage/99999999", 404)
    _page(client, "/training/coverage/99999999999999", 404)


def test_the_administrator_sees_every_operators_offices(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["admin"].username)
    page = _page(client, "/training/coverage?province=01")
    assert {net["hanoi"].code, net["other"].code} <= set(_rows(page))
    assert net["saigon"].code not in _rows(page)
    _page(client, f"/training/coverage/{net['other'].id}")


def test_a_trainer_of_the_operator_sees_its_offices(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["trainer_a"].username)
    assert sorted(_rows(_page(client, "/training/coverage"))) == sorted(
        [net["hanoi"].code, net["saigon"].code]
    )


def test_a_clerk_may_not_open_the_coverage_screens(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["clerk_a"].username)
    for url in ("/training/coverage", f"/training/coverage/{net['hanoi'].id}", "/training/coverage.csv"):
        assert client.get(url).status_code == 403, url


def test_the_coverage_row_shows_the_offices_figures_and_the_totals_row_sums_them(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["manager_a"].username)
    page = _page(client, "/training/coverage")
    row = page[page.index(f'data-office="{net["hanoi"].code}"') :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r'<td class="num[^"]*">(\d+)</td>', row)
    assert cells == ["4", "2", "1", "1", "1", "1"]  # staff, certified, ≤30, ≤60, ≤90, never trained
    assert re.search(r'badge--ok"[^>]*>CA<', row) and re.search(r'badge--gap"[^>]*>CB<', row)
    assert re.search(r'id="total-staff">5<', page) and re.search(r'id="total-certified">3<', page)
    assert re.search(r'id="total-expiring-90">2<', page) and re.search(r'id="total-never">1<', page)


def test_the_search_finds_an_office_by_its_name_without_diacritics(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["manager_a"].username)
    assert _rows(_page(client, "/training/coverage?q=ben+thanh")) == [net["saigon"].code]


def test_the_office_page_lists_its_staff_with_certificates_and_marks_the_never_trained(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["manager_a"].username)
    page = _page(client, f"/training/coverage/{net['hanoi'].id}")
    for name in ("Nguyễn Thị Lan", "Trần Văn Bưu", "Lê Văn Trượt", "Phạm Thị Mới"):
        assert name in page
    assert "CC-TEST-" in page
    assert page.count('class="row--untrained"') == 1  # Phạm Thị Mới; who failed a course was trained
    untrained = page[page.index('class="row--untrained"') :]
    assert "Phạm Thị Mới" in untrained[: untrained.index("</tr>")]
    assert page.count("status--cert-valid") == 2 and page.count("cert-soon") == 1  # Lan: 10 days left


def _csv_rows(client: FlaskClient, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_csv_export_holds_each_office_with_its_figures_and_the_totals(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["manager_a"].username)
    rows = _csv_rows(client, "/training/coverage.csv")
    header = next(r for r in rows if r and r[0].startswith("Mã bưu cục"))
    assert "Office code" in header[0] and len(header) == 11
    by_code = {r[0]: r for r in rows if r}
    hanoi = by_code[net["hanoi"].code]
    assert hanoi[1] == "Bưu cục Hoàn Kiếm"
    assert hanoi[3:5] == ["4", "2"] and hanoi[5:7] == ["CA", "CB"] and hanoi[7:] == ["1", "1", "1", "1"]
    assert by_code[net["saigon"].code][3:] == ["1", "1", "CA, CB", "", "0", "0", "1", "0"]
    assert net["other"].code not in by_code
    total = next(r for r in rows if r and r[0].startswith("Tổng cộng"))
    assert total[3:5] == ["5", "3"] and total[7:] == ["1", "1", "2", "1"]


def test_the_csv_export_keeps_the_screens_filters(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["manager_a"].username)
    rows = _csv_rows(client, "/training/coverage.csv?province=79")
    codes = {r[0] for r in rows if r}
    assert net["saigon"].code in codes and net["hanoi"].code not in codes


def test_the_excel_export_opens_and_holds_the_counts_as_numbers(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["manager_a"].username)
    response = client.get("/training/coverage.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet is not None
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0]}
    hanoi = rows[net["hanoi"].code]
    assert hanoi[3:5] == (4, 2) and hanoi[7:] == (1, 1, 1, 1)
    assert rows["Tổng cộng / Total"][3] == 5


def test_an_office_name_that_looks_like_a_formula_is_written_as_text(
    session: Session, client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    net["hanoi"].name = '=HYPERLINK("http://x")'
    session.commit()
    auth.sign_in(net["manager_a"].username)
    rows = _csv_rows(client, "/training/coverage.csv")
    assert {r[0]: r for r in rows if r}[net["hanoi"].code][1].startswith("'=")


# --- the gate ------------------------------------------------------------------------------------------


def test_only_the_administrator_opens_the_gate_page(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["manager_a"].username)
    assert client.get("/training/gate").status_code == 403
    assert client.post("/training/gate", data={"target": "off", "reason": "x"}).status_code == 403
    auth.sign_out()
    auth.sign_in(net["admin"].username)
    page = _page(client, "/training/gate")
    assert 'class="status status--active" id="gate-state"' in page and "gate-banner" not in page


def test_switching_without_a_reason_is_refused_on_the_field(
    session: Session, client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["admin"].username)
    response = client.post("/training/gate", data={"target": "off", "reason": "   "})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="reason-err"' in page and "field--error" in page
    assert gate.gate_on(session)


def test_an_unknown_target_is_a_bad_request(
    session: Session, client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["admin"].username)
    assert client.post("/training/gate", data={"target": "maybe", "reason": "x"}).status_code == 400
    assert gate.gate_on(session)


def test_with_the_gate_off_an_uncertified_clerk_accepts_and_the_log_shows_it(
    session: Session, client: FlaskClient, auth: AuthActions, clock: FixedClock, net: dict[str, Any]
) -> None:
    world = factories.intake_setup(session)
    novice = factories.user(
        session,
        Role.POSTAL_CLERK,
        organization=world["operator"],
        post_office_id=world["office"].id,
        full_name="Hoàng Văn Tập Sự",
    )
    session.commit()
    auth.sign_in(net["admin"].username)
    response = client.post("/training/gate", data={"target": "off", "reason": "Tuần đầu triển khai"})
    assert response.status_code == 302
    page = _page(client, "/training/gate")
    assert "gate-banner" in page and "Tuần đầu triển khai" in page and net["admin"].full_name in page

    dossier = factories.accepted_dossier(session, {**world, "clerk": novice}, clock.now())
    session.commit()
    assert dossier.accepted_by_id == novice.id

    page = _page(client, "/training/gate")
    log = page[page.index('id="overrides"') :]
    assert "Hoàng Văn Tập Sự" in log and world["office"].code in log
    assert world["procedure"].code in log and "TG" in log


def test_switching_the_gate_on_again_removes_the_banner(
    session: Session, client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["admin"].username)
    client.post("/training/gate", data={"target": "off", "reason": "Thử nghiệm"})
    client.post("/training/gate", data={"target": "on", "reason": "Đã đào tạo xong"})
    page = _page(client, "/training/gate")
    assert gate.gate_on(session) and "gate-banner" not in page and "Đã đào tạo xong" in page


def test_a_page_of_the_log_beyond_the_last_shows_the_last(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["admin"].username)
    _page(client, "/training/gate?page=999")
