"""The remittance screen and its exports, as a unit, an agency and a postal manager use them."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from postal_hub.core.orgs.models import Organization
from tests import factories
from tests.conftest import AuthActions
from tests.factories_remittance import example

NOVEMBER = "month=2026-11"


@pytest.fixture
def ex(session: Session) -> dict[str, Any]:
    made = example(session)
    session.commit()
    return made


def _unit(ex: dict[str, Any], key: str = "world") -> int:
    return int(ex[key]["unit"].id)


def _get(client: FlaskClient, auth: AuthActions, user: Any, url: str) -> Any:
    auth.sign_in(user.username)
    return client.get(url)


def test_a_unit_officer_sees_the_hand_computed_totals_of_their_unit(
    client: FlaskClient, auth: AuthActions, ex: dict[str, Any]
) -> None:
    page = _get(client, auth, ex["officer"], f"/remittance?{NOVEMBER}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert (
        'id="grand-total" data-amount="123000"' in html and '<td class="num" id="line-count">4</td>' in html
    )


def test_the_page_lists_each_line_with_its_dossier_code(
    client: FlaskClient, auth: AuthActions, ex: dict[str, Any]
) -> None:
    html = _get(client, auth, ex["officer"], f"/remittance?{NOVEMBER}").get_data(as_text=True)
    d = ex["dossiers"]
    assert all(d[k].code in html for k in ("paid", "card", "nothing")) and d["theirs"].code not in html


def test_the_lines_are_paged(app: Flask, client: FlaskClient, auth: AuthActions, ex: dict[str, Any]) -> None:
    app.config["PAGE_SIZE"] = 3
    first = _get(client, auth, ex["officer"], f"/remittance?{NOVEMBER}").get_data(as_text=True)
    second = client.get(f"/remittance?{NOVEMBER}&page=2").get_data(as_text=True)
    nothing = ex["dossiers"]["nothing"].code
    assert nothing not in first and nothing in second and 'class="pager"' in first


def test_an_agency_supervisor_chooses_among_the_agencys_units(
    client: FlaskClient, auth: AuthActions, ex: dict[str, Any]
) -> None:
    page = _get(client, auth, ex["supervisor"], f"/remittance?unit={_unit(ex)}&{NOVEMBER}")
    assert 'data-amount="123000"' in page.get_data(as_text=True)


def test_an_agency_with_several_units_is_asked_to_choose_one_first(
    session: Session, client: FlaskClient, auth: AuthActions, ex: dict[str, Any]
) -> None:
    sibling = factories.unit(session, session.get(Organization, ex["world"]["unit"].parent_id))
    session.commit()
    html = _get(client, auth, ex["supervisor"], f"/remittance?{NOVEMBER}").get_data(as_text=True)
    assert 'id="grand-total"' not in html and f'<option value="{sibling.id}"' in html


def test_the_operators_manager_chooses_the_unit_and_sees_its_statement(
    client: FlaskClient, auth: AuthActions, ex: dict[str, Any]
) -> None:
    page = _get(client, auth, ex["manager"], f"/remittance?unit={_unit(ex)}&{NOVEMBER}")
    assert page.status_code == 200 and 'id="grand-total" data-amount="123000"' in page.get_data(as_text=True)


def test_another_units_officer_asking_for_this_unit_gets_not_found(
    client: FlaskClient, auth: AuthActions, ex: dict[str, Any]
) -> None:
    page = _get(client, auth, ex["other_officer"], f"/remittance?unit={_unit(ex)}&{NOVEMBER}")
    assert page.status_code == 404 and ex["world"]["unit"].name not in page.get_data(as_text=True)


def test_a_manager_of_another_operator_sees_nothing_of_this_one(
    client: FlaskClient, auth: AuthActions, ex: dict[str, Any]
) -> None:
    page = _get(client, auth, ex["other_manager"], f"/remittance?unit={_unit(ex)}&{NOVEMBER}")
    choices = client.get(f"/remittance?{NOVEMBER}").get_data(as_text=True)
    assert page.status_code == 404 and ex["world"]["unit"].name not in choices


@pytest.mark.parametrize("suffix", ["", "/export.csv", "/export.xlsx"])
def test_exports_of_a_unit_not_yours_are_not_found(
    client: FlaskClient, auth: AuthActions, ex: dict[str, Any], suffix: str
) -> None:
    page = _get(client, auth, ex["other_officer"], f"/remittance{suffix}?unit={_unit(ex)}&{NOVEMBER}")
    assert page.status_code == 404


def test_a_postal_clerk_may_not_open_the_remittance_screen(
    client: FlaskClient, auth: AuthActions, ex: dict[str, Any]
) -> None:
    assert _get(client, auth, ex["clerk"], f"/remittance?{NOVEMBER}").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client: FlaskClient, ex: dict[str, Any]) -> None:
    assert client.get("/remittance").status_code == 302


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-11-30&to=2026-11-01", "to"),
        ("from=2025-01-01&to=2026-11-30", "to"),
        ("from=yesterday&to=2026-11-30", "from"),
        ("month=2026-13", "month"),
        ("unit=abc&month=2026-11", "unit"),
    ],
)
def test_a_bad_period_or_unit_is_shown_on_its_field_not_as_a_crash(
    client: FlaskClient, auth: AuthActions, ex: dict[str, Any], query: str, field: str
) -> None:
    page = _get(client, auth, ex["officer"], f"/remittance?{query}")
    assert page.status_code == 422 and f'id="f-{field}-err"' in page.get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_with_a_bad_period_shows_the_form_error(
    client: FlaskClient, auth: AuthActions, ex: dict[str, Any], fmt: str
) -> None:
    page = _get(client, auth, ex["officer"], f"/remittance/export.{fmt}?from=2026-11-30&to=2026-11-01")
    assert page.status_code == 422 and 'id="f-to-err"' in page.get_data(as_text=True)


def test_an_export_without_a_unit_asks_for_one(
    client: FlaskClient, auth: AuthActions, ex: dict[str, Any]
) -> None:
    page = _get(client, auth, ex["admin"], f"/remittance/export.csv?{NOVEMBER}")
    assert page.status_code == 422 and 'id="f-unit-err"' in page.get_data(as_text=True)


def test_the_csv_export_opens_with_the_lines_and_totals(
    client: FlaskClient, auth: AuthActions, ex: dict[str, Any]
) -> None:
    answer = _get(client, auth, ex["officer"], f"/remittance/export.csv?{NOVEMBER}")
    body = answer.get_data()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert answer.status_code == 200 and answer.mimetype == "text/csv" and body.startswith(b"\xef\xbb\xbf")
    assert "attachment" in answer.headers["Content-Disposition"]
    assert rows[-1][1:] == ["4", "123000"]
    assert sum(1 for r in rows if r and r[0] in {d.code for d in ex["dossiers"].values()}) == 4


def test_the_excel_export_opens_with_the_lines_and_totals(
    client: FlaskClient, auth: AuthActions, ex: dict[str, Any]
) -> None:
    answer = _get(client, auth, ex["manager"], f"/remittance/export.xlsx?unit={_unit(ex)}&{NOVEMBER}")
    sheet = load_workbook(io.BytesIO(answer.get_data())).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert answer.status_code == 200
    assert [row[4] for row in values if row[0] in {d.code for d in ex["dossiers"].values()}] == [
        8_000,
        70_000,
        30_000,
        15_000,
    ]
    assert values[-1][1:3] == [4, 123_000]


def test_the_menu_offers_the_remittance_screen_to_units_but_not_to_clerks(
    client: FlaskClient, auth: AuthActions, ex: dict[str, Any]
) -> None:
    officer_home = _get(client, auth, ex["officer"], "/").get_data(as_text=True)
    auth.sign_out()
    clerk_home = _get(client, auth, ex["clerk"], "/").get_data(as_text=True)
    assert 'href="/remittance"' in officer_home and 'href="/remittance"' not in clerk_home
