"""The quarterly report on a hand-built quarter (tests/factories_report.py): each figure, the comparison
with the previous quarter, the restriction to one contract, and the workbook's cells."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from postal_hub.core.errors import NotFound
from postal_hub.monitoring.quarters import Quarter
from postal_hub.monitoring.query import Scope
from postal_hub.monitoring.refresh import refresh
from postal_hub.monitoring.report import QuarterReport, build_report, find_contract, find_unit
from postal_hub.monitoring.report_xlsx import to_xlsx
from tests import factories
from tests.factories_monitoring import past_dossier, trip
from tests.factories_report import NOW, at, quarter_world

TODAY = date(2026, 11, 20)
Q3 = Quarter(2026, 3)


@pytest.fixture
def q(session: Session) -> dict[str, Any]:
    return quarter_world(session)


def report_of(session: Session, w: dict[str, Any], quarter: Quarter = Q3, **kwargs: Any) -> QuarterReport:
    return build_report(session, Scope(), w["unit"], quarter, NOW, TODAY, **kwargs)


def figures(report: QuarterReport, key: str) -> tuple[Any, Any, Any]:
    f = report.figure(key)
    return f.this, f.previous, f.change


def lines(items: list[Any]) -> dict[str, tuple[Any, Any]]:
    return {line.key: (line.this, line.previous) for line in items}


# --- the figures ---------------------------------------------------------------------------------------


def test_the_report_counts_the_quarters_dossiers_beside_the_previous_quarters(
    session: Session, q: dict[str, Any]
) -> None:
    assert figures(report_of(session, q), "dossiers") == (4, 2, 2)


def test_the_on_time_rate_falls_from_all_to_two_results_of_three(session: Session, q: dict[str, Any]) -> None:
    report = report_of(session, q)
    this, previous, change = figures(report, "on_time_rate")
    assert (round(this, 2), previous, round(change, 2)) == (66.67, 100.0, -33.33)
    assert report.figure("on_time_rate").meets_target is False


def test_results_open_and_past_their_appointment_are_counted(session: Session, q: dict[str, Any]) -> None:
    report = report_of(session, q)
    assert [report.figure(k).this for k in ("closed", "on_time", "late", "open", "overdue")] == [
        3,
        2,
        1,
        1,
        1,
    ]


def test_late_results_are_attributed_to_each_leg_whose_clock_ran_out(
    session: Session, q: dict[str, Any]
) -> None:
    assert lines(report_of(session, q).legs) == {
        "late_results": (2, 0),
        "pickup": (0, 0),
        "carriage": (2, 0),  # C's carriage took 20 hours of 8; D's is still open past its time
        "unit": (1, 0),  # C's result came after the unit's five working days
        "delivery": (0, 0),
        "unattributed": (0, 0),
    }


def test_the_units_statutory_on_time_rate_counts_results_ready_in_time(
    session: Session, q: dict[str, Any]
) -> None:
    report = report_of(session, q)
    assert report.figure("unit_done").this == 3
    assert report.figure("unit_on_time_rate").this == pytest.approx(200 / 3)


def test_waiting_time_is_averaged_and_held_against_15_minutes(session: Session, q: dict[str, Any]) -> None:
    report = report_of(session, q)
    wait = report.figure("wait_minutes")
    assert (wait.this, wait.previous, wait.target, wait.meets_target) == (15.0, None, 15, True)
    assert (report.figure("wait_ok").this, report.figure("wait_ok_30").this) == (50.0, 100.0)


def test_handling_time_is_averaged_and_held_against_30_minutes(session: Session, q: dict[str, Any]) -> None:
    report = report_of(session, q)
    handle = report.figure("handle_minutes")
    assert (handle.this, handle.target, handle.meets_target, report.figure("handle_ok").this) == (
        25.0,
        30,
        True,
        100.0,
    )


def test_digitization_and_reuse_are_shares_of_the_dossiers_against_their_targets(
    session: Session, q: dict[str, Any]
) -> None:
    report = report_of(session, q)
    digitized, reused = report.figure("digitization_rate"), report.figure("reuse_rate")
    assert (digitized.this, digitized.previous, digitized.target) == (50.0, 100.0, 100)
    assert (reused.this, reused.previous, reused.target) == (25.0, 0.0, 80)


def test_satisfaction_with_the_post_and_with_the_unit_is_reported_apart(
    session: Session, q: dict[str, Any]
) -> None:
    report = report_of(session, q)
    assert figures(report, "postal_satisfaction") == (50.0, 100.0, -50.0)
    assert figures(report, "unit_satisfaction") == (100.0, None, None)
    assert report.figure("unit_satisfaction").target == 95


def test_productivity_is_annualized_per_active_unit_officer(session: Session, q: dict[str, Any]) -> None:
    report = report_of(session, q)
    this, previous, _change = figures(report, "productivity")
    assert report.officers == 2
    assert (round(this, 2), round(previous, 2)) == (round(4 * 365 / 92 / 2, 2), round(2 * 365 / 91 / 2, 2))
    assert report.figure("productivity").target == 2000
    assert report.productivity_variants == {"province": 1600, "rural": 1200, "remote": 800}


def test_dossiers_are_broken_down_by_channel(session: Session, q: dict[str, Any]) -> None:
    assert lines(report_of(session, q).channels) == {"counter": (2, 1), "pickup": (1, 1), "api": (1, 0)}


def test_dossiers_are_broken_down_by_procedure_group(session: Session, q: dict[str, Any]) -> None:
    report = report_of(session, q)
    by_label = {str(line.label).split(" · ")[0]: (line.this, line.previous) for line in report.groups}
    assert by_label == {"TG": (3, 2), "CB": (1, 0)}


def test_task_sla_compliance_is_reported_per_task_type(session: Session, q: dict[str, Any]) -> None:
    carriage = next(line for line in report_of(session, q).task_types if line.key == "carriage")
    assert (carriage.this["tasks"], carriage.this["tasks_late"], carriage.this["tasks_overdue"]) == (4, 1, 1)
    assert (carriage.this.compliance, carriage.previous.compliance, carriage.change) == (50.0, 100.0, -50.0)


def test_task_sla_compliance_is_reported_per_contract_by_its_number(
    session: Session, q: dict[str, Any]
) -> None:
    (line,) = report_of(session, q).contracts
    assert q["contract"].number in str(line.label)
    assert (line.this["tasks"], line.this.compliance, line.previous.compliance) == (16, 87.5, 100.0)


def test_all_tasks_compliance_is_in_the_summary(session: Session, q: dict[str, Any]) -> None:
    assert figures(report_of(session, q), "task_compliance") == (87.5, 100.0, -12.5)


def test_a_dossier_accepted_after_midnight_hanoi_time_on_1_july_counts_in_the_third_quarter(
    session: Session, q: dict[str, Any]
) -> None:
    past_dossier(session, q, trip(at(6, 30).replace(hour=18)))  # 01:00 on 1/7 in Hanoi
    refresh(session, NOW)
    assert figures(report_of(session, q), "dossiers") == (5, 2, 3)


def test_a_report_of_one_contract_counts_its_operators_dossiers_and_its_own_tasks(
    session: Session, q: dict[str, Any]
) -> None:
    operator = factories.operator(session)
    office = factories.post_office(session, operator, province_code="01")
    second = factories.contract(session, q["unit"], operator)
    past_dossier(session, {**q, "office": office, "contract": second}, trip(at(8, 3)))
    refresh(session, NOW)
    whole = report_of(session, q)
    first_only = report_of(
        session, q, contract=find_contract(session, Scope(), q["unit"], contract_id=q["contract"].id)
    )
    assert (whole.figure("dossiers").this, first_only.figure("dossiers").this) == (5, 4)
    assert (whole.figure("tasks").this, first_only.figure("tasks").this) == (21, 16)
    assert [str(line.label).split(" · ")[0] for line in first_only.contracts] == [q["contract"].number]


def test_the_report_says_when_its_data_was_last_refreshed(session: Session, q: dict[str, Any]) -> None:
    assert report_of(session, q).data_as_of == NOW


def test_the_quarter_under_way_is_annualized_on_its_days_so_far(session: Session, q: dict[str, Any]) -> None:
    report = report_of(session, q, Quarter(2026, 4))
    assert report.in_progress and report.through == TODAY
    assert report.figure("dossiers").this == 1  # G, on 5/10
    assert report.figure("productivity").this == pytest.approx(1 * 365 / 51 / 2)  # 1/10 to 20/11


def test_a_unit_with_no_dossiers_reports_zero_counts_and_no_rates(
    session: Session, q: dict[str, Any]
) -> None:
    empty = factories.unit(session)
    report = build_report(session, Scope(), empty, Q3, NOW, TODAY)
    assert figures(report, "dossiers") == (0, 0, 0)
    assert report.figure("on_time_rate").this is None and report.figure("on_time_rate").meets_target is None
    assert report.figure("productivity").this is None  # no officers
    assert report.task_types == [] and report.contracts == []


def test_a_unit_outside_the_viewers_scope_is_not_found(session: Session, q: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        find_unit(session, Scope(unit_ids=(q["other"]["unit"].id,)), q["unit"].code)


def test_a_contract_of_another_unit_is_not_found(session: Session, q: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        find_contract(session, Scope(), q["unit"], contract_id=q["other"]["contract"].id)


# --- the workbook --------------------------------------------------------------------------------------


def workbook(report: QuarterReport) -> Any:
    return load_workbook(io.BytesIO(to_xlsx(report)))


def row_of(sheet: Worksheet, label: str) -> tuple[Any, ...]:
    for row in sheet.iter_rows(values_only=True):
        if row and row[0] == label:
            return row
    raise AssertionError(f"no row {label!r} in {sheet.title}")


def test_the_workbook_has_a_summary_and_a_sheet_per_breakdown(session: Session, q: dict[str, Any]) -> None:
    assert len(workbook(report_of(session, q)).worksheets) == 6


def test_the_summary_sheet_names_the_unit_and_the_quarter(session: Session, q: dict[str, Any]) -> None:
    sheet = workbook(report_of(session, q)).worksheets[0]
    assert q["unit"].name in sheet["A1"].value and "2026Q3" in sheet["A1"].value


def test_the_summary_sheet_holds_this_quarter_the_previous_and_the_change(
    session: Session, q: dict[str, Any]
) -> None:
    report = report_of(session, q)
    sheet = workbook(report).worksheets[0]
    assert row_of(sheet, str(report.figure("dossiers").label))[1:4] == (4, 2, 2)


def test_percentages_are_fractions_formatted_as_percent_with_their_target(
    session: Session, q: dict[str, Any]
) -> None:
    report = report_of(session, q)
    sheet = workbook(report).worksheets[0]
    row = next(r for r in sheet.iter_rows() if r[0].value == str(report.figure("digitization_rate").label))
    assert (row[1].value, row[2].value, row[3].value, row[4].value) == (0.5, 1.0, -0.5, 1.0)
    assert row[1].number_format == "0.0%"


def test_the_summary_sheets_header_row_is_frozen(session: Session, q: dict[str, Any]) -> None:
    sheet = workbook(report_of(session, q)).worksheets[0]
    header = next(r[0].row for r in sheet.iter_rows() if r[0].value == _("Indicator"))
    assert sheet.freeze_panes == f"B{header + 1}"


def test_the_channel_sheet_holds_each_channel_and_the_total(session: Session, q: dict[str, Any]) -> None:
    report = report_of(session, q)
    sheet = workbook(report).worksheets[1]
    counter = next(line for line in report.channels if line.key == "counter")
    assert row_of(sheet, str(counter.label))[1:5] == (2, 1, 1, 0.5)
    assert row_of(sheet, _("Total"))[1:4] == (4, 2, 2)


def test_the_task_type_sheet_holds_the_counts_and_the_compliance(session: Session, q: dict[str, Any]) -> None:
    report = report_of(session, q)
    sheet = workbook(report).worksheets[4]
    carriage = next(line for line in report.task_types if line.key == "carriage")
    assert row_of(sheet, str(carriage.label))[1:10] == (4, 3, 2, 1, 1, 1, 0.5, 1.0, -0.5)


def test_the_contract_sheet_names_the_contract(session: Session, q: dict[str, Any]) -> None:
    sheet = workbook(report_of(session, q)).worksheets[5]
    assert any(str(r[0]).startswith(q["contract"].number) for r in sheet.iter_rows(values_only=True) if r[0])


def test_the_lines_start_right_under_the_header_row(session: Session, q: dict[str, Any]) -> None:
    report = report_of(session, q)
    sheet = workbook(report).worksheets[1]
    header = next(r[0].row for r in sheet.iter_rows() if r[0].value == _("Channel"))
    assert sheet.cell(header + 1, 1).value == str(report.channels[0].label)
