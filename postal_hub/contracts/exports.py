"""A statement as CSV and as an Excel workbook (openpyxl), with amounts as integer VND."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from postal_hub.contracts.statement_models import Statement
from postal_hub.contracts.status import TASK_TYPE_LABELS, TaskType

HEADER = ("Hạng mục / Item", "Số lượng / Quantity", "Đơn giá (VND) / Unit price", "Thành tiền (VND) / Amount")


def line_label(kind: str, task_type: str | None) -> str:
    if kind == "task" and task_type:
        return str(TASK_TYPE_LABELS[TaskType(task_type)])
    if kind == "pages":
        return "Trang số hóa / Digitized pages"
    return "Phạt vi phạm SLA / SLA breaches (trừ / deducted)"


def rows(statement: Statement) -> list[tuple[str, int, int, int]]:
    body = [
        (
            line_label(line.kind, line.task_type),
            line.quantity,
            line.unit_price,
            -line.amount if line.kind == "penalty" else line.amount,
        )
        for line in statement.lines
    ]
    return [*body, ("Tổng cộng / Total", 0, 0, statement.total)]


def _title(statement: Statement) -> str:
    return safe_cell(f"{statement.contract.number} {statement.month:02d}/{statement.year}")


def safe_cell(text: str) -> str:
    """Typed text must never become a spreadsheet formula when the file is opened (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(statement: Statement) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Bảng kê / Statement", _title(statement), statement.status])
    writer.writerow(HEADER)
    for label, quantity, price, amount in rows(statement):
        writer.writerow([label, quantity or "", price or "", amount])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM lets Excel read Vietnamese correctly


def to_xlsx(statement: Statement) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{statement.month:02d}-{statement.year}"
    sheet.append(["Bảng kê / Statement", _title(statement), statement.status])
    sheet.append(list(HEADER))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for label, quantity, price, amount in rows(statement):
        sheet.append([label, quantity or None, price or None, amount])
    for row in sheet.iter_rows(min_row=3, min_col=2, max_col=4):
        for cell in row:
            cell.number_format = "#,##0"
    sheet[f"A{sheet.max_row}"].font = Font(bold=True)
    sheet[f"D{sheet.max_row}"].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 48
    for column in "BCD":
        sheet.column_dimensions[column].width = 22
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
