"""The quarterly report as an Excel workbook: a summary sheet, then one sheet per breakdown.

Numbers are numbers in the file (percentages as fractions formatted 0.0 %), so a spreadsheet can
compute with them; labels are in the reader's language.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from postal_hub.contracts.exports import safe_cell
from postal_hub.core.clock import to_local
from postal_hub.monitoring import report_text
from postal_hub.monitoring.query import TaskTotals
from postal_hub.monitoring.report import Compared, QuarterReport, TaskLine
from postal_hub.monitoring.report_figures import COUNT, MINUTES, PER_YEAR, PERCENT

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {COUNT: "#,##0", PERCENT: "0.0%", MINUTES: "0.0", PER_YEAR: "#,##0"}
CHANGE_FORMATS = {
    COUNT: "+#,##0;-#,##0;0",
    PERCENT: "+0.0%;-0.0%;0.0%",  # percentage points, shown against the same 100
    MINUTES: "+0.0;-0.0;0.0",
    PER_YEAR: "+#,##0;-#,##0;0",
}
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0B5CAD")
SECTION_FILL = PatternFill("solid", fgColor="E6ECF5")
THIN = Side(style="thin", color="B8C2D0")
HEADER_BORDER = Border(bottom=Side(style="medium", color="1D2330"))
TOTAL_BORDER = Border(top=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def to_xlsx(report: QuarterReport) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    _summary_sheet(sheet, report)
    _compared_sheet(book.create_sheet(), _("Channels"), _("Channel"), report.channels, report, total=True)
    groups = _("Procedure groups")
    _compared_sheet(book.create_sheet(), groups, _("Procedure group"), report.groups, report, total=True)
    _compared_sheet(book.create_sheet(), _("Late legs"), _("Leg"), report.legs, report, total=False)
    _task_sheet(book.create_sheet(), _("Task SLA by type"), _("Task type"), report.task_types, report)
    _task_sheet(book.create_sheet(), _("Task SLA by contract"), _("Contract"), report.contracts, report)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(text: str) -> str:
    return _SHEET_CHARS.sub(" ", text)[:31]


def _title_rows(sheet: Worksheet, report: QuarterReport, subject: str) -> None:
    """The rows above the table: what the file is of, when it was made, how fresh its data is."""
    sheet.append([safe_cell(report_text.title(report))])
    sheet.cell(sheet.max_row, 1).font = TITLE_FONT
    if report.contract is not None:
        contract = f"{report.contract.number} · {report.contract.operator_name}"
        sheet.append([_("Contract"), safe_cell(contract)])
    sheet.append([_("Period"), report_text.period(report)])
    sheet.append([_("Generated at"), f"{to_local(report.generated_at):%d/%m/%Y %H:%M}"])
    sheet.append([_("Data as of"), report_text.data_as_of(report)])
    sheet.append([subject])
    sheet.cell(sheet.max_row, 1).font = BOLD


def _header(sheet: Worksheet, labels: Sequence[str], widths: Sequence[int]) -> None:
    sheet.append(list(labels))
    row = sheet.max_row
    for cell in sheet[row]:
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.row_dimensions[row].height = 32
    sheet.freeze_panes = f"B{row + 1}"  # a string: asking for the cell would create an empty row
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{row}:{row}"


def _quarter_columns(report: QuarterReport) -> list[str]:
    return [
        _("This quarter (%(quarter)s)", quarter=report.quarter.code),
        _("Previous quarter (%(quarter)s)", quarter=report.previous_quarter.code),
        _("Change"),
    ]


def _number(value: float | None, kind: str) -> float | None:
    if value is None:
        return None
    return value / 100 if kind == PERCENT else value


def _put(
    sheet: Worksheet, row: int, column: int, value: float | None, kind: str, change: bool = False
) -> None:
    cell = sheet.cell(row, column, _number(value, kind))
    cell.number_format = (CHANGE_FORMATS if change else FORMATS)[kind]


def _compared_row(sheet: Worksheet, figure: Compared, first: int = 2) -> None:
    sheet.append([safe_cell(str(figure.label))])
    row = sheet.max_row
    _put(sheet, row, first, figure.this, figure.kind)
    _put(sheet, row, first + 1, figure.previous, figure.kind)
    _put(sheet, row, first + 2, figure.change, figure.kind, change=True)


def _summary_sheet(sheet: Worksheet, report: QuarterReport) -> None:
    sheet.title = _sheet_name(_("Summary"))
    _title_rows(sheet, report, _("Summary"))
    columns = [_("Indicator"), *_quarter_columns(report), _("Target"), _("Target met"), _("Note")]
    _header(sheet, columns, (48, 16, 16, 12, 12, 12, 40))
    for section in report.summary:
        sheet.append([str(section.title)])
        for cell in sheet[sheet.max_row][: len(columns)]:
            cell.font, cell.fill = BOLD, SECTION_FILL
        for figure in section.figures:
            _compared_row(sheet, figure)
            row = sheet.max_row
            if figure.target is not None:
                _put(sheet, row, 5, figure.target, figure.kind)
                sheet.cell(row, 5).number_format = ('"≤ "' if figure.at_most else '"≥ "') + FORMATS[
                    figure.kind
                ]
            sheet.cell(row, 6, report_text.verdict(figure) or None)
            if figure.note:
                sheet.cell(row, 7, str(figure.note)).alignment = WRAP
    if report.in_progress:
        sheet.append([])
        sheet.append([_("The quarter is not over: the figures are to date.")])


def _compared_sheet(
    sheet: Worksheet, name: str, what: str, figures: list[Compared], report: QuarterReport, total: bool
) -> None:
    sheet.title = _sheet_name(name)
    _title_rows(sheet, report, name)
    columns = [what, *_quarter_columns(report)]
    if total:
        columns.append(_("Share this quarter"))
    _header(sheet, columns, (48, 16, 16, 12, 14))
    whole = sum(f.this or 0 for f in figures)
    for figure in figures:
        _compared_row(sheet, figure)
        if total:
            _put(sheet, sheet.max_row, 5, 100 * (figure.this or 0) / whole if whole else None, PERCENT)
    if not figures:
        sheet.append([_("Nothing this quarter or the previous one.")])
    elif total:
        this, before = whole, sum(f.previous or 0 for f in figures)
        _compared_row(sheet, Compared("total", _("Total"), this, before))
        _put(sheet, sheet.max_row, 5, 100.0 if whole else None, PERCENT)
        for cell in sheet[sheet.max_row]:
            cell.font, cell.border = BOLD, TOTAL_BORDER


def _task_sheet(sheet: Worksheet, name: str, what: str, lines: list[TaskLine], report: QuarterReport) -> None:
    sheet.title = _sheet_name(name)
    _title_rows(sheet, report, name)
    columns = [
        what,
        _("Tasks"),
        _("Done"),
        _("Done on time"),
        _("Done late"),
        _("Open"),
        _("Open past their time"),
        _("SLA compliance (%(quarter)s)", quarter=report.quarter.code),
        _("SLA compliance (%(quarter)s)", quarter=report.previous_quarter.code),
        _("Change"),
    ]
    _header(sheet, columns, (44, 10, 10, 12, 12, 10, 14, 16, 16, 12))
    total = (TaskTotals(), TaskTotals())
    for line in lines:
        _task_row(sheet, safe_cell(str(line.label)), line.this, line.previous)
        total[0].add(line.this)
        total[1].add(line.previous)
    if not lines:
        sheet.append([_("No tasks this quarter or the previous one.")])
    else:
        _task_row(sheet, _("Total"), *total)
        for cell in sheet[sheet.max_row]:
            cell.font, cell.border = BOLD, TOTAL_BORDER
    sheet.append([])
    sheet.append([_("Compliance: tasks done within their SLA, of those done or already past their time.")])


def _task_row(sheet: Worksheet, label: str, this: TaskTotals, before: TaskTotals) -> None:
    measures = ("tasks", "tasks_done", "tasks_on_time", "tasks_late", "tasks_open", "tasks_overdue")
    sheet.append([label, *(this[m] for m in measures)])
    row = sheet.max_row
    for column in range(2, 8):
        sheet.cell(row, column).number_format = FORMATS[COUNT]
    now, then = this.compliance, before.compliance
    _put(sheet, row, 8, now, PERCENT)
    _put(sheet, row, 9, then, PERCENT)
    _put(sheet, row, 10, None if now is None or then is None else now - then, PERCENT, change=True)
