"""`postal-hub report` as an operator runs it, on the seeded demo database."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from tests.e2e.test_command_line import run

UNIT = "000.00.01.G15"  # the demo's Ministry of Justice one-stop unit


def test_the_report_command_writes_a_workbook_that_opens(demo_url: str, tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    result = run(demo_url, "report", "--unit", UNIT, "--quarter", "2026Q3", "--out", str(out))
    assert f"Written to {out}." in result.stdout
    assert UNIT in load_workbook(out).worksheets[0]["A1"].value


def test_the_report_command_refuses_a_bad_quarter_with_exit_code_2(demo_url: str) -> None:
    result = run(demo_url, "report", "--unit", UNIT, "--quarter", "2026Q9", expect=2)
    assert "--quarter" in result.stderr


def test_the_report_command_refuses_an_unknown_unit_with_exit_code_2(demo_url: str) -> None:
    result = run(demo_url, "report", "--unit", "NO.SUCH", "--quarter", "2026Q3", expect=2)
    assert "--unit" in result.stderr
