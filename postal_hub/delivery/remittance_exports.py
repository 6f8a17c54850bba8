"""A remittance statement as CSV (streamed) and as an Excel workbook, amounts as integer VND."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from postal_hub.contracts.exports import safe_cell
from postal_hub.core.clock import to_local
from postal_hub.delivery.remittance import Line, Remittance, Source

HEADER = (
    "Mã hồ sơ / Dossier code",
    "Số hiệu bưu gửi / Item number",
    "Nguồn thu / Collected",
    "Thời gian / Date and time",
    "Số tiền (VND) / Amount",
    "Hình thức / Method",
    "Bưu cục / Post office",
)
SOURCE_TEXT = {
    Source.ACCEPTANCE.value: "Khi tiếp nhận / At acceptance",
    Source.DELIVERY.value: "Khi trả kết quả (COD) / On delivery (COD)",
}
METHOD_TEXT = {
    "cash": "Tiền mặt / Cash",
    "card": "Thẻ / Card",
    "transfer": "Chuyển khoản / Transfer",
    "": "—",
}
_CHUNK = 500


def _local(moment: datetime) -> datetime:
    """Local wall time without an offset: Excel and a CSV reader keep no time zone."""
    return to_local(moment).replace(tzinfo=None, microsecond=0)


def _heading(remittance: Remittance) -> list[tuple[str, str]]:
    period = remittance.period
    return [
        ("Bảng kê thu hộ / Remittance statement", ""),
        ("Đơn vị / Unit", safe_cell(f"{remittance.unit.name} ({remittance.unit.code})")),
        ("Doanh nghiệp bưu chính / Postal operator", safe_cell(", ".join(remittance.operators) or "—")),
        ("Kỳ / Period", f"{period.first:%d/%m/%Y} – {period.last:%d/%m/%Y}"),
        ("Lập lúc / Generated at", f"{_local(remittance.generated_at):%d/%m/%Y %H:%M}"),
    ]


def _totals(remittance: Remittance) -> list[tuple[str, int, int]]:
    """(label, lines, VND): per source, per method, then the grand total."""
    totals = remittance.totals
    rows = [(SOURCE_TEXT.get(k, k), n, v) for k, (n, v) in totals.by_source.items()]
    rows += [(METHOD_TEXT.get(k, k), n, v) for k, (n, v) in totals.by_method.items()]
    return [*rows, ("Tổng cộng / Total", totals.count, totals.total)]


def _cells(line: Line) -> list[object]:
    return [
        safe_cell(line.dossier_code),
        safe_cell(line.item_number),
        SOURCE_TEXT.get(line.source, line.source),
        _local(line.at),
        line.amount,
        METHOD_TEXT.get(line.method, line.method),
        safe_cell(line.office),
    ]


def to_csv(remittance: Remittance, lines: Iterable[Line]) -> Iterator[bytes]:
    """Streamed in chunks; the BOM first lets Excel read Vietnamese correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    for label, value in _heading(remittance):
        writer.writerow([label, value])
    writer.writerow([])
    writer.writerow(HEADER)
    yield "\ufeff".encode() + _drain(out)
    for number, line in enumerate(lines, start=1):
        cells = _cells(line)
        cells[3] = f"{cells[3]:%Y-%m-%d %H:%M:%S}"
        writer.writerow(cells)
        if number % _CHUNK == 0:
            yield _drain(out)
    writer.writerow([])
    writer.writerow(["", "Số dòng / Lines", "Số tiền (VND) / Amount"])
    for label, count, amount in _totals(remittance):
        writer.writerow([label, count, amount])
    yield _drain(out)


def _drain(out: io.StringIO) -> bytes:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text.encode("utf-8")


def _bold(sheet: WriteOnlyWorksheet, *values: object) -> list[WriteOnlyCell]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _number(
    sheet: WriteOnlyWorksheet, value: object, fmt: str = "#,##0", bold: bool = False
) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = fmt
    cell.font = Font(bold=bold)
    return cell


def to_xlsx(remittance: Remittance, lines: Iterable[Line]) -> bytes:
    """Header block, the lines, then the totals; write-only, so a year of lines stays small in memory."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"{remittance.period.first:%m-%Y}")
    for column, width in zip("ABCDEFG", (28, 18, 34, 18, 18, 24, 36), strict=True):
        sheet.column_dimensions[column].width = width
    for label, value in _heading(remittance):
        sheet.append([*_bold(sheet, label), value])
    sheet.append([])
    sheet.append(_bold(sheet, *HEADER))
    for line in lines:
        cells = _cells(line)
        sheet.append(
            [*cells[:3], _number(sheet, cells[3], "dd/mm/yyyy hh:mm"), _number(sheet, cells[4]), *cells[5:]]
        )
    sheet.append([])
    sheet.append(_bold(sheet, "", "Số dòng / Lines", "Số tiền (VND) / Amount"))
    rows = _totals(remittance)
    for position, (label, count, amount) in enumerate(rows, start=1):
        last = position == len(rows)
        sheet.append(
            [
                *(_bold(sheet, label) if last else [label]),
                _number(sheet, count, bold=last),
                _number(sheet, amount, bold=last),
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
