"""The quarterly report's pages: the form, the printable page and the XLSX, for each kind of viewer."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from postal_hub.core.users.models import Role, User
from tests import factories
from tests.conftest import AuthActions
from tests.factories_report import quarter_world


@pytest.fixture
def q(session: Session) -> dict[str, Any]:
    w = quarter_world(session)
    w["supervisor"] = factories.user(session, Role.AGENCY_SUPERVISOR, organization=w["unit"].parent)
    w["stranger"] = factories.user(session, Role.UNIT_OFFICER, organization=w["other"]["unit"])
    return w


def as_user(auth: AuthActions, user: User) -> None:
    auth.sign_in(user.username)


def page_url(w: dict[str, Any], quarter: str = "2026Q3", suffix: str = "") -> str:
    return f"/monitoring/reports/{w['unit'].code}/{quarter}{suffix}"


def html_of(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def row_cells(html: str, key: str) -> list[str]:
    row = re.search(r'<tr data-figure="' + key + r'"[^>]*>(.*?)</tr>', html, re.S)
    assert row, key
    return [
        re.sub(r"<[^>]+>|\s+", " ", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]


# --- the form -----------------------------------------------------------------------------------------


def test_the_form_offers_the_viewers_units_and_the_last_finished_quarter(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any]
) -> None:
    as_user(auth, q["supervisor"])
    html = html_of(client, "/monitoring/reports")
    assert f'value="{q["unit"].code}"' in html and f'value="{q["other"]["unit"].code}"' not in html
    assert 'name="quarter"' in html and 'value="2026Q3"' in html


def test_the_form_offers_the_units_contracts(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any]
) -> None:
    as_user(auth, q["supervisor"])
    assert q["contract"].number in html_of(client, "/monitoring/reports")


def test_sending_the_form_opens_the_report_of_that_unit_and_quarter(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any]
) -> None:
    as_user(auth, q["supervisor"])
    response = client.get(f"/monitoring/reports?unit={q['unit'].code}&quarter=2026-q3&contract=")
    assert response.status_code == 302 and response.headers["Location"].endswith(page_url(q))


def test_the_form_names_the_quarter_when_it_is_malformed(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any]
) -> None:
    as_user(auth, q["supervisor"])
    html = html_of(client, f"/monitoring/reports?unit={q['unit'].code}&quarter=Q3-2026", 422)
    assert 'id="f-quarter-err"' in html and 'aria-invalid="true"' in html


def test_the_form_refuses_a_quarter_that_has_not_begun(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any]
) -> None:
    as_user(auth, q["supervisor"])
    html = html_of(client, f"/monitoring/reports?unit={q['unit'].code}&quarter=2027Q1", 422)
    assert 'id="f-quarter-err"' in html


def test_the_form_refuses_a_contract_of_another_unit(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any]
) -> None:
    as_user(auth, q["supervisor"])
    url = f"/monitoring/reports?unit={q['unit'].code}&quarter=2026Q3&contract={q['other']['contract'].id}"
    assert 'id="f-contract-err"' in html_of(client, url, 422)


def test_the_form_refuses_a_unit_the_viewer_may_not_see(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any]
) -> None:
    as_user(auth, q["supervisor"])
    url = f"/monitoring/reports?unit={q['other']['unit'].code}&quarter=2026Q3"
    assert 'id="f-unit-err"' in html_of(client, url, 422)


def test_the_reports_back_link_fills_the_form_in_without_sending_it(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any]
) -> None:
    as_user(auth, q["supervisor"])
    link = re.search(r'class="crumbs[^"]*"><a href="([^"]+)"', html_of(client, page_url(q, "2026Q2")))
    assert link
    back = link.group(1)
    html = html_of(client, back.replace("&amp;", "&"))
    assert 'value="2026Q2"' in html and f'value="{q["unit"].code}" selected' in html


# --- the printable page -------------------------------------------------------------------------------


def test_the_page_shows_the_quarters_figures_beside_the_previous_quarters(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any]
) -> None:
    as_user(auth, q["supervisor"])
    html = html_of(client, page_url(q))
    assert row_cells(html, "dossiers")[:3] == ["4", "2", "+2"]


def test_the_page_marks_an_indicator_below_its_target(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any]
) -> None:
    as_user(auth, q["supervisor"])
    html = html_of(client, page_url(q))
    assert re.search(r'<tr data-figure="on_time_rate" class="report-row--miss"', html)
    assert "✗" in row_cells(html, "on_time_rate")[-1]


def test_the_page_names_the_unit_and_the_quarter(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any]
) -> None:
    as_user(auth, q["supervisor"])
    html = html_of(client, page_url(q))
    assert q["unit"].name in html and q["unit"].code in html and "2026Q3" in html and "2026Q2" in html


def test_the_page_links_to_its_xlsx(client: FlaskClient, auth: AuthActions, q: dict[str, Any]) -> None:
    as_user(auth, q["supervisor"])
    assert f'href="{page_url(q, suffix=".xlsx")}"' in html_of(client, page_url(q))


def test_the_page_of_one_contract_names_it_and_keeps_it_in_the_xlsx_link(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any]
) -> None:
    as_user(auth, q["supervisor"])
    html = html_of(client, page_url(q) + f"?contract={q['contract'].id}")
    assert q["contract"].number in html
    assert f"{page_url(q, suffix='.xlsx')}?contract={q['contract'].id}" in html


@pytest.mark.parametrize("contract", ["999999", "abc", "-1"])
def test_an_unknown_contract_is_not_found(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any], contract: str
) -> None:
    as_user(auth, q["supervisor"])
    html_of(client, page_url(q) + f"?contract={contract}", 404)


def test_a_contract_of_another_unit_is_not_found(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any]
) -> None:
    as_user(auth, q["supervisor"])
    html_of(client, page_url(q) + f"?contract={q['other']['contract'].id}", 404)


def test_a_malformed_quarter_in_the_address_is_refused_by_name(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any]
) -> None:
    as_user(auth, q["supervisor"])
    assert "2026Q3" in html_of(client, page_url(q, "2026Q7"), 422)


# --- the workbook ---------------------------------------------------------------------------------------


def test_the_xlsx_is_an_attachment_named_after_the_unit_and_quarter(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any]
) -> None:
    as_user(auth, q["supervisor"])
    response = client.get(page_url(q, suffix=".xlsx"))
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and f"report-{q['unit'].code}-2026Q3.xlsx" in disposition


def test_the_xlsx_holds_the_quarters_figures(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any]
) -> None:
    as_user(auth, q["supervisor"])
    sheet = load_workbook(io.BytesIO(client.get(page_url(q, suffix=".xlsx")).data)).worksheets[0]
    assert q["unit"].code in sheet["A1"].value
    assert (4, 2, 2) in [row[1:4] for row in sheet.iter_rows(values_only=True)]


def test_the_xlsx_of_one_contract_is_named_after_it(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any]
) -> None:
    as_user(auth, q["supervisor"])
    response = client.get(page_url(q, suffix=".xlsx") + f"?contract={q['contract'].id}")
    slug = re.sub(r"[^a-z0-9]+", "-", q["contract"].number.lower().replace("đ", "d")).strip("-")
    assert f"report-{q['unit'].code}-2026Q3-{slug}.xlsx" in response.headers["Content-Disposition"]


# --- who may see it -------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", ".xlsx"])
def test_another_units_report_is_not_found(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any], suffix: str
) -> None:
    as_user(auth, q["stranger"])
    html_of(client, page_url(q, suffix=suffix), 404)


def test_an_unknown_unit_is_not_found(
    client: FlaskClient, auth: AuthActions, session: Session, q: dict[str, Any]
) -> None:
    as_user(auth, factories.user(session, Role.SYSTEM_ADMIN))
    html_of(client, "/monitoring/reports/NO.SUCH.UNIT/2026Q3", 404)


def test_an_administrator_may_open_any_units_report(
    client: FlaskClient, auth: AuthActions, session: Session, q: dict[str, Any]
) -> None:
    as_user(auth, factories.user(session, Role.SYSTEM_ADMIN))
    html_of(client, f"/monitoring/reports/{q['other']['unit'].code}/2026Q3")


@pytest.mark.parametrize(
    "url",
    ["/monitoring/reports", "/monitoring/reports/{code}/2026Q3", "/monitoring/reports/{code}/2026Q3.xlsx"],
)
def test_a_postal_clerk_may_not_open_the_reports(
    client: FlaskClient, auth: AuthActions, q: dict[str, Any], url: str
) -> None:
    as_user(auth, q["clerk"])
    html_of(client, url.format(code=q["unit"].code), 403)


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client: FlaskClient, q: dict[str, Any]) -> None:
    response = client.get(page_url(q))
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
