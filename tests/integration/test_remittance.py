"""The remittance statement: what the post collected for a unit, matching a hand-computed example."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from postal_hub.core.errors import NotFound, PermissionDenied, ValidationFailed
from postal_hub.core.users.models import Role
from postal_hub.delivery import remittance, remittance_exports
from postal_hub.delivery.remittance import Period, month_period, parse_period
from tests import factories
from tests.factories_remittance import cod, example, local

NOVEMBER = month_period(2026, 11)
NOW = datetime.fromisoformat("2026-12-02T03:00:00+00:00")


@pytest.fixture
def ex(session: Session) -> dict[str, Any]:
    return example(session)


def _statement(session: Session, ex: dict[str, Any], who: str = "officer", period: Period = NOVEMBER) -> Any:
    return remittance.statement(session, ex[who], ex["world"]["unit"].id, period, NOW)


def test_the_totals_match_the_hand_computed_example(session: Session, ex: dict[str, Any]) -> None:
    totals = _statement(session, ex).totals
    assert (totals.count, totals.total) == (4, 123_000)


def test_the_totals_per_source_match_the_hand_computed_example(session: Session, ex: dict[str, Any]) -> None:
    assert _statement(session, ex).totals.by_source == {"acceptance": (2, 78_000), "delivery": (2, 45_000)}


def test_the_totals_per_method_match_the_hand_computed_example(session: Session, ex: dict[str, Any]) -> None:
    assert _statement(session, ex).totals.by_method == {
        "card": (1, 70_000),
        "cash": (2, 38_000),
        "transfer": (1, 15_000),
    }


def test_each_line_names_the_dossier_the_amount_the_method_and_the_office_in_time_order(
    session: Session, ex: dict[str, Any]
) -> None:
    statement = _statement(session, ex)
    d, office = ex["dossiers"], ex["world"]["office"].name
    lines = [
        (x.dossier_code, x.source, x.amount, x.method, x.office)
        for x in remittance.all_lines(session, statement)
    ]
    assert lines == [
        (d["paid"].code, "acceptance", 8_000, "cash", office),
        (d["card"].code, "acceptance", 70_000, "card", office),
        (d["paid"].code, "delivery", 30_000, "cash", office),
        (d["nothing"].code, "delivery", 15_000, "transfer", office),
    ]


def test_a_line_carries_the_item_number_and_the_moment_it_was_collected(
    session: Session, ex: dict[str, Any]
) -> None:
    first = next(remittance.all_lines(session, _statement(session, ex)))
    assert (first.item_number, first.at) == (ex["dossiers"]["paid"].item_number, local(3))


def test_the_posts_own_price_is_not_remitted(session: Session, ex: dict[str, Any]) -> None:
    paid = ex["dossiers"]["paid"]
    first = next(remittance.all_lines(session, _statement(session, ex)))
    assert paid.postal_price > 0 and first.amount == paid.fee + paid.charge == 8_000


def test_the_lines_are_paged_in_the_same_order(session: Session, ex: dict[str, Any]) -> None:
    statement = _statement(session, ex)
    second = remittance.lines_page(session, statement, 2, 3)
    assert (second.total, second.pages, [x.amount for x in second.items]) == (4, 2, [15_000])


def test_a_fee_collected_just_after_local_midnight_belongs_to_the_next_month(session: Session) -> None:
    world = factories.intake_setup(session)
    officer = factories.unit_officer(session, world)
    factories.accepted_dossier(session, world, local(1, 0, month=11, minute=30))  # 31/10 17:30 UTC
    factories.accepted_dossier(session, world, local(30, 23, month=11, minute=59))
    factories.accepted_dossier(session, world, local(1, 0, month=12, minute=1))
    october = remittance.statement(session, officer, world["unit"].id, month_period(2026, 10), NOW)
    november = remittance.statement(session, officer, world["unit"].id, NOVEMBER, NOW)
    assert (october.totals.count, november.totals.count) == (0, 2)


def test_an_explicit_period_counts_its_first_and_last_day_whole(session: Session, ex: dict[str, Any]) -> None:
    period = Period(date(2026, 11, 5), date(2026, 11, 12))
    assert _statement(session, ex, period=period).totals.by_source == {
        "acceptance": (1, 70_000),
        "delivery": (1, 30_000),
    }


def test_a_period_without_collections_has_zero_totals(session: Session, ex: dict[str, Any]) -> None:
    totals = _statement(session, ex, period=month_period(2026, 3)).totals
    assert (totals.count, totals.total, totals.by_source, totals.by_method) == (0, 0, {}, {})


# --- who sees what -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "supervisor", "admin", "manager"])
def test_the_unit_its_agency_an_administrator_and_the_operators_manager_see_the_statement(
    session: Session, ex: dict[str, Any], who: str
) -> None:
    assert _statement(session, ex, who).totals.total == 123_000


@pytest.mark.parametrize("who", ["other_officer", "other_manager"])
def test_another_units_officer_and_another_operators_manager_are_told_it_does_not_exist(
    session: Session, ex: dict[str, Any], who: str
) -> None:
    with pytest.raises(NotFound):
        _statement(session, ex, who)


def test_a_clerk_may_not_see_remittance_statements(session: Session, ex: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        _statement(session, ex, "clerk")


def test_a_postal_manager_sees_only_what_their_own_operator_collected(
    session: Session, ex: dict[str, Any]
) -> None:
    rival = factories.operator(session)
    rival_office = factories.post_office(session, rival)
    later = factories.accepted_dossier(session, ex["world"], local(20))
    cod(session, later, 5_000, "cash", local(21), operator_id=rival.id, office_id=rival_office.id)
    mine = _statement(session, ex, "manager").totals.total
    everything = _statement(session, ex, "admin").totals.total
    assert (mine, everything) == (123_000 + 8_000, 123_000 + 8_000 + 5_000)


def test_a_unit_offers_only_itself_and_a_manager_only_the_units_their_operator_served(
    session: Session, ex: dict[str, Any]
) -> None:
    unit, other = ex["world"]["unit"], ex["other"]["unit"]
    assert [i for i, _name in remittance.unit_choices(session, ex["officer"])] == [unit.id]
    assert [i for i, _name in remittance.unit_choices(session, ex["other_manager"])] == [other.id]
    assert {i for i, _name in remittance.unit_choices(session, ex["admin"])} >= {unit.id, other.id}


def test_an_organization_that_is_not_a_unit_is_not_found(session: Session, ex: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        remittance.statement(session, ex["admin"], ex["world"]["operator"].id, NOVEMBER, NOW)


def test_a_user_without_an_organization_sees_nothing(session: Session, ex: dict[str, Any]) -> None:
    loose = factories.user(session, Role.POSTAL_MANAGER, organization=ex["world"]["operator"])
    loose.organization_id = None
    with pytest.raises(PermissionDenied):
        _statement(session, {**ex, "loose": loose}, "loose")


# --- the period ------------------------------------------------------------------------------------------

TODAY = date(2026, 11, 20)


def test_without_a_period_the_statement_covers_this_month() -> None:
    assert parse_period("", "", "", TODAY) == NOVEMBER


def test_a_month_covers_its_first_to_last_day() -> None:
    assert parse_period("2024-02", "", "", TODAY) == Period(date(2024, 2, 1), date(2024, 2, 29), "2024-02")


def test_explicit_dates_win_over_the_month_and_may_be_written_the_vietnamese_way() -> None:
    assert parse_period("2026-01", "05/11/2026", "2026-11-12", TODAY) == Period(
        date(2026, 11, 5), date(2026, 11, 12)
    )


def test_a_period_of_366_days_is_allowed() -> None:
    assert parse_period("", "2027-01-01", "2027-12-31", TODAY).last == date(2027, 12, 31)


@pytest.mark.parametrize(
    ("month", "date_from", "date_to", "field"),
    [
        ("", "2026-11-12", "2026-11-05", "to"),
        ("", "2026-01-01", "2027-01-02", "to"),
        ("", "2026-11-01", "", "to"),
        ("", "", "2026-11-30", "from"),
        ("", "1-11-2026", "2026-11-30", "from"),
        ("", "2026-02-30", "2026-03-01", "from"),
        ("", "1990-01-01", "1990-01-31", "from"),
        ("2026-13", "", "", "month"),
        ("November", "", "", "month"),
        ("1999-12", "", "", "month"),
    ],
)
def test_a_bad_period_is_refused_naming_the_field(
    month: str, date_from: str, date_to: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_period(month, date_from, date_to, TODAY)
    assert field in refused.value.fields


# --- exports ---------------------------------------------------------------------------------------------


def _csv_rows(session: Session, statement: Any) -> list[list[str]]:
    body = b"".join(remittance_exports.to_csv(statement, remittance.all_lines(session, statement)))
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_csv_holds_every_line_with_its_dossier_and_amount(session: Session, ex: dict[str, Any]) -> None:
    rows = _csv_rows(session, _statement(session, ex))
    d = ex["dossiers"]
    amounts = [(r[0], r[4]) for r in rows if r and r[0] in {x.code for x in d.values()}]
    assert amounts == [
        (d["paid"].code, "8000"),
        (d["card"].code, "70000"),
        (d["paid"].code, "30000"),
        (d["nothing"].code, "15000"),
    ]


def test_the_csv_has_one_header_block_and_one_table_heading(session: Session, ex: dict[str, Any]) -> None:
    rows = _csv_rows(session, _statement(session, ex))
    firsts = [r[0] for r in rows if r]
    headings = (remittance_exports.HEADER[0], "Đơn vị / Unit")
    assert [firsts.count(h) for h in headings] == [1, 1]


def test_the_csv_ends_with_the_totals(session: Session, ex: dict[str, Any]) -> None:
    rows = _csv_rows(session, _statement(session, ex))
    assert rows[-1][1:] == ["4", "123000"]


def test_the_workbook_holds_the_unit_the_lines_and_the_totals(session: Session, ex: dict[str, Any]) -> None:
    statement = _statement(session, ex)
    book = load_workbook(
        io.BytesIO(remittance_exports.to_xlsx(statement, remittance.all_lines(session, statement)))
    )
    values = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert any(ex["world"]["unit"].name in str(cell) for row in values[:5] for cell in row)
    line_amounts = [row[4] for row in values if row[0] in {d.code for d in ex["dossiers"].values()}]
    assert line_amounts == [8_000, 70_000, 30_000, 15_000]
    assert values[-1][1:3] == [4, 123_000]


def test_the_workbook_formats_amounts_as_vnd(session: Session, ex: dict[str, Any]) -> None:
    statement = _statement(session, ex)
    book = load_workbook(
        io.BytesIO(remittance_exports.to_xlsx(statement, remittance.all_lines(session, statement)))
    )
    sheet = book.active
    total = next(row for row in sheet.iter_rows() if row[2].value == 123_000)
    assert total[2].number_format == "#,##0"


def test_typed_text_cannot_become_a_formula_in_the_exports(session: Session, ex: dict[str, Any]) -> None:
    ex["world"]["office"].name = '=HYPERLINK("http://evil")'
    session.flush()
    rows = _csv_rows(session, _statement(session, ex))
    assert all(not cell.startswith("=") for row in rows for cell in row)
