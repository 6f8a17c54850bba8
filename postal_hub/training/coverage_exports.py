"""The coverage table as CSV and as an Excel workbook: one row per office, counts as numbers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font

from postal_hub.contracts.exports import safe_cell
from postal_hub.core.clock import to_local
from postal_hub.core.procedures.models import ProcedureGroup
from postal_hub.training.coverage import CoverageTotals, OfficeCoverage
from postal_hub.training.status import EXPIRY_HORIZONS

HEADER = (
    "Mã bưu cục / Office code",
    "Bưu cục / Post office",
    "Tỉnh, thành phố / Province",
    "Nhân viên bưu chính / Postal staff",
    "Có chứng chỉ còn hiệu lực / With a valid certificate",
    "Nhóm thủ tục phục vụ được / Groups served",
    "Nhóm thủ tục chưa phục vụ được / Groups not served",
    *(f"Hết hạn trong {h} ngày / Expiring within {h} days" for h in EXPIRY_HORIZONS),
    "Chưa từng được đào tạo / Never trained",
)
# Columns holding counts: numbers in the file, so a spreadsheet can add them up.
COUNT_COLUMNS = (3, 4, *range(7, 7 + len(EXPIRY_HORIZONS) + 1))


@dataclass(frozen=True)
class Heading:
    """What the file is of: the filters the screen had, and when it was made."""

    today: date
    generated_at: datetime
    province: str = ""
    search: str = ""


def _groups(groups: list[ProcedureGroup]) -> str:
    return safe_cell(", ".join(g.code for g in groups))


def _heading(heading: Heading) -> list[tuple[str, str]]:
    rows = [
        ("Độ phủ đào tạo / Training coverage", ""),
        ("Ngày / Date", f"{heading.today:%d/%m/%Y}"),
        ("Lập lúc / Generated at", f"{to_local(heading.generated_at):%d/%m/%Y %H:%M}"),
    ]
    if heading.province:
        rows.append(("Tỉnh, thành phố / Province", safe_cell(heading.province)))
    if heading.search:
        rows.append(("Tìm kiếm / Search", safe_cell(heading.search)))
    return rows


def _cells(row: OfficeCoverage) -> list[object]:
    office = row.office
    return [
        safe_cell(office.code),
        safe_cell(office.name),
        safe_cell(office.province.name),
        row.staff,
        row.certified_staff,
        _groups(row.served),
        _groups(row.unserved),
        *(row.expiring.get(h, 0) for h in EXPIRY_HORIZONS),
        row.never_trained,
    ]


def _total_cells(totals: CoverageTotals) -> list[object]:
    return [
        "Tổng cộng / Total",
        f"{totals.offices} bưu cục / offices",
        "",
        totals.staff,
        totals.certified_staff,
        _groups(totals.served),
        _groups(totals.unserved),
        *(totals.expiring.get(h, 0) for h in EXPIRY_HORIZONS),
        totals.never_trained,
    ]


def to_csv(heading: Heading, rows: list[OfficeCoverage], totals: CoverageTotals) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for label, value in _heading(heading):
        writer.writerow([label, value])
    writer.writerow([])
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(_cells(row))
    writer.writerow(_total_cells(totals))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM lets Excel read Vietnamese correctly


def to_xlsx(heading: Heading, rows: list[OfficeCoverage], totals: CoverageTotals) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{heading.today:%d-%m-%Y}"
    for label, value in _heading(heading):
        sheet.append([label, value])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    sheet.append([])
    sheet.append(list(HEADER))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(_cells(row))
    sheet.append(_total_cells(totals))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for line in sheet.iter_rows(min_row=header_row + 1):
        for index in COUNT_COLUMNS:
            line[index].number_format = "#,##0"
    sheet.freeze_panes = sheet.cell(header_row + 1, 3)
    for column, width in zip("ABCDEFGHIJK", (14, 36, 22, 14, 16, 28, 28, 14, 14, 14, 14), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
